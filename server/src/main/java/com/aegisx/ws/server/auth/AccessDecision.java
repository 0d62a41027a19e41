package com.aegisx.ws.server.auth;

/**
 * The outcome of a channel access check: allowed, or refused with a machine {@code code} and a
 * human {@code message} for the client's {@code error} reply.
 *
 * @param allowed whether the operation may proceed
 * @param code    {@code null} when allowed; otherwise {@link #AUTH_REQUIRED} (an anonymous connection
 *                asked for something a token would grant) or {@link #FORBIDDEN} (the identity is
 *                known and lacks the right)
 * @param message {@code null} when allowed; otherwise a short human message, e.g.
 *                "Authentication required for user channels"
 */
public record AccessDecision(boolean allowed, String code, String message) {

    public static final String AUTH_REQUIRED = "auth_required";
    public static final String FORBIDDEN = "forbidden";

    private static final AccessDecision ALLOW = new AccessDecision(true, null, null);

    public static AccessDecision allow() {
        return ALLOW;
    }

    public static AccessDecision authRequired(String message) {
        return new AccessDecision(false, AUTH_REQUIRED, message);
    }

    public static AccessDecision forbidden(String message) {
        return new AccessDecision(false, FORBIDDEN, message);
    }

    public boolean refused() {
        return !allowed;
    }
}
