package com.aegisx.ws.server.auth;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Who is on the other end of a connection, as established at the HTTP upgrade.
 *
 * <p>Immutable; the role set is copied so a caller cannot change it after the fact. An identity
 * never holds the token it came from, so it can be logged and stored in Redis freely.
 *
 * @param userId    the verified user id, or {@code null} for an anonymous connection
 * @param roles     the roles granted by the token (never null, possibly empty)
 * @param expiresAt when the token stops being valid, or {@code null} when it never expires
 *                  (anonymous identities, tokens without {@code exp})
 */
public record Identity(String userId, Set<String> roles, Instant expiresAt) {

    private static final Identity ANONYMOUS = new Identity(null, Set.of(), null);

    public Identity {
        if (userId != null && userId.isBlank()) {
            // A blank id would look authenticated yet own no channel; treat it as a programming error.
            throw new IllegalArgumentException("userId must be null (anonymous) or non-blank");
        }
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }

    /** An identity with no user, no roles and no expiry. */
    public static Identity anonymous() {
        return ANONYMOUS;
    }

    /** A user with roles and no expiry; mainly for tests and server-side (trusted) callers. */
    public static Identity user(String userId, String... roles) {
        return new Identity(userId, new HashSet<>(Arrays.asList(roles)), null);
    }

    public boolean isAnonymous() {
        return userId == null;
    }

    public boolean hasRole(String role) {
        return role != null && roles.contains(role);
    }

    /** True when the token behind this identity has expired at {@code now}; never for no expiry. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
