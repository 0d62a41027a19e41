package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.RawStamp;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.server.metrics.FanoutMetrics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Broker.Listener} of a node: every message the broker delivers enters here, on the
 * topic's dispatch worker. Node commands go to {@link NodeCommands}; anything else is decoded,
 * stamped and encoded once, then written to every local member of the topic.
 *
 * <p>One member never disturbs the others: whatever a member's interceptor or outbound throws is
 * logged and counted, and the fan-out goes on with the next member.
 */
public final class FanOut implements Broker.Listener {

    private static final Logger log = LoggerFactory.getLogger(FanOut.class);
    private final KeySchema keys;
    private final TopicSubscriptions topics;
    private final String inboxTopic;
    private final NodeCommands commands;
    private final FanoutMetrics metrics;
    private final AtomicLong malformedPayloads = new AtomicLong();
    private final AtomicLong memberFailures = new AtomicLong();
    private final AtomicLong droppedParts = new AtomicLong();
    private volatile Conflation conflation;
    private volatile FanOutSplit split = new FanOutSplit(DispatchWorkers.NONE, 0);

    public FanOut(KeySchema keys, String nodeId, TopicSubscriptions topics, NodeCommands commands,
                  FanoutMetrics metrics) {
        this.keys = keys;
        this.topics = topics;
        this.inboxTopic = keys.inbox(nodeId);
        this.commands = commands;
        this.metrics = metrics;
    }

    /**
     * Splits the fan-out of every topic with at least {@code minMembers} local members across
     * {@code workers}, so the cores write to its sockets in parallel (DISPATCH_SPLIT_MIN_MEMBERS;
     * 0: never). Until called, every fan-out runs whole on its dispatch worker.
     */
    public void splitAcross(DispatchWorkers workers, int minMembers) {
        this.split = new FanOutSplit(workers, minMembers);
    }

    /** Forgets the split state of topics the node no longer listens to (called now and then). */
    public void retain(Predicate<String> subscribed) {
        split.retain(subscribed);
    }

    /** Topics whose fan-out is split across the dispatch workers now. */
    public int splitTopics() {
        return split.splitTopics();
    }

    /** Parts of a split fan-out not written because their worker's queue was full. */
    public long droppedParts() {
        return droppedParts.get();
    }

    public long malformedPayloads() {
        return malformedPayloads.get();
    }

    /** Members whose delivery threw (the others still got the message). */
    public long memberFailures() {
        return memberFailures.get();
    }

