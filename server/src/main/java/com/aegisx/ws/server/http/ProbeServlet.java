package com.aegisx.ws.server.http;

import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /health} (the process is alive) and {@code GET /ready} (Redis reachable, node
 * registered): 200 when the check holds, 503 otherwise, with a small JSON body either way.
 */
public final class ProbeServlet extends HttpServlet {

    private final BooleanSupplier check;
    private final Supplier<ObjectNode> body;

    public ProbeServlet(BooleanSupplier check, Supplier<ObjectNode> body) {
        this.check = check;
        this.body = body;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean ok = check.getAsBoolean();
        ObjectNode out = body.get();
        out.put("status", ok ? "ok" : "unavailable");
        response.setStatus(ok ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(Json.write(out).getBytes(StandardCharsets.UTF_8));
    }
}
