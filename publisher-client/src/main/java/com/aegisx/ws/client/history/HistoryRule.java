package com.aegisx.ws.client.history;

import com.aegisx.ws.protocol.ChannelPattern;
import java.time.Duration;

/**
 * One line of {@code HISTORY_RULES}: channels matching {@code pattern} keep their last
 * {@code size} messages, for {@code ttl} after the last publish ({@link Duration#ZERO}: no
 * expiry); {@code size} 0 means no history ({@code pattern=off}).
 */
public record HistoryRule(ChannelPattern pattern, int size, Duration ttl) {

    public HistoryRule {
        if (size < 0 || size > HistoryRules.MAX_SIZE) {
            throw new IllegalArgumentException("history size must be 0.." + HistoryRules.MAX_SIZE + ", was " + size);
        }
        if (ttl == null || ttl.isNegative()) {
            throw new IllegalArgumentException("history TTL must not be negative");
        }
    }

    public boolean enabled() {
        return size > 0;
    }

    /** The HISTORY_RULES spelling. */
    @Override
    public String toString() {
        if (!enabled()) {
            return pattern + "=off";
        }
        return pattern + "=" + size + (ttl.isZero() ? "" : "/" + HistoryRules.formatDuration(ttl));
    }
}
