package com.aegisx.ws.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Publish-to-receive latency in microseconds, recorded from any thread into an HdrHistogram
 * {@link Recorder} (wait-free for writers) and read per step as an interval histogram.
 */
public final class LatencyStats {

    /** Values above this (one minute) are clamped: they are already a failed run. */
    static final long MAX_MICROS = 60_000_000L;

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);

    public void record(long micros) {
        recorder.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
    }

    /** Everything recorded since the last call. */
    public Summary interval() {
        return Summary.of(recorder.getIntervalHistogram());
    }

    /** Latency percentiles of one interval, in microseconds. */
    public record Summary(long count, long p50, long p99, long p999, long max, double mean) {
        static Summary of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Summary(0, 0, 0, 0, 0, 0);
            }
            return new Summary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
        }
    }
}
