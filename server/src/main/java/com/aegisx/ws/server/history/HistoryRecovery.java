package com.aegisx.ws.server.history;

import com.aegisx.ws.client.history.History;
import com.aegisx.ws.protocol.RawStamp;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.server.core.ChannelBuffer;
import com.aegisx.ws.server.core.Position;
import com.aegisx.ws.server.core.Recovery;
import com.aegisx.ws.server.core.ConnectionHub;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribing to a history channel: {@code subscribed} with the channel's position (and, when the
 * client gave {@code since}, whether everything after it could be recovered), the missed messages,
 * then live ones, with no gap and no duplicate across the switch.
 *
 * <p>Order of events: live messages of the channel are held for the socket first; then the node
 * subscribes (confirmed by Redis); then one script reads the position and the messages after
 * {@code since}. Every message published before that read is in the replay (offset at most the
 * top), every later one arrives live and is held, so the held ones above the top are exactly the
 * rest. They are sent right after the replay, under the buffer's lock, before live delivery resumes.
 */
public final class HistoryRecovery implements Recovery {

    private static final Logger log = LoggerFactory.getLogger(HistoryRecovery.class);
    /** Malformed stored messages skipped by replays (logged the first few times, then now and then). */
    private static final java.util.concurrent.atomic.AtomicLong MALFORMED = new java.util.concurrent.atomic.AtomicLong();

    private final ConnectionHub hub;
    private final History history;
    /** Many sockets resuming the same channel from the same position at once share one read. */
    private final CoalescedReads reads;
    private final int maxRecovery;

    public HistoryRecovery(ConnectionHub hub, History history, int maxRecovery) {
        this.hub = hub;
        this.history = history;
        this.reads = new CoalescedReads(history::read);
        this.maxRecovery = maxRecovery;
    }

    @Override
    public boolean covers(String channel) {
        return history.rules().hasHistory(channel);
    }

    /**
     * Subscribes with recovery and sends {@code subscribed} (completed by {@code decorate}), the
     * replay and the held live messages. Completes exceptionally when Redis failed (then the socket
     * is not subscribed and got nothing).
     */
    @Override
    public CompletableFuture<Boolean> subscribe(LocalConnection connection, String channel, Position since,
                                                JsonNode id, Consumer<ObjectNode> decorate) {
        // Read in the connection's serial chain, before this request changes anything.
        boolean subscribedBefore = connection.channels().contains(channel);
        ChannelBuffer buffer = connection.startBuffering(channel);
        AtomicBoolean added = new AtomicBoolean();
        CompletableFuture<History.Read> read = hub.subscribe(connection, channel).thenCompose(newly -> {
            added.set(newly);
            return reads.read(channel, since == null ? 0 : since.offset(), since == null ? null : since.epoch(),
                    maxRecovery);
        });
        return read.handle((result, error) -> {
            if (error != null) {
                if (subscribedBefore) {
                    // A failed request changes nothing: the socket keeps its subscription, and the
                    // live messages held meanwhile are its own (dropping them was a silent gap).
                    buffer.release(held -> held.forEach(live -> connection.send(live.frame())), null);
                    connection.stopBuffering(channel, buffer);
                } else {
                    buffer.release(held -> { }, null);
                    connection.stopBuffering(channel, buffer);
                    hub.unsubscribe(connection, channel);
                }
                throw new IllegalStateException("recovery of " + channel + " failed", error);
            }
            boolean complete = buffer.release(held -> {
                ObjectNode subscribed = Replies.subscribed(channel, id);
                decorate.accept(subscribed);
                if (since != null) {
                    subscribed.put("recovered", result.recovered());
                }
                subscribed.set("position", new Position(result.top(), result.epoch()).toJson());
                connection.send(subscribed);
                if (result.recovered()) {
                    for (History.Entry entry : result.entries()) {
                        ByteBuffer frame = connection.id().equals(entry.excludeConnection()) ? null
                                : frame(entry.text(), channel);
                        if (frame != null) {
                            connection.send(frame);
                        }
                    }
                }
                for (ChannelBuffer.Held live : held) {
                    if (!covered(live.text(), result)) {
                        connection.send(live.frame());
                    }
                }
            }, text -> covered(text, result));
            if (!complete) {
                log.warn("Too many live messages during the replay of {} to connectionId={}; closing it", channel,
                        connection.id());
                connection.close(com.aegisx.ws.protocol.CloseCodes.SLOW_CONSUMER, "slow consumer");
            }
            if (since != null && !result.recovered()) {
                log.debug("Not recovered connectionId={} channel={} since={} position={}/{}", connection.id(), channel,
                        since, result.top(), result.epoch());
            }
            return added.get();
        });
    }

    /** Whether a live message is one the read already covered (same epoch, offset at most the top). */
    private static boolean covered(String text, History.Read read) {
        long offset = HistoryTail.offset(text);
        return offset >= 0 && offset <= read.top() && read.epoch().equals(HistoryTail.epoch(text));
    }

    /**
     * A stored message as clients get it: stamped with channel and timestamp if its publisher did
     * not; null for one that is not a JSON object. The history script checks only the braces (a
     * redis-cli publish with a typo is stored), and live delivery drops such a message: so does the
     * replay, which goes on with the next (throwing here left the socket's buffer holding every
     * later live message of the channel for good).
     */
    private static ByteBuffer frame(String text, String channel) {
        String out;
        try {
            out = WireFormat.stampedTimestampAt(text, channel) >= 0 ? text : RawStamp.stamp(text, channel).text();
        } catch (IllegalArgumentException e) {
            long count = MALFORMED.incrementAndGet();
            if (count <= 10 || count % 1000 == 0) {
                log.warn("Skipped a malformed message in the history of {} ({} so far): {}", channel, count,
                        e.getMessage());
            }
            return null;
        }
        return ByteBuffer.wrap(out.getBytes(StandardCharsets.UTF_8));
    }
}
