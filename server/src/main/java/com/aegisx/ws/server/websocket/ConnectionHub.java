package com.aegisx.ws.server.websocket;

import com.aegisx.ws.client.events.LifecycleEvents;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.NodeCommand;
import com.aegisx.ws.protocol.RawStamp;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.server.cluster.ConnectionRegistry;
import com.aegisx.ws.server.metrics.NodeMetrics;
import com.aegisx.ws.server.redis.TopicSubscriptions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local sockets and what ties them to Redis: registration, subscriptions, delivery of
 * pub/sub messages, and commands from other nodes and services.
 */
public final class ConnectionHub {

    private static final Logger log = LoggerFactory.getLogger(ConnectionHub.class);
    /**
     * From this many local subscribers on, a message's frame is built in a direct buffer: one
     * allocation and copy per node instead of one copy per socket in the JDK's socket write. A
     * message for one or two sockets stays on the heap, where allocating is cheaper.
     */
    static final int DIRECT_FRAME_MIN_MEMBERS = 8;

    private final String nodeId;
    private final KeySchema keys;
    private final ConnectionRegistry registry;
    private final TopicSubscriptions topics;
    private final String inboxTopic;
    private final Map<String, LocalConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong malformedPayloads = new AtomicLong();
    private final AtomicLong memberFailures = new AtomicLong();
    private final Duration inactivityTimeout;
    private volatile boolean redisWritesEnabled = true;
    private volatile boolean draining;
    private volatile NodeMetrics metrics;
    private volatile LifecycleEvents events;

