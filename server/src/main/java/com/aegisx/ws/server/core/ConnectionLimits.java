package com.aegisx.ws.server.core;

import java.util.concurrent.CompletableFuture;

/**
 * Port: cluster-wide connection limits per user and per client address
 * ({@code redis/ConnectionLimiter}), reserved at the upgrade under the id the connection will have.
 */
public interface ConnectionLimits {

    /** Why an upgrade was refused. */
    enum Refusal {
        USER_LIMIT("too many connections for this user"),
        IP_LIMIT("too many connections from this address");

        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    boolean enabled();

    /** Completes with null when both places were reserved, else with the refusal (and nothing reserved). */
    CompletableFuture<Refusal> reserve(String connectionId, String userId, String ip);

    /** Gives back a reservation whose upgrade did not open a socket. */
    CompletableFuture<Void> release(String connectionId, String userId, String ip);
}
