package com.aegisx.ws.server.history;

import com.aegisx.ws.client.history.History;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.server.config.env.Env;
import com.aegisx.ws.protocol.ChannelPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * History, recovery and resume settings of a node.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>HISTORY_RULES</td><td>{@value HistoryRules#DEFAULT_RULES}</td><td>which channels keep a
 *       history, how many messages and how long ({@link HistoryRules}); give publishers the same</td></tr>
 *   <tr><td>HISTORY_MAX_RECOVERY</td><td>{@value History#DEFAULT_MAX_RECOVERY}</td><td>most messages one
 *       {@code since} replays; further behind: {@code recovered:false}</td></tr>
 *   <tr><td>HISTORY_REPLAY_BURST</td><td>{@value #DEFAULT_REPLAY_BURST}</td><td>{@code since} replays one
 *       socket may ask for back to back (0: no budget)</td></tr>
 *   <tr><td>HISTORY_REPLAY_RATE</td><td>{@value #DEFAULT_REPLAY_RATE}</td><td>replays per minute added to a
 *       socket's budget (0: none, the burst is all)</td></tr>
 *   <tr><td>RESUME_TOKEN_TTL</td><td>{@value #DEFAULT_RESUME_TTL_MS}</td><td>ms a resume token stays
 *       valid after its connection closed</td></tr>
 *   <tr><td>PUBSUB_PROBE_INTERVAL</td><td>{@value #DEFAULT_PROBE_INTERVAL_MS}</td><td>ms between probes of
 *       the node's own pub/sub connection</td></tr>
 *   <tr><td>CONFLATE_CHANNELS</td><td>{@value #DEFAULT_CONFLATE_CHANNELS}</td><td>latest-value channel
 *       patterns (comma list): a socket behind gets the newest message instead of a queue</td></tr>
 *   <tr><td>CONFLATE_QUEUE_BYTES</td><td>{@value #DEFAULT_CONFLATE_QUEUE_BYTES}, at most half WEBSOCKET_MAX_OUTBOUND_BYTES</td><td>queued bytes from
 *       which a socket counts as behind</td></tr>
 *   <tr><td>PUBSUB_PROBE_TIMEOUT</td><td>{@value #DEFAULT_PROBE_TIMEOUT_MS}</td><td>ms without hearing a
 *       probe (while Redis answers) before the pub/sub connection is replaced</td></tr>
 * </table>
 */
public record HistorySettings(HistoryRules rules, int maxRecovery, Duration resumeTtl, Duration probeInterval,
                              Duration probeTimeout, List<ChannelPattern> conflateChannels, long conflateQueueBytes,
                              int replayBurst, int replayRate) {

    public static final long DEFAULT_RESUME_TTL_MS = 300_000;
    /**
     * A page's worth of history channels subscribed again with {@code since} after a reconnect
     * whose resume was refused (a resume is not counted), well under the 20 per second a client
     * could otherwise make Redis read for it (WEBSOCKET_RATE_LIMIT).
     */
    public static final int DEFAULT_REPLAY_BURST = 20;
    /** One replay a second on average after the burst: a client's own re-subscribes, not a stream of reads. */
    public static final int DEFAULT_REPLAY_RATE = 60;
    public static final long DEFAULT_PROBE_INTERVAL_MS = 2_000;
    public static final long DEFAULT_PROBE_TIMEOUT_MS = 6_000;
    /** Report progress is a latest value: a watcher that fell behind needs the newest, not every step. */
    public static final String DEFAULT_CONFLATE_CHANNELS = "reports:progress:**";
    public static final int DEFAULT_CONFLATE_QUEUE_BYTES = 65_536;
    public static final String HISTORY_RULES = "HISTORY_RULES";

    public static HistorySettings defaults() {
        return new HistorySettings(HistoryRules.defaults(), History.DEFAULT_MAX_RECOVERY,
                Duration.ofMillis(DEFAULT_RESUME_TTL_MS), Duration.ofMillis(DEFAULT_PROBE_INTERVAL_MS),
                Duration.ofMillis(DEFAULT_PROBE_TIMEOUT_MS), List.of(ChannelPattern.of(DEFAULT_CONFLATE_CHANNELS)),
                DEFAULT_CONFLATE_QUEUE_BYTES, DEFAULT_REPLAY_BURST, DEFAULT_REPLAY_RATE);
    }

    /**
     * {@code maxOutboundBytes}: WEBSOCKET_MAX_OUTBOUND_BYTES. A socket must count as behind (and be
     * conflated) before it counts as a slow consumer (closed with 4000), so CONFLATE_QUEUE_BYTES
     * must be below it; unset, it defaults to at most half of it.
     */
    public static HistorySettings fromEnv(Env env, int maxOutboundBytes) {
        HistoryRules rules = HistoryRules.defaults();
        String text = env.raw(HISTORY_RULES);
        if (text != null) {
            try {
                rules = HistoryRules.parse(text);
            } catch (IllegalArgumentException e) {
                env.error(HISTORY_RULES, e.getMessage());
            }
        }
        int maxRecovery = env.integer("HISTORY_MAX_RECOVERY", History.DEFAULT_MAX_RECOVERY, 1, HistoryRules.MAX_SIZE);
        Duration resumeTtl = Duration.ofMillis(env.longValue("RESUME_TOKEN_TTL", DEFAULT_RESUME_TTL_MS,
                1_000, 7L * 24 * 3600 * 1000));
        Duration probeInterval = Duration.ofMillis(env.longValue("PUBSUB_PROBE_INTERVAL", DEFAULT_PROBE_INTERVAL_MS,
                10, 3_600_000));
        Duration probeTimeout = Duration.ofMillis(env.longValue("PUBSUB_PROBE_TIMEOUT", DEFAULT_PROBE_TIMEOUT_MS,
                30, 3_600_000));
        if (probeTimeout.compareTo(probeInterval.multipliedBy(2)) < 0) {
            env.error("PUBSUB_PROBE_TIMEOUT", "must be at least twice PUBSUB_PROBE_INTERVAL, so one late probe"
                    + " does not replace a working connection");
        }
        List<ChannelPattern> conflate = new ArrayList<>();
        for (String pattern : env.list("CONFLATE_CHANNELS", List.of(DEFAULT_CONFLATE_CHANNELS))) {
            try {
                conflate.add(ChannelPattern.of(pattern));
            } catch (IllegalArgumentException e) {
                env.error("CONFLATE_CHANNELS", e.getMessage());
            }
        }
        long conflateBytes = env.integer("CONFLATE_QUEUE_BYTES",
                Math.min(DEFAULT_CONFLATE_QUEUE_BYTES, maxOutboundBytes / 2), 1024, Integer.MAX_VALUE);
        if (conflateBytes >= maxOutboundBytes) {
            // Otherwise a socket behind is closed as a slow consumer before it is ever conflated.
            env.error("CONFLATE_QUEUE_BYTES", "must be below WEBSOCKET_MAX_OUTBOUND_BYTES (" + maxOutboundBytes
                    + "), or latest-value channels close a socket behind (4000) instead of conflating");
        }
        int replayBurst = env.integer("HISTORY_REPLAY_BURST", DEFAULT_REPLAY_BURST, 0, 10_000);
        int replayRate = env.integer("HISTORY_REPLAY_RATE", DEFAULT_REPLAY_RATE, 0, 60_000);
        return new HistorySettings(rules, maxRecovery, resumeTtl, probeInterval, probeTimeout, conflate, conflateBytes,
                replayBurst, replayRate);
    }

    public String describe() {
        return "history=" + rules + ", maxRecovery=" + maxRecovery + ", resumeTtl=" + resumeTtl.toMillis()
                + "ms, pubsubProbe=" + probeInterval.toMillis() + "/" + probeTimeout.toMillis() + "ms, conflate="
                + conflateChannels + " above " + conflateQueueBytes + " bytes, replays=" + replayBurst + "+"
                + replayRate + "/min";
    }
}
