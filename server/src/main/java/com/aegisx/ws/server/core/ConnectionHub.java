package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.KeySchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's table of local sockets and what ties each to the cluster: registration in the
 * {@link ConnectionIndex}, its topics in the membership table ({@link TopicSubscriptions}, which
 * holds the {@link Broker} subscriptions), subscribe with rollback, activity and inactivity.
 * Delivery is {@link FanOut}'s job, the node inbox {@link NodeCommands}', and what a client may
 * subscribe to {@link SubscriptionPolicy}'s.
 */
public final class ConnectionHub {

    private static final Logger log = LoggerFactory.getLogger(ConnectionHub.class);
    private final String nodeId;
    private final KeySchema keys;
    private final ConnectionIndex registry;
    private final TopicSubscriptions topics;
    private final Map<String, LocalConnection> connections = new ConcurrentHashMap<>();
    /** Removals from Redis sent and not yet answered (a node that stops waits for them before it closes Redis). */
    private final Set<CompletableFuture<Void>> removing = ConcurrentHashMap.newKeySet();
    private final Duration inactivityTimeout;
    private volatile boolean draining;
    private volatile LifecycleSink events;

    public ConnectionHub(String nodeId, KeySchema keys, ConnectionIndex registry, TopicSubscriptions topics,
                         Duration inactivityTimeout) {
        this.nodeId = nodeId;
        this.inactivityTimeout = inactivityTimeout;
        this.keys = keys;
        this.registry = registry;
        this.topics = topics;
    }

    public String nodeId() {
        return nodeId;
    }

    public KeySchema keys() {
        return keys;
    }

    public TopicSubscriptions topics() {
        return topics;
    }

    public LocalConnection get(String connectionId) {
        return connections.get(connectionId);
    }

    public Collection<LocalConnection> connections() {
        return connections.values();
    }

    public int size() {
        return connections.size();
    }

    /** Thrown (in a future) by {@link #open} once the node drains: the socket must close with 1012. */
    public static final class DrainingException extends IllegalStateException {
        public DrainingException() {
            super("node is draining");
        }
    }

    /**
     * The node drains: from now on {@link #open} refuses sockets. Returns the sockets open at this
     * moment; any socket not among them sees the drain in {@link #open} (it checks after adding
     * itself, this method reads after setting the flag), so none slips between the two.
     */
    public List<LocalConnection> startDrain() {
        draining = true;
        return List.copyOf(connections.values());
    }

    /** The removals from Redis still under way, of sockets that closed on their own as well (for the drain). */
    public List<CompletableFuture<Void>> removalsUnderWay() {
        return List.copyOf(removing);
    }

    public boolean isDraining() {
        return draining;
    }

    /** Registers the socket in Redis and listens on its user's topic; completes when both are confirmed. */
    public CompletableFuture<Void> open(LocalConnection connection) {
        connections.put(connection.id(), connection);
        if (draining) {
            return CompletableFuture.failedFuture(new DrainingException());
        }
        List<CompletableFuture<?>> steps = new ArrayList<>();
        steps.add(registry.register(connection));
        if (connection.userId() != null) {
            steps.add(topics.join(keys.userTopic(connection.userId()), connection));
        }
        CompletableFuture<Void> registered = CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .thenRun(connection::markRegistered);
        LifecycleSink sink = events;
        return sink == null ? registered : registered.thenCompose(ignored -> report(
                sink.connected(connection.id(), nodeId, connection.userId())));
    }

    /** Lifecycle events are reported, never allowed to fail the operation that caused them. */
    private static CompletableFuture<Void> report(CompletableFuture<Void> written) {
        return written.exceptionally(error -> {
            log.warn("Could not write a lifecycle event: {}", error.toString());
            return null;
        });
    }

    /**
     * Who else hears of connects, subscriptions and disconnects (channel presence; null: nobody).
     * The lifecycle stream is not here: the index writes it with each change.
     */
    public void events(LifecycleSink events) {
        this.events = events;
    }

    /** Completes with true when the socket was newly subscribed, false when it already was. */
    public CompletableFuture<Boolean> subscribe(LocalConnection connection, String channel) {
        if (connections.get(connection.id()) != connection) {
            // Closed already: a subscribe still queued behind the close would write index entries
            // that nothing removes any more (found by HostileFramesIT).
            return CompletableFuture.completedFuture(false);
        }
        if (!connection.addChannel(channel)) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Void> listening = topics.join(keys.channelTopic(channel), connection);
        CompletableFuture<Void> indexed = registry.addChannel(connection.id(), channel);
        return CompletableFuture.allOf(listening, indexed).handle((ignored, error) -> {
            if (error != null) {
                connection.removeChannel(channel);
                topics.leave(keys.channelTopic(channel), connection);
                registry.removeChannel(connection.id(), channel);
                throw new IllegalStateException("subscription to " + channel + " failed", error);
            }
            log.debug("Subscribed connectionId={} channel={}", connection.id(), channel);
            return true;
        }).thenCompose(added -> {
            LifecycleSink sink = events;
            return sink == null ? CompletableFuture.completedFuture(added)
                    : report(sink.subscribed(connection.id(), nodeId, connection.userId(), channel)).thenApply(x -> added);
        });
    }

