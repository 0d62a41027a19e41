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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound message rate of each socket (WEBSOCKET_RATE_LIMIT*): a token bucket per socket, a
 * {@code rate_limited} error, and close {@link CloseCodes#RATE_LIMITED} for a client that goes on.
 */
public final class InboundRate {

    private static final Logger log = LoggerFactory.getLogger(InboundRate.class);

    private final SecuritySettings settings;
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong rateLimitCloses = new AtomicLong();

    public InboundRate(SecuritySettings settings) {
        this.settings = settings;
    }

    /**
     * Whether the next inbound message may be processed. The first message over the rate (after an
     * admitted one) gets a {@code rate_limited} error; more than WEBSOCKET_RATE_LIMIT_TOLERANCE
     * refused within WEBSOCKET_RATE_LIMIT_WINDOW close the socket with {@link CloseCodes#RATE_LIMITED}.
     * The refusals are counted over that sliding window, not in a row: a client pacing itself just
     * over the rate, one admitted frame between refusals, is closed as well.
     */
    public boolean admit(LocalConnection connection) {
        TokenBucket bucket = connection.rateBucket();
        long now = System.nanoTime();
        if (bucket == null) {
            // Messages of one socket arrive one at a time, so no race creates two buckets.
            bucket = new TokenBucket(settings.ratePerSecond(), settings.rateBurst(), now);
            connection.rateBucket(bucket);
        }
        if (bucket.tryTake(now)) {
            return true;
        }
        rateLimited.incrementAndGet();
        if (bucket.refusedInRow() == 1) {
            log.info("Rate limited connectionId={} userId={} (over {}/s, burst {})", connection.id(),
                    connection.userId(), settings.ratePerSecond(), settings.rateBurst());
            connection.send(Replies.error(ErrorCodes.RATE_LIMITED, "Too many messages: at most "
                    + settings.ratePerSecond() + " per second; messages are dropped until you slow down", null));
        }
        if (bucket.refusalsExceed(settings.rateTolerance(), settings.rateWindow().toNanos(), now)
                && connection.isOpen()) {
            rateLimitCloses.incrementAndGet();
            log.warn("Closing connectionId={} userId={} with {}: more than {} messages refused within {} s",
                    connection.id(), connection.userId(), CloseCodes.RATE_LIMITED, settings.rateTolerance(),
                    settings.rateWindow().toSeconds());
            connection.close(CloseCodes.RATE_LIMITED, "rate limit exceeded");
        }
        return false;
    }

    public long rateLimited() {
        return rateLimited.get();
    }

    public long rateLimitCloses() {
        return rateLimitCloses.get();
    }
}
