package com.aegisx.ws.server.web;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.Timestamps;
import com.aegisx.ws.server.auth.AuthFailure;
import com.aegisx.ws.server.auth.AuthenticationException;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.http.JsonHttp;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/auth/check} with {@code Authorization: Bearer <jwt>}: would the upgrade accept
 * this token? A browser whose WebSocket handshake failed cannot see the HTTP status (it gets close
 * code 1006 either way), so the client asks here before deciding between "retry later" and "the
 * token is refused, stop". It tells the caller nothing it could not learn from an upgrade attempt.
 *
 * <p>200 {@code {"ok":true,"userId","expiresAt"}}, or 401 {@code {"error":"invalid_token","reason"}}
 * with the same machine reasons as the upgrade's refusal ({@code token_expired}, ...). No token: 200
 * anonymous, or 401 {@code token_required} when AUTH_REQUIRED is on. Only the header is read:
 * tokens in URLs end up in logs.
 */
public final class AuthCheckServlet extends HttpServlet {

    public static final String PATH = "/api/v1/auth/check";

    private final JwtAuthenticator authenticator;
    private final boolean authRequired;

    public AuthCheckServlet(JwtAuthenticator authenticator, boolean authRequired) {
        this.authenticator = authenticator;
        this.authRequired = authRequired;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        String authorization = request.getHeader("Authorization");
        ObjectNode out = Json.object();
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (authRequired) {
                refuse(response, out, AuthFailure.TOKEN_REQUIRED.code(), "authentication required");
                return;
            }
            out.put("ok", true).putNull("userId");
            JsonHttp.reply(response, HttpServletResponse.SC_OK, out);
            return;
        }
        try {
            Identity identity = authenticator.authenticate(authorization.substring(7).trim());
            out.put("ok", true).put("userId", identity.userId());
            if (identity.expiresAt() != null) {
                out.put("expiresAt", Timestamps.format(identity.expiresAt()));
            }
            JsonHttp.reply(response, HttpServletResponse.SC_OK, out);
        } catch (AuthenticationException e) {
            refuse(response, out, e.reason(), e.getMessage());
        }
    }

    private static void refuse(HttpServletResponse response, ObjectNode out, String reason, String message)
            throws IOException {
        out.put("ok", false).put("error", "invalid_token").put("reason", reason).put("message", message);
        response.setHeader("WWW-Authenticate", "Bearer");
        JsonHttp.reply(response, HttpServletResponse.SC_UNAUTHORIZED, out);
    }

}
