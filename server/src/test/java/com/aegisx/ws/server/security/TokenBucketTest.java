package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-minute bucket of the replay budget (HISTORY_REPLAY_RATE), on a clock of the test's own. */
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aPerMinuteBucketRefillsOneTokenPerSixtiethOfAMinuteUpToItsBurst() {
        TokenBucket bucket = TokenBucket.perMinute(60, 2, 0);
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertFalse(bucket.tryTake(SECOND / 2), "half a token is none");
        assertTrue(bucket.tryTake(SECOND + SECOND / 2), "one token back after a second");
        assertFalse(bucket.tryTake(SECOND + SECOND / 2));
        long later = 3600 * SECOND;
        assertTrue(bucket.tryTake(later));
        assertTrue(bucket.tryTake(later));
        assertFalse(bucket.tryTake(later), "never more than the burst");
    }

    @Test
    void aBucketWithoutRefillGivesItsBurstOnce() {
        TokenBucket bucket = TokenBucket.perMinute(0, 1, 0);
        assertTrue(bucket.tryTake(0));
        assertFalse(bucket.tryTake(24 * 3600 * SECOND));
    }
}
