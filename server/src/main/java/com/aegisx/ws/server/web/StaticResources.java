package com.aegisx.ws.server.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Serves a fixed list of files from the jar's {@code web/} folder: the browser client, its
 * declarations and the pages. Nothing outside the list is reachable (no path from the request is
 * ever used to look a file up), and every file is read once at startup.
 */
public final class StaticResources extends HttpServlet {

    /** A request path and the file under {@code web/} that answers it. */
    public record Asset(String path, String file, String contentType, String csp) {
    }

    /** Pages may load scripts only from the node; the demo may open sockets to any node. */
    static final String PAGE_CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    static final String JS = "text/javascript; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";

    private final Map<String, Loaded> assets;

    private record Loaded(Asset asset, byte[] body) {
    }

    public StaticResources(Asset... assets) {
        java.util.HashMap<String, Loaded> loaded = new java.util.HashMap<>();
        for (Asset asset : assets) {
            loaded.put(asset.path(), new Loaded(asset, read(asset.file())));
        }
        this.assets = Map.copyOf(loaded);
    }

    /** The paths this servlet answers, for mapping it. */
    public java.util.Set<String> paths() {
        return assets.keySet();
    }

    private static byte[] read(String file) {
        try (InputStream in = StaticResources.class.getClassLoader().getResourceAsStream("web/" + file)) {
            if (in == null) {
                throw new IllegalStateException("web/" + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Loaded found = assets.get(path);
        if (found == null && assets.containsKey(path + "/")) {
            response.sendRedirect(path + "/");
            return;
        }
        if (found == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType(found.asset().contentType());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (found.asset().csp() != null) {
            response.setHeader("Content-Security-Policy", found.asset().csp());
        }
        response.setContentLength(found.body().length);
        response.getOutputStream().write(found.body());
    }

    /**
     * The admin console's page (public: it holds no data; everything it shows comes from the admin
     * API with the key or token the operator types in). Nothing may be loaded or sent elsewhere.
     */
    public static StaticResources admin() {
        String csp = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        return new StaticResources(
                new Asset("/admin/", "admin/index.html", HTML, csp),
                new Asset("/admin/admin.js", "admin/admin.js", JS, null),
                new Asset("/admin/admin.css", "admin/admin.css", "text/css; charset=utf-8", null));
    }

    /** The browser client and the demo page, served on the public port. */
    public static StaticResources client() {
        return new StaticResources(
                new Asset("/client/ws-client.js", "client/ws-client.js", JS, null),
                new Asset("/client/ws-client.d.ts", "client/ws-client.d.ts", "application/typescript; charset=utf-8", null),
                new Asset("/demo/", "demo/index.html", HTML, PAGE_CSP),
                new Asset("/demo/demo.js", "demo/demo.js", JS, null),
                new Asset("/demo/demo.css", "demo/demo.css", "text/css; charset=utf-8", null));
    }
}
