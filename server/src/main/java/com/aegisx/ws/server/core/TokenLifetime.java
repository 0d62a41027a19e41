package com.aegisx.ws.server.core;

import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Timestamps;
import com.aegisx.ws.server.auth.AuthenticationException;
import com.aegisx.ws.server.auth.ChannelAccessPolicy;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.metrics.InternalErrors;
import com.aegisx.ws.server.security.SecuritySettings;
import com.aegisx.ws.server.security.TokenBucket;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifetime of the token a socket was opened with: a {@code token_expiring} warning before it
 * ends, {@code refresh_token} to replace it (subscriptions the new roles no longer allow are
 * dropped, except what a backend subscribed the socket to), close {@link CloseCodes#TOKEN_EXPIRED}
 * when it ends.
 */
public final class TokenLifetime {

    private static final Logger log = LoggerFactory.getLogger(TokenLifetime.class);

    private final SecuritySettings settings;
    private final JwtAuthenticator authenticator;
    private final ChannelAccessPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong expiredCloses = new AtomicLong();
    /**
     * Striped locks for the timer field of a connection: not the connection's own monitor (no work
     * runs under that, see the package's threading rule), and no lock object per socket.
     */
    private final Object[] timerLocks = new Object[64];

    public TokenLifetime(SecuritySettings settings, JwtAuthenticator authenticator, ChannelAccessPolicy policy,
                         ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.policy = policy;
        this.scheduler = scheduler;
        for (int i = 0; i < timerLocks.length; i++) {
            timerLocks[i] = new Object();
        }
    }

    private Object timerLock(LocalConnection connection) {
        return timerLocks[Math.floorMod(connection.id().hashCode(), timerLocks.length)];
    }

    /** Starts watching the connection's token expiry; call once the connection is open. */
    public void opened(LocalConnection connection) {
        schedule(connection, connection.identity());
    }

    public void closed(LocalConnection connection) {
        cancel(connection);
    }

    /**
     * At most one pending timer per connection (held in a field, not a map): the warning, which then
     * arms the close. Two timers armed up front cost every idle socket a second scheduled task.
     *
     * <p>A timer is armed only when the warning is due within {@link ConnectionGuard#TIMER_HORIZON}; a token that
     * lives longer (hours, typically) gets its timer from {@link #armDueTimers}, which the node runs
     * every half horizon. A scheduled task (~140 bytes with its queue slot) per idle socket is thus
     * kept only for the sockets whose token ends soon (load-tests/README.md, idle).
     */
    private void schedule(LocalConnection connection, Identity identity) {
        synchronized (timerLock(connection)) {
            cancel(connection);
            arm(connection, identity, System.currentTimeMillis());
        }
    }

    /** Arms the warning timer if it is due within the horizon; call holding the connection's timer lock. */
    private void arm(LocalConnection connection, Identity identity, long now) {
        Instant deadline = authenticator.expiryWithLeeway(identity);
        if (deadline == null) {
            return;
        }
        long delay = identity.expiresAt().toEpochMilli() - settings.expiryWarning().toMillis() - now;
        if (delay > ConnectionGuard.TIMER_HORIZON.toMillis()) {
            return;
        }
        connection.expiryTimer(scheduler.schedule(() -> warn(connection, identity, deadline),
                Math.max(0, delay), TimeUnit.MILLISECONDS));
    }

    /**
     * Arms the timers of open connections whose warning is now due within the horizon. The node
     * calls it every {@code TIMER_HORIZON / 2}, so every timer is armed at least that long ahead.
     */
    public void armDueTimers(Iterable<LocalConnection> connections) {
        long now = System.currentTimeMillis();
        for (LocalConnection connection : connections) {
            if (connection.expiryTimer() != null || connection.identity().expiresAt() == null) {
                continue; // armed (or fired) already, or nothing to watch; a racy read, checked again below
            }
            synchronized (timerLock(connection)) {
                // opened() cancels and re-arms, closed() cancels: arming here before the one or after
                // the other (a closed socket is not open) changes nothing.
                if (connection.expiryTimer() == null && connection.isOpen()) {
                    arm(connection, connection.identity(), now);
                }
            }
        }
    }

    private void cancel(LocalConnection connection) {
        synchronized (timerLock(connection)) {
            ScheduledFuture<?> timer = connection.expiryTimer();
            if (timer != null) {
                timer.cancel(false);
                connection.expiryTimer(null);
            }
        }
    }

    private void warn(LocalConnection connection, Identity identity, Instant deadline) {
        synchronized (timerLock(connection)) {
            if (connection.identity() != identity || !connection.isOpen()) {
                return; // refreshed meanwhile (a new timer is armed), or gone
            }
            connection.expiryTimer(scheduler.schedule(() -> expire(connection, identity),
                    Math.max(0, deadline.toEpochMilli() - System.currentTimeMillis()), TimeUnit.MILLISECONDS));
        }
        ObjectNode out = Replies.message(ConnectionGuard.TOKEN_EXPIRING, null);
        out.put("expiresAt", Timestamps.format(identity.expiresAt()));
        out.put("message", "Your token expires soon; send {\"type\":\"refresh_token\",\"token\":\"...\"}");
        connection.send(Replies.stamped(out));
    }

    private void expire(LocalConnection connection, Identity identity) {
        if (connection.identity() != identity || !connection.isOpen()) {
            return;
        }
        expiredCloses.incrementAndGet();
        log.info("Token expired connectionId={} userId={}; closing with {}", connection.id(), connection.userId(),
                CloseCodes.TOKEN_EXPIRED);
        connection.close(CloseCodes.TOKEN_EXPIRED, "token expired");
    }

    /**
     * {@code {"type":"refresh_token","token":"..."}}: a fresh token of the same user replaces the
     * connection's identity (roles included) and its expiry. Subscriptions the new roles no longer
     * allow are dropped, each with an {@code unsubscribed} message carrying {@code reason: forbidden}.
     */
    public void refresh(LocalConnection connection, ConnectionHub hub, ObjectNode message, JsonNode id) {
        JsonNode tokenNode = message.get("token");
        if (tokenNode == null || !tokenNode.isTextual() || tokenNode.asText().isEmpty()) {
            connection.send(Replies.error(ErrorCodes.MISSING_FIELD, "token is required and must be a string", id));
            return;
        }
        Identity current = connection.identity();
        if (current.isAnonymous()) {
            connection.send(Replies.error(ErrorCodes.FORBIDDEN,
                    "An anonymous connection cannot be upgraded; reconnect with a token", id));
            return;
        }
        Identity fresh;
        try {
            fresh = authenticator.verify(tokenNode.asText());
        } catch (AuthenticationException e) {
            log.info("Refused refresh_token connectionId={} userId={}: {}", connection.id(),
                    LogSafe.text(current.userId()), e.reason());
            ObjectNode error = Replies.error(ErrorCodes.INVALID_TOKEN, e.getMessage(), id);
            error.put("reason", e.reason());
            connection.send(error);
            return;
        }
        if (!current.userId().equals(fresh.userId())) {
            log.warn("Refused refresh_token connectionId={} userId={}: token of another user", connection.id(),
                    current.userId());
            connection.send(Replies.error(ErrorCodes.FORBIDDEN, "The token belongs to another user", id));
            return;
        }
        connection.identity(fresh);
        schedule(connection, fresh);
        Set<String> granted = connection.granted();
        for (String channel : List.copyOf(connection.channels())) {
            // A backend's grant was never the rules' to give (NodeCommands, past them): a refresh
            // keeps it. Dropping it made every routine refresh end such subscriptions.
            if (!granted.contains(channel) && !policy.canSubscribe(fresh, channel).allowed()) {
                connection.serially(() -> hub.unsubscribe(connection, channel)).whenComplete((removed, error) -> {
                    if (error != null) {
                        InternalErrors.record("dropping a forbidden channel after refresh_token", error);
                    } else if (Boolean.TRUE.equals(removed)) {
                        connection.send(Replies.unsubscribed(channel, null).put("reason", ErrorCodes.FORBIDDEN));
                    }
                });
            }
        }
        ObjectNode out = Replies.message(ConnectionGuard.TOKEN_REFRESHED, id);
        if (fresh.expiresAt() != null) {
            out.put("expiresAt", Timestamps.format(fresh.expiresAt()));
        }
        log.info("Token refreshed connectionId={} userId={}", connection.id(), fresh.userId());
        connection.send(Replies.stamped(out));
    }

    public long expiredCloses() {
        return expiredCloses.get();
    }
}