    /**
     * Messages of one topic, oldest first, on the topic's dispatch worker (more than one when the
     * worker had a backlog). Each socket gets all of its frames of the batch together: all but
     * the last are queued in batch mode, so they leave in one write with the last one.
     */
    @Override
    public void onMessages(String topic, List<String> payloads) {
        if (topic.equals(inboxTopic)) {
            for (String payload : payloads) {
                try {
                    commands.execute(payload);
                } catch (IllegalArgumentException e) {
                    malformed(topic, e);
                }
            }
            return;
        }
        Collection<LocalConnection> members = topics.members(topic);
        if (members.isEmpty()) {
            return;
        }
        String channel = keys.channelOfTopic(topic);
        List<Outgoing> batch = new ArrayList<>(payloads.size());
        for (String payload : payloads) {
            Outgoing out = prepare(topic, channel, payload);
            if (out != null) {
                batch.add(out);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        Conflation latest = conflation;
        Conflation conflated = latest != null && latest.covers(channel) ? latest : null;
        FanOutSplit current = split;
        List<LocalConnection> own = current.queueParts(topic, members,
                parts -> queueParts(current.workers(), parts, topic, channel, batch, conflated));
        // The own part is written after the split is let go: the keep-alive need not wait for it, and
        // this topic's next message comes after it on this thread anyway.
        deliverAll(topic, channel, own == null ? members : own, batch, conflated);
    }

    private void deliverAll(String topic, String channel, Collection<LocalConnection> members,
                            List<Outgoing> batch, Conflation conflated) {
        for (LocalConnection member : members) {
            try {
                deliver(topic, channel, member, batch, conflated);
            } catch (RuntimeException e) {
                memberFailed(topic, member, e);
            }
        }
        for (Outgoing out : batch) {
            metrics.onDelivered(out.sent, out.frame.remaining());
        }
    }

    /**
     * Hands each part to its worker, except the calling worker's own part when no part of this topic
     * waits in its own queue: that one it returns, to write itself (else it is queued too, behind
     * the waiting one, and the result is empty). Each queued part gets its own copies of the
     * messages (their counters and parsed form are per thread); the frames are shared, read-only.
     */
    private List<LocalConnection> queueParts(DispatchWorkers workers, FanOutSplit.Split topicSplit, String topic,
                                             String channel, List<Outgoing> batch, Conflation conflated) {
        int self = workers.current();
        boolean ownPartHere = self >= 0 && topicSplit.queued.get(self) == 0;
        List<List<LocalConnection>> parts = topicSplit.parts();
        for (int worker = 0; worker < parts.size(); worker++) {
            List<LocalConnection> part = parts.get(worker);
            if (part.isEmpty() || (worker == self && ownPartHere)) {
                continue;
            }
            List<Outgoing> copies = new ArrayList<>(batch.size());
            for (Outgoing out : batch) {
                copies.add(out.copy());
            }
            int on = worker;
            topicSplit.queued.incrementAndGet(on);
            boolean queued = workers.submit(on, () -> {
                try {
                    deliverAll(topic, channel, part, copies, conflated);
                } finally {
                    topicSplit.queued.decrementAndGet(on);
                }
            });
            if (!queued) {
                topicSplit.queued.decrementAndGet(on);
                long count = droppedParts.incrementAndGet();
                if (count <= 10 || count % 1000 == 0) {
                    log.warn("Dispatch worker {} is full: {} of {}'s sockets miss a message ({} parts dropped so far)",
                            worker, part.size(), topic, count);
                }
            }
        }
        return ownPartHere ? parts.get(self) : List.of();
    }

    /** Latest-value channels (CONFLATE_CHANNELS); null: none. */
    public void conflation(Conflation conflation) {
        this.conflation = conflation;
    }

    /** {@code conflated}: the channel's conflation when it is a latest-value channel, else null. */
    private void deliver(String topic, String channel, LocalConnection member, List<Outgoing> batch,
                         Conflation conflated) {
        // Only this channel's own buffer (a replay not yet joined to live) needs the slow path: one of
        // the socket's other channels buffering must not take conflation and batching from this one.
        if (member.interceptor() != null || member.buffer(channel) != null) {
            // Through the channel's conflation when it has one: a route's own sends must not bypass it.
            ChannelSend send = conflated != null ? conflated : ChannelSend.DIRECT;
            for (Outgoing out : batch) {
                deliverIntercepted(topic, channel, member, out, send);
            }
            return;
        }
        if (conflated != null) {
            // Only the newest of the batch can matter to a socket that is behind; one that is not
            // gets them all, in order.
            for (Outgoing out : batch) {
                if (!out.skips(member) && conflated.sendOrHold(member, channel, out.frame)) {
                    out.sent++;
                }
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
            log.warn("Delivery on {} to connectionId={} failed ({} so far); the other members still get it",
                    topic, member.id(), count, e);
        }
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

        /** The same message for another thread: shared text and frame, its own counter and parsed form. */
        Outgoing copy() {
            return new Outgoing(payload, frame, exclude, null);
        }
    }

    /**
     * Decodes, stamps and encodes one payload once for every socket; null when it is malformed.
     * The transport frames it once per sending thread, in direct memory, and writes that frame to
     * every member.
     */
    private Outgoing prepare(String topic, String channel, String payload) {
        int stampedAt = WireFormat.stampedTimestampAt(payload, channel);
        if (stampedAt >= 0) {
            // Fast path: the publisher client already wrote the payload exactly as clients must get
            // it (channel and timestamp first), so it is forwarded without a parse and re-encode.
            metrics.onPubSubMessage(channel != null, payload, stampedAt);
            return new Outgoing(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), null, null);
        }
        RawStamp.Stamped stamped;
        try {
            // Stamped in the text, not re-encoded: the publisher's numbers reach clients as written.
            stamped = RawStamp.stamp(payload, channel);
        } catch (IllegalArgumentException e) {
            malformed(topic, e);
            return null;
        }
        metrics.onPubSubMessage(channel != null, stamped.timestamp());
        return new Outgoing(stamped.text(), ByteBuffer.wrap(stamped.text().getBytes(StandardCharsets.UTF_8)),
                stamped.excludeConnection(), null);
    }

    /** A socket whose route takes over delivery (filters, conflation), or whose channel replays history. */
    private void deliverIntercepted(String topic, String channel, LocalConnection member, Outgoing out,
                                    ChannelSend send) {
        if (out.skips(member) || out.unparsable) {
            return;
        }
        ChannelBuffer buffer = member.buffer(channel);
        if (buffer != null) {
            ChannelBuffer.Decision decision = buffer.offer(out.payload, out.frame);
            if (decision != ChannelBuffer.Decision.SEND) {
                return;
            }
            member.stopBuffering(channel, buffer); // the first message after the replay: live from now on
        }
        if (member.interceptor() == null) {
            if (send.send(member, channel, out.frame, true)) {
                out.sent++;
            }
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
        if (!member.interceptor().intercept(member, channel, out.message, out.frame, send)
                && send.send(member, channel, out.frame, true)) {
            out.sent++;
        }
    }

    private void malformed(String topic, IllegalArgumentException e) {
        long count = malformedPayloads.incrementAndGet();
        if (count <= 10 || count % 1000 == 0) {
            log.warn("Dropped a malformed payload on {} ({} so far): {}", topic, count, e.getMessage());
        }
    }
}
