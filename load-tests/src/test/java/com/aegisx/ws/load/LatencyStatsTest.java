package com.aegisx.ws.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    /** HdrHistogram with 3 significant digits: values are exact to 0.1%. */
    private static void assertClose(long expected, long actual) {
        assertTrue(Math.abs(expected - actual) <= Math.max(1, expected / 1000),
                () -> "expected about " + expected + " but was " + actual);
    }

    @Test
    void percentilesOfAUniformSpread() {
        LatencyStats stats = new LatencyStats();
        for (long v = 1; v <= 10_000; v++) {
            stats.record(v);
        }
        LatencyStats.Summary s = stats.interval();
        assertEquals(10_000, s.count());
        assertClose(5_000, s.p50());
        assertClose(9_900, s.p99());
        assertClose(9_990, s.p999());
        assertClose(10_000, s.max());
        assertEquals(5_000.5, s.mean(), 5.0);
    }

    @Test
    void rareOutliersShowOnlyInTheTail() {
        LatencyStats stats = new LatencyStats();
        // 0.2% slow: inside p99.9, outside p99
        for (int i = 0; i < 998; i++) {
            stats.record(100);
        }
        stats.record(50_000);
        stats.record(50_000);
        LatencyStats.Summary s = stats.interval();
        assertClose(100, s.p50());
        assertClose(100, s.p99());
        assertClose(50_000, s.p999());
    }

    @Test
    void intervalsAreIndependent() {
        LatencyStats stats = new LatencyStats();
        stats.record(1_000);
        assertEquals(1, stats.interval().count());
        LatencyStats.Summary empty = stats.interval();
        assertEquals(0, empty.count());
        assertEquals(0, empty.p99());
        stats.record(2_000);
        assertClose(2_000, stats.interval().p50());
    }

    @Test
    void negativeAndHugeValuesAreClamped() {
        LatencyStats stats = new LatencyStats();
        stats.record(-5);
        stats.record(Long.MAX_VALUE);
        LatencyStats.Summary s = stats.interval();
        assertEquals(2, s.count());
        assertEquals(0, s.p50());
        assertClose(LatencyStats.MAX_MICROS, s.max());
    }
}
