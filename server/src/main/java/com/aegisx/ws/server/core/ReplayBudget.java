package com.aegisx.ws.server.core;

import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.server.security.TokenBucket;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many history replays ({@code subscribe} with {@code since}) one socket may ask for
 * (HISTORY_REPLAY_BURST back to back, then HISTORY_REPLAY_RATE per minute): a token bucket per
 * socket, created on its first replay.
 *
 * <p>Why: every {@code since} that differs from the others reads the history from Redis (up to
 * HISTORY_MAX_RECOVERY messages; identical ones share a read), so a client varying it on each
 * subscribe made Redis read for it at the inbound message rate, a load every socket on that Redis
 * pays for. Past the budget the subscription still works: it is answered like any history that
 * cannot be replayed ({@code recovered:false} with the channel's position, here with
 * {@code "reason":"replay_rate_limited"}), and the client reloads the channel's state as it would
 * for lost history. A {@code resume} is not counted: a token works once.
 */
public final class ReplayBudget {

    /** The {@code reason} of a {@code subscribed} whose replay the budget refused. */
    public static final String REPLAY_RATE_LIMITED = "replay_rate_limited";

    private static final Logger log = LoggerFactory.getLogger(ReplayBudget.class);

    private final int burst;
    private final int perMinute;
    private final LongAdder refused = new LongAdder();

    /** {@code burst} 0: no budget (every replay is served); {@code perMinute} 0: the burst is all a socket gets. */
    public ReplayBudget(int burst, int perMinute) {
        this.burst = burst;
        this.perMinute = perMinute;
    }

    /** Every replay is served. */
    public static ReplayBudget unlimited() {
        return new ReplayBudget(0, 0);
    }

    /**
     * Whether the socket may have one more replay now. Subscribes of one socket arrive one at a
     * time (as its inbound messages), so no race creates two buckets.
     */
    public boolean admit(LocalConnection connection) {
        if (burst == 0) {
            return true;
        }
        long now = System.nanoTime();
        TokenBucket bucket = connection.replayBucket();
        if (bucket == null) {
            bucket = TokenBucket.perMinute(perMinute, burst, now);
            connection.replayBucket(bucket);
        }
        if (bucket.tryTake(now)) {
            return true;
        }
        refused.increment();
        if (bucket.refusedInRow() == 1) {
            log.info("Replay budget spent connectionId={} userId={} (burst {}, {}/min): subscribed without replay",
                    connection.id(), LogSafe.text(connection.userId()), burst, perMinute);
        }
        return false;
    }

    /** Replays refused since the node started (ws_history_replays_refused_total). */
    public long refused() {
        return refused.sum();
    }

    /** Completes the {@code subscribed} of a refused replay: recovered:false, as history that is gone. */
    public static void markRefused(ObjectNode subscribed) {
        subscribed.put("recovered", false);
        subscribed.put("reason", REPLAY_RATE_LIMITED);
    }
}
