package com.aegisx.ws.server.history;

import com.aegisx.ws.client.history.History;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.server.core.Broker;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node fills its own gaps on history channels: it sits between the dispatch workers and the
 * fan-out, remembers per history topic the last offset it delivered, drops a repeated offset, and
 * when an offset jumps (messages published while its Redis link was down, before it had
 * resubscribed) it holds the topic's messages, reads the missing ones from the channel's history
 * and delivers them first, so its sockets see every message once, in order, without resubscribing.
 * After a reconnect it also checks each topic's history for messages that came while it was away
 * ({@link #checkAll}), so a quiet channel is filled without waiting for its next message.
 *
 * <p>Runs on the topic's dispatch worker; a fill completes on a Redis callback thread, and every
 * delivery of a topic happens under that topic's lock, so order is kept across the two.
 */
public final class HistoryGapFiller implements Broker.Listener {

    private static final Logger log = LoggerFactory.getLogger(HistoryGapFiller.class);

    /** What the node knows of one history topic. Guarded by itself. */
    private static final class TopicState {
        String epoch;
        long last = -1;
        /** A gap could not be filled: the next message is announced with {@code recovered:false}. */
        boolean lost;
        /** Non-null while a fill is under way: the topic's messages wait here. */
        List<String> held;
    }

    private final Broker.Listener next;
    private final History history;
    private final HistoryRules rules;
    private final KeySchema keys;
    private final int maxFill;
    private final Executor callbacks;
    private final ConcurrentHashMap<String, TopicState> states = new ConcurrentHashMap<>();
    private final AtomicLong filled = new AtomicLong();
    private final AtomicLong duplicatesDropped = new AtomicLong();
    private final AtomicLong unrecoverable = new AtomicLong();

    /** {@code callbacks}: where a fill's fan-out runs (never Lettuce's event loop). */
    public HistoryGapFiller(Broker.Listener next, History history, KeySchema keys, int maxFill,
                            Executor callbacks) {
        this.next = next;
        this.callbacks = callbacks;
        this.history = history;
        this.rules = history.rules();
        this.keys = keys;
        this.maxFill = maxFill;
    }

    @Override
    public void onMessages(String topic, List<String> payloads) {
        String channel = keys.channelOfTopic(topic);
        if (channel == null || !rules.hasHistory(channel)) {
            next.onMessages(topic, payloads);
            return;
        }
        TopicState state = states.computeIfAbsent(topic, t -> new TopicState());
        synchronized (state) {
            if (state.held != null) {
                state.held.addAll(payloads);
                return;
            }
            process(topic, channel, state, payloads);
        }
    }

    /** Delivers in order; on a jump, hands what came before it on and starts a fill. Under the state's lock. */
    private void process(String topic, String channel, TopicState state, List<String> payloads) {
        List<String> out = new ArrayList<>(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            String payload = payloads.get(i);
            String message = messageText(payload);
            long offset = HistoryTail.offset(message);
            if (offset < 0) {
                out.add(payload); // a raw PUBLISH: no history, nothing to check
                continue;
            }
            String epoch = HistoryTail.epoch(message);
            if (state.last < 0 || !epoch.equals(state.epoch)) {
                if (state.last >= 0 || state.lost) {
                    // The history started over (Redis lost it) or a gap could not be filled: what
                    // the sockets missed is gone. They are told, as a subscribe would tell them.
                    out.add(notRecovered(channel, offset - 1, epoch));
                    state.lost = false;
                }
                state.epoch = epoch; // first message, or the history started over: nothing to fill
                state.last = offset;
                out.add(payload);
            } else if (offset <= state.last) {
                duplicatesDropped.incrementAndGet();
            } else if (offset == state.last + 1) {
                state.last = offset;
                out.add(payload);
            } else {
                deliver(topic, out);
                state.held = new ArrayList<>(payloads.subList(i, payloads.size()));
                fill(topic, channel, state);
                return;
            }
        }
        deliver(topic, out);
    }

    /** Reads what follows the last delivered offset, delivers it, then what was held meanwhile. */
    private void fill(String topic, String channel, TopicState state) {
        long since = state.last;
        String epoch = state.epoch;
        history.read(channel, since, epoch, maxFill).whenCompleteAsync((read, error) -> {
            synchronized (state) {
                List<String> held = state.held;
                state.held = null;
                if (error == null && read.recovered()) {
                    List<String> gap = new ArrayList<>(read.entries().size());
                    for (History.Entry entry : read.entries()) {
                        gap.add(entry.excludeConnection() == null ? entry.text()
                                : WireFormat.envelopeText(entry.text(), entry.excludeConnection()));
                    }
                    filled.addAndGet(gap.size());
                    if (!gap.isEmpty()) {
                        log.info("Filled a gap of {} messages on {} after offset {}", gap.size(), topic, since);
                    }
                    process(topic, channel, state, gap);
                } else {
                    // Lost for good (trimmed, another epoch, Redis down): deliver on from what is here.
                    unrecoverable.incrementAndGet();
                    log.warn("Could not fill the gap on {} after offset {}: {}", topic, since,
                            error != null ? error.toString() : "history no longer holds it");
                    state.last = -1;
                    state.lost = true;
                }
                if (held != null && !held.isEmpty()) {
                    process(topic, channel, state, held);
                }
            }
        }, callbacks);
    }

    /**
     * After the node's pub/sub link came back: every history topic whose history moved past what
     * was delivered gets filled now, not only when its next message arrives.
     */
    public void checkAll() {
        for (var entry : states.entrySet()) {
            String topic = entry.getKey();
            TopicState state = entry.getValue();
            synchronized (state) {
                if (state.held == null && state.last >= 0) {
                    state.held = new ArrayList<>();
                    fill(topic, keys.channelOfTopic(topic), state);
                }
            }
        }
    }

    /**
     * What the sockets of a topic get when the node knows they missed messages it cannot replay:
     * {@code subscribed} with {@code recovered:false} and the position just before the next
     * message, exactly what a {@code subscribe} with a lost {@code since} answers. The client
     * reloads the channel's state.
     */
    static String notRecovered(String channel, long offsetBefore, String epoch) {
        ObjectNode notice = Json.object();
        notice.put("type", "subscribed");
        notice.put("channel", channel);
        notice.put("recovered", false);
        ObjectNode position = notice.putObject("position");
        position.put("offset", Math.max(0, offsetBefore));
        position.put("epoch", epoch);
        notice.put("reason", "history_lost");
        return Json.write(notice);
    }

    /**
     * The node starts listening to {@code topic} again: forget what it delivered before. It was not
     * subscribed in between, so the offsets it missed meanwhile are no gap of its sockets (who joined
     * since); taking them for one replayed stale messages to the new sockets, or told them
     * {@code history_lost} when the history had moved on further than it keeps.
     */
    public void forget(String topic) {
        states.remove(topic);
    }

    /** Forgets topics the node no longer listens to (called now and then). */
    public void retain(Predicate<String> subscribed) {
        states.keySet().removeIf(topic -> !subscribed.test(topic));
    }

    public long filled() {
        return filled.get();
    }

    public long duplicatesDropped() {
        return duplicatesDropped.get();
    }

    public long unrecoverable() {
        return unrecoverable.get();
    }

    private void deliver(String topic, List<String> payloads) {
        if (!payloads.isEmpty()) {
            next.onMessages(topic, payloads);
        }
    }

    /** The message inside an exclude envelope (the history script writes the message last). */
    private static String messageText(String payload) {
        return payload.startsWith("{\"" + WireFormat.ENVELOPE_FIELD + "\"") && payload.endsWith("}}")
                ? payload.substring(0, payload.length() - 1) : payload;
    }
}