    public ConnectionHub(String nodeId, KeySchema keys, ConnectionRegistry registry, TopicSubscriptions topics,
                         Duration inactivityTimeout) {
        this.nodeId = nodeId;
        this.inactivityTimeout = inactivityTimeout;
        this.keys = keys;
        this.registry = registry;
        this.topics = topics;
        this.inboxTopic = keys.inbox(nodeId);
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

    public long malformedPayloads() {
        return malformedPayloads.get();
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
        LifecycleEvents sink = events;
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

    /** Where connects, subscriptions and disconnects are reported (null: LIFECYCLE_EVENTS is off). */
    public void events(LifecycleEvents events) {
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
            LifecycleEvents sink = events;
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
            LifecycleEvents sink = events;
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
        if (connections.remove(connection.id()) == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> channels = List.copyOf(connection.channels());
        for (String channel : channels) {
            topics.leave(keys.channelTopic(channel), connection);
        }
        if (connection.userId() != null) {
            topics.leave(keys.userTopic(connection.userId()), connection);
        }
        if (!redisWritesEnabled) {
            return CompletableFuture.completedFuture(null);
        }
        LifecycleEvents sink = events;
        return registry.remove(connection, channels).thenCompose(removed -> sink == null || !removed
                ? CompletableFuture.<Void>completedFuture(null)
                : report(sink.disconnected(connection.id(), nodeId, connection.userId(), code, reason, channels)))
                .exceptionally(error -> {
                    log.warn("Could not remove connectionId={} from Redis: {}", connection.id(), error.toString());
                    return null;
                });
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
     * Entry point of every pub/sub message this node receives: messages of one topic, oldest first,
     * on the topic's dispatch worker (more than one when the worker had a backlog). Each socket gets all of its frames of the batch together: all but
     * the last are queued in Jetty's batch mode, so they leave in one write with the last one.
     */
    public void onPubSubMessages(String topic, List<String> payloads) {
        if (topic.equals(inboxTopic)) {
            for (String payload : payloads) {
                onCommand(payload);
            }
            return;
        }
        Collection<LocalConnection> members = topics.members(topic);
        if (members.isEmpty()) {
            return;
        }
        String channel = keys.channelOfTopic(topic);
        boolean shared = members.size() >= DIRECT_FRAME_MIN_MEMBERS;
        List<Outgoing> batch = new ArrayList<>(payloads.size());
        for (String payload : payloads) {
            Outgoing out = prepare(topic, channel, payload, shared);
            if (out != null) {
                batch.add(out);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        for (LocalConnection member : members) {
            try {
                deliver(topic, channel, member, batch);
            } catch (RuntimeException e) {
                // One socket's interceptor, filter or write must never cut the fan-out short: the
                // members after it would silently miss the message (issue 10, item 1).
                memberFailed(topic, member, e);
            }
        }
        NodeMetrics meters = metrics;
        if (meters != null) {
            for (Outgoing out : batch) {
                meters.onDelivered(out.sent, out.frame.remaining());
            }
        }
    }

    /** The batch to one member: through its route's interceptor, or the shared frames as they are. */
    private void deliver(String topic, String channel, LocalConnection member, List<Outgoing> batch) {
        if (member.interceptor() != null) {
            for (Outgoing out : batch) {
                deliverIntercepted(topic, channel, member, out);
            }
            return;
        }
        int last = batch.size() - 1;
        while (last >= 0 && batch.get(last).skips(member)) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            Outgoing out = batch.get(i);
            if (!out.skips(member) && member.send(out.frame, i < last)) {
                out.sent++;
            }
        }
    }

    private void memberFailed(String topic, LocalConnection member, RuntimeException e) {
        long count = memberFailures.incrementAndGet();
        if (count <= 10 || count % 1000 == 0) {
            log.warn("Delivery to connectionId={} on {} failed ({} so far); the other sockets still get it",
                    member.id(), topic, count, e);
        }
    }

    /** Deliveries to one socket that threw (a bug in a route's interceptor, typically); 0 when healthy. */
    public long memberFailures() {
        return memberFailures.get();
    }

    /** One message ready for the sockets: its text and frame, its parsed form (null until a route needs it). */
    private static final class Outgoing {
        /** The text clients receive (stamped). */
        final String payload;
        final ByteBuffer frame;
        final String exclude;
        ObjectNode message;
        boolean unparsable;
        int sent;

        Outgoing(String payload, ByteBuffer frame, String exclude, ObjectNode message) {
            this.payload = payload;
            this.frame = frame;
            this.exclude = exclude;
            this.message = message;
        }

        boolean skips(LocalConnection member) {
            return exclude != null && exclude.equals(member.id());
        }
    }

    /**
     * Decodes, stamps and encodes one payload once for every socket; null when it is malformed.
     * {@code shared}: the frame goes to many sockets, so it is put in a direct buffer once; the
     * socket write would otherwise copy a heap buffer into a temporary direct one per socket.
     */
    private Outgoing prepare(String topic, String channel, String payload, boolean shared) {
        NodeMetrics meters = metrics;
        int stampedAt = WireFormat.stampedTimestampAt(payload, channel);
        if (stampedAt >= 0) {
            // Fast path: the publisher client already wrote the payload exactly as clients must get
            // it (channel and timestamp first), so it is forwarded without a parse and re-encode.
            if (meters != null) {
                meters.onPubSubMessage(channel != null,
                        payload.substring(stampedAt, stampedAt + WireFormat.TIMESTAMP_LENGTH));
            }
            return new Outgoing(payload, frame(payload.getBytes(StandardCharsets.UTF_8), shared), null, null);
        }
        RawStamp.Stamped stamped;
        try {
            // Stamped in the text, not re-encoded: the publisher's numbers reach clients as written.
            stamped = RawStamp.stamp(payload, channel);
        } catch (IllegalArgumentException e) {
            malformed(topic, e);
            return null;
        }
        if (meters != null) {
            meters.onPubSubMessage(channel != null, stamped.timestamp());
        }
        return new Outgoing(stamped.text(), frame(stamped.text().getBytes(StandardCharsets.UTF_8), shared),
                stamped.excludeConnection(), null);
    }

    /** A socket whose route takes over delivery (filters, conflation). */
    private void deliverIntercepted(String topic, String channel, LocalConnection member, Outgoing out) {
        if (out.skips(member) || out.unparsable) {
            return;
        }
        if (out.message == null) {
            // Routes that filter or conflate need the tree: parsed once, only when one is here.
            try {
                out.message = Json.parseObject(out.payload);
            } catch (IllegalArgumentException e) {
                out.unparsable = true; // skipped for every intercepting socket, counted once
                malformed(topic, e);
                return;
            }
        }
        if (!member.interceptor().intercept(member, channel, out.message, out.frame) && member.send(out.frame)) {
            out.sent++;
        }
    }

    /** Where the fan-out counts what it receives and writes (GET /metrics); null: not counted. */
    public void metrics(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    private void onCommand(String payload) {
        NodeCommand command;
        try {
            command = NodeCommand.decode(payload);
        } catch (IllegalArgumentException e) {
            malformed(inboxTopic, e);
            return;
        }
        if (command.op() == NodeCommand.Op.CLEANUP) {
            closeInactive(null);
            return;
        }
        LocalConnection connection = connections.get(command.connectionId());
        if (connection == null) {
            log.debug("Command {} for unknown connectionId={}", command.op(), command.connectionId());
            return;
        }
        switch (command.op()) {
            case SEND -> connection.send(encode(WireFormat.stamp(command.message(), null)));
            case SUBSCRIBE -> connection.serially(() -> subscribe(connection, command.channel()))
                    .whenComplete((added, error) -> connection.send(error == null
                            ? Replies.subscribed(command.channel(), null).put("by", "server")
                            : Replies.error(ErrorCodes.UNAVAILABLE,
                                    "subscription to " + command.channel() + " failed", null)));
            case UNSUBSCRIBE -> connection.serially(() -> unsubscribe(connection, command.channel()))
                    .whenComplete((removed, error) -> {
                        if (error == null && Boolean.TRUE.equals(removed)) {
                            connection.send(Replies.unsubscribed(command.channel(), null).put("by", "server"));
                        }
                    });
            case DISCONNECT -> connection.close(
                    command.code() >= 4000 && command.code() < 5000 || command.code() == 1000
                            ? command.code() : CloseCodes.DISCONNECTED_BY_SERVER,
                    command.reason() == null ? "disconnected by server" : command.reason());
            default -> { }
        }
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

    /** After a simulated crash: sockets closing from now on leave Redis untouched, as after kill -9. */
    public void disableRedisWrites() {
        redisWritesEnabled = false;
    }

    private static ByteBuffer frame(byte[] utf8, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(utf8.length).put(utf8).flip() : ByteBuffer.wrap(utf8);
    }

    static ByteBuffer encode(ObjectNode message) {
        return ByteBuffer.wrap(Json.write(message).getBytes(StandardCharsets.UTF_8));
    }

    private void malformed(String topic, IllegalArgumentException e) {
        long count = malformedPayloads.incrementAndGet();
        if (count <= 10 || count % 1000 == 0) {
            log.warn("Dropped a malformed payload on {} ({} so far): {}", topic, count, e.getMessage());
        }
    }
}
