package com.aegisx.ws.server.http;

import com.aegisx.ws.server.auth.Access;
import com.aegisx.ws.server.auth.AuthenticationException;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.TokenVerifier;
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