    /** Completes with true when the socket was subscribed, false when it was not. */
    public CompletableFuture<Boolean> unsubscribe(LocalConnection connection, String channel) {
        if (!connection.removeChannel(channel)) {
            return CompletableFuture.completedFuture(false);
        }
        topics.leave(keys.channelTopic(channel), connection);
        return registry.removeChannel(connection.id(), channel).thenCompose(ignored -> {
            log.debug("Unsubscribed connectionId={} channel={}", connection.id(), channel);
            LifecycleSink sink = events;
            return sink == null ? CompletableFuture.completedFuture(true)
                    : report(sink.unsubscribed(connection.id(), nodeId, connection.userId(), channel)).thenApply(x -> true);
        });
    }

    /** The socket is gone: forget it locally and remove it from every index in Redis. */
    public CompletableFuture<Void> closed(LocalConnection connection) {
        return closed(connection, CloseCodes.SERVICE_RESTART, "service restart");
    }

    /** As {@link #closed(LocalConnection)}, with the close code and reason for the lifecycle event. */
    public CompletableFuture<Void> closed(LocalConnection connection, int code, String reason) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> underWay = connection.claimRemoval(done);
        if (underWay != null) {
            // Closed on another path already (the socket's own close, the node's drain): the same
            // removal, so a caller that waits (the drain, before it closes Redis) waits for it.
            return underWay;
        }
        if (connections.remove(connection.id()) == null) {
            done.complete(null);
            return done;
        }
        removing.add(done);
        done.whenComplete((ignored, error) -> removing.remove(done));
        List<String> channels = List.copyOf(connection.channels());
        for (String channel : channels) {
            topics.leave(keys.channelTopic(channel), connection);
        }
        if (connection.userId() != null) {
            topics.leave(keys.userTopic(connection.userId()), connection);
        }
        LifecycleSink sink = events;
        try {
            registry.remove(connection, channels, code, reason).thenCompose(removed -> sink == null || !removed
                    ? CompletableFuture.<Void>completedFuture(null)
                    : report(sink.disconnected(connection.id(), nodeId, connection.userId(), code, reason, channels)))
                    .exceptionally(error -> {
                        log.warn("Could not remove connectionId={} from Redis: {}", connection.id(), error.toString());
                        return null;
                    })
                    .thenRun(() -> done.complete(null));
        } catch (RuntimeException e) {
            done.complete(null); // nobody waits forever for a removal that never started
            throw e;
        }
        return done;
    }

    /** Writes every local socket into Redis again, after Redis lost them (outage, sweep while cut off). */
    public CompletableFuture<Void> reregisterAll() {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (LocalConnection connection : connections.values()) {
            // In the connection's chain, and only while it is still here: a socket that closed
            // meanwhile was removed from Redis and must not be written back.
            writes.add(connection.serially(() -> connections.containsKey(connection.id())
                    ? registry.register(connection)
                    : CompletableFuture.completedFuture(null)));
        }
        log.info("Re-registering {} connections in Redis", writes.size());
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /**
     * Closes sockets that sent nothing, not even a pong, for longer than {@code timeout} (null:
     * WEBSOCKET_CONNECTION_TIMEOUT). Returns how many were closed.
     */
    public int closeInactive(Duration timeout) {
        Duration limit = timeout != null ? timeout : inactivityTimeout;
        long deadline = System.currentTimeMillis() - limit.toMillis();
        int closed = 0;
        for (LocalConnection connection : connections.values()) {
            if (connection.lastSeenMillis() < deadline) {
                log.info("Closing inactive connectionId={} userId={} after {} ms of silence",
                        connection.id(), connection.userId(), limit.toMillis());
                connection.close(CloseCodes.INACTIVE, "inactive");
                closed++;
            }
        }
        return closed;
    }

    public CompletableFuture<Void> flushActivity() {
        List<LocalConnection> active = new ArrayList<>();
        for (LocalConnection connection : connections.values()) {
            if (connection.isRegistered() && connection.takeActivityToFlush()) {
                active.add(connection);
            }
        }
        return active.isEmpty() ? CompletableFuture.completedFuture(null) : registry.flushActivity(active);
    }

}
