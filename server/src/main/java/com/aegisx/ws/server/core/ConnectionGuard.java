package com.aegisx.ws.server.core;

import java.time.Duration;

/**
 * What a node enforces on each open connection beyond the protocol itself, one job per class:
 * the inbound message rate ({@link InboundRate}) and the lifetime of the token the connection was
 * opened with ({@link TokenLifetime}); plus giving back the upgrade's reservation under the
 * connection limits when a socket closes before it registered. What may be subscribed is
 * {@link SubscriptionPolicy}'s decision.
 */
public final class ConnectionGuard {

    /** Message type sent shortly before the token of a connection expires. */
    public static final String TOKEN_EXPIRING = "token_expiring";
    /** Reply to a successful {@code refresh_token}. */
    public static final String TOKEN_REFRESHED = "token_refreshed";
    public static final String REFRESH_TOKEN = "refresh_token";
    /** How far ahead a token-expiry warning gets its timer; see {@link TokenLifetime#armDueTimers}. */
    public static final Duration TIMER_HORIZON = Duration.ofMinutes(10);

    private final InboundRate rate;
    private final TokenLifetime lifetime;
    private final ConnectionLimits limiter;

    public ConnectionGuard(com.aegisx.ws.server.security.SecuritySettings settings,
                           com.aegisx.ws.server.auth.JwtAuthenticator authenticator,
                           com.aegisx.ws.server.auth.ChannelAccessPolicy policy,
                           java.util.concurrent.ScheduledExecutorService scheduler, ConnectionLimits limiter) {
        this.rate = new InboundRate(settings);
        this.lifetime = new TokenLifetime(settings, authenticator, policy, scheduler);
        this.limiter = limiter;
    }

    /** See {@link InboundRate#admit}. */
    public boolean admit(LocalConnection connection) {
        return rate.admit(connection);
    }

    /** Starts watching the connection's token expiry; call once the connection is open. */
    public void opened(LocalConnection connection) {
        lifetime.opened(connection);
    }

    public void closed(LocalConnection connection) {
        lifetime.closed(connection);
    }

    public void armDueTimers(Iterable<LocalConnection> connections) {
        lifetime.armDueTimers(connections);
    }

    public void refresh(LocalConnection connection, ConnectionHub hub,
                        com.fasterxml.jackson.databind.node.ObjectNode message,
                        com.fasterxml.jackson.databind.JsonNode id) {
        lifetime.refresh(connection, hub, message, id);
    }

    /**
     * The socket is closed before it was ever registered (bad path): give back the places the gate
     * reserved under the connection limits, which the registry would otherwise have removed.
     */
    public void abandoned(LocalConnection connection) {
        if (limiter != null) {
            limiter.release(connection.id(), connection.userId(), connection.ip());
        }
    }

    public long rateLimited() {
        return rate.rateLimited();
    }

    public long rateLimitCloses() {
        return rate.rateLimitCloses();
    }

    public long expiredCloses() {
        return lifetime.expiredCloses();
    }
}
