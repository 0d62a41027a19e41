package com.aegisx.ws.server.http;

import com.aegisx.ws.server.auth.Access;
import com.aegisx.ws.server.auth.AuthenticationException;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.TokenVerifier;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may call the operator endpoints: a JWT with the {@value Access#ADMIN_ROLE} role in
 * {@code Authorization: Bearer}, or the {@code ADMIN_API_KEY} in {@code X-Api-Key}. Tokens in the
 * query string are not accepted here: URLs end up in proxies' logs and browser histories.
 */
public final class AdminAuthenticator {

    public static final String API_KEY_HEADER = "X-Api-Key";

    public enum Verdict {
        /** Credentials are good. */
        ALLOWED,
        /** None, or not valid: 401. */
        UNAUTHENTICATED,
        /** A valid token without the admin role: 403. */
        FORBIDDEN
    }

    private final TokenVerifier verifier;
    private final byte[] apiKey;

    /** @param apiKey ADMIN_API_KEY, or null when unset (then only admin tokens get in) */
    public AdminAuthenticator(TokenVerifier verifier, String apiKey) {
        this.verifier = verifier;
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the request's credentials; when they do not admit it, answers 401 (none or bad) or 403
     * (a valid token without the admin role) with a JSON problem and returns false.
     */
    public boolean admit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Verdict verdict = check(request.getHeader("Authorization"), request.getHeader(API_KEY_HEADER));
        if (verdict == Verdict.ALLOWED) {
            return true;
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        String body;
        if (verdict == Verdict.UNAUTHENTICATED) {
            response.setHeader("WWW-Authenticate", "Bearer");
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            body = "{\"error\":\"unauthorized\",\"message\":\"an admin token (Authorization: Bearer) or X-Api-Key is required\"}";
        } else {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            body = "{\"error\":\"forbidden\",\"message\":\"the admin role is required\"}";
        }
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        return false;
    }

    public Verdict check(String authorization, String apiKeyHeader) {
        if (apiKeyHeader != null) {
            // Constant time: the comparison must not tell an attacker how many leading characters match.
            return apiKey != null && MessageDigest.isEqual(apiKey, apiKeyHeader.trim().getBytes(StandardCharsets.UTF_8))
                    ? Verdict.ALLOWED : Verdict.UNAUTHENTICATED;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Verdict.UNAUTHENTICATED;
        }
        Identity identity;
        try {
            identity = verifier.verify(authorization.substring(7).trim());
        } catch (AuthenticationException e) {
            return Verdict.UNAUTHENTICATED;
        }
        return identity.hasRole(Access.ADMIN_ROLE) ? Verdict.ALLOWED : Verdict.FORBIDDEN;
    }
}
