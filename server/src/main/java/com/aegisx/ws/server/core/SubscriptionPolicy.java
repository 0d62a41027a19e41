package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.auth.ChannelAccessPolicy;
import com.aegisx.ws.server.auth.LogSafe;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door through which every subscription of a socket is added, whoever asks for it: a
 * client's {@code subscribe}, a route's own message ({@code subscribe_template}), a route's
 * automatic subscriptions, or a backend's command in the node inbox. The {@link Origin} says
 * which checks apply, so a new route cannot forget the channel rules or the per-socket limit.
 */
public final class SubscriptionPolicy {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionPolicy.class);

    /** Who asked, which decides what is checked. */
    public enum Origin {
        /** A frame from the client: CHANNEL_RULES and WEBSOCKET_MAX_SUBSCRIPTIONS. */
        CLIENT,
        /** A route's automatic subscription on connect: CHANNEL_RULES only (the route picks few, fixed channels). */
        ROUTE,
        /**
         * A resume restoring the client's own channels: CHANNEL_RULES only, under the new
         * connection's identity (the restore keeps WEBSOCKET_MAX_SUBSCRIPTIONS itself).
         */
        RESUME,
        /** A trusted writer (manager, publisher client, a route that decided access itself): no check. */
        SERVER
    }

    /** What became of a request. */
    public record Outcome(boolean added, String code, String message) {
        static final Outcome ADDED = new Outcome(true, null, null);
        static final Outcome ALREADY = new Outcome(false, null, null);

        static Outcome refused(String code, String message) {
            return new Outcome(false, code, message);
        }

        public boolean refused() {
            return code != null;
        }
    }

    /** How an admitted subscription is made: {@link ConnectionHub#subscribe}, or a history replay ({@link Recovery}). */
    @FunctionalInterface
    public interface Subscriber {
        /** Completes with whether the socket was newly subscribed. */
        CompletableFuture<Boolean> subscribe(LocalConnection connection, String channel);
    }

    private final ConnectionHub hub;
    private final ChannelAccessPolicy rules;
    private final int maxSubscriptions;

    public SubscriptionPolicy(ConnectionHub hub, ChannelAccessPolicy rules, int maxSubscriptions) {
        this.hub = hub;
        this.rules = rules;
        this.maxSubscriptions = maxSubscriptions;
    }

    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    /** The channel-rule check alone (what a route shows or refuses before it subscribes). */
    public AccessDecision access(LocalConnection connection, String channel) {
        return rules.canSubscribe(connection.identity(), channel);
    }

    /**
     * Checks and subscribes in the connection's serial chain, so the answer comes in the order of
     * the requests. Fails (exceptionally) only when the broker or the index failed; then nothing
     * is left subscribed.
     */
    public CompletableFuture<Outcome> subscribe(LocalConnection connection, String channel, Origin origin) {
        return subscribe(connection, channel, origin, hub::subscribe);
    }

    /** The same, the subscription itself made by {@code subscriber} once the checks passed. */
    public CompletableFuture<Outcome> subscribe(LocalConnection connection, String channel, Origin origin,
                                                Subscriber subscriber) {
        Outcome refused = checkAccess(connection, channel, origin);
        return refused != null ? CompletableFuture.completedFuture(refused)
                : connection.serially(() -> admitted(connection, channel, origin, subscriber));
    }

    /**
     * The same, for a caller already inside the connection's serial chain (a route's
     * {@code onRegistered}): chaining again there would wait for itself.
     */
    public CompletableFuture<Outcome> subscribeInChain(LocalConnection connection, String channel, Origin origin) {
        return subscribeInChain(connection, channel, origin, hub::subscribe);
    }

    /** The same, the subscription itself made by {@code subscriber}. */
    public CompletableFuture<Outcome> subscribeInChain(LocalConnection connection, String channel, Origin origin,
                                                       Subscriber subscriber) {
        Outcome refused = checkAccess(connection, channel, origin);
        return refused != null ? CompletableFuture.completedFuture(refused)
                : admitted(connection, channel, origin, subscriber);
    }

    /** The channel rules for {@code origin}: null when allowed, else the refusal (logged). */
    private Outcome checkAccess(LocalConnection connection, String channel, Origin origin) {
        if (origin == Origin.SERVER) {
            return null;
        }
        AccessDecision decision = access(connection, channel);
        if (decision.allowed()) {
            return null;
        }
        log.info("Refused subscription connectionId={} userId={} channel={} code={} origin={}",
                connection.id(), LogSafe.text(connection.userId()), channel, decision.code(), origin);
        return Outcome.refused(decision.code(), decision.message());
    }

    private CompletableFuture<Outcome> admitted(LocalConnection connection, String channel, Origin origin,
                                                Subscriber subscriber) {
        if (origin == Origin.CLIENT && !connection.channels().contains(channel)
                && connection.channels().size() >= maxSubscriptions) {
            return CompletableFuture.completedFuture(Outcome.refused(ErrorCodes.SUBSCRIPTION_LIMIT,
                    "At most " + maxSubscriptions + " subscriptions per connection"));
        }
        return subscriber.subscribe(connection, channel).thenApply(added -> added ? Outcome.ADDED : Outcome.ALREADY);
    }
}
