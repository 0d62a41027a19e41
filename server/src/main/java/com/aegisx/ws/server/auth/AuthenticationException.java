package com.aegisx.ws.server.auth;

import java.util.Objects;

/**
 * A token, or its absence, was refused. Maps to HTTP 401 at the upgrade (or to an {@code error}
 * reply for an in-connection {@code refresh_token}).
 *
 * <p>The message is written by this package and never contains the token, nor text from the JWT
 * library (whose messages may quote decoded token parts). For the same reason no cause is attached.
 * The stack trace is not filled in: a refusal is an expected outcome that any hostile client can
 * trigger at will, not a bug to debug, so it should cost as little as possible.
 */
public final class AuthenticationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final AuthFailure failure;

    public AuthenticationException(AuthFailure failure, String message) {
        super(message, null, false, false);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    public AuthFailure failure() {
        return failure;
    }

    /** The short machine reason, e.g. {@code token_expired}. */
    public String reason() {
        return failure.code();
    }

    @Override
    public String toString() {
        return "AuthenticationException[" + failure.code() + "]: " + getMessage();
    }
}
