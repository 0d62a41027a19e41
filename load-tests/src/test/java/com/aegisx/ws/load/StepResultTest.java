package com.aegisx.ws.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepResultTest {

    private static StepResult step(long delivered, long lost, long p99Micros) {
        return new StepResult("redis", 50, 500, 500_000, delivered, lost, 0, 10.0,
                new LatencyStats.Summary(delivered, 1_000, p99Micros, p99Micros, p99Micros, 1_000),
                new ProcStat.Cpu(2_000_000, 3_000_000), null, new ProcStat.Cpu(4_000_000, 1_000_000),
                Double.NaN, 100_000_000, Double.NaN, new ProcStat.Cpu(1_000_000, 0));
    }

    @Test
    void perMessageFiguresDivideByDeliveries() {
        StepResult s = step(500_000, 0, 5_000);
        assertEquals(50_000, s.deliveredPerSecond(), 1e-9);
        assertEquals(4.0, s.nodeUserPerMessage(), 1e-9);
        assertEquals(6.0, s.nodeSystemPerMessage(), 1e-9);
        assertEquals(10.0, s.nodeTotalPerMessage(), 1e-9);
        assertEquals(2.0, s.nodeJitPerMessage(), 1e-9);
        assertEquals(10.0, s.generatorPerMessage(), 1e-9);
        assertEquals(0.5, s.nodeCores(), 1e-9);
        assertTrue(Double.isNaN(s.redisPerMessage()));
        assertEquals(200.0, s.allocatedBytesPerDelivery(), 1e-9);
    }

    @Test
    void capacityNeedsZeroLossAndP99Under50ms() {
        assertTrue(step(500_000, 0, 49_999).withinCapacity());
        assertFalse(step(499_999, 1, 1_000).withinCapacity());
        assertFalse(step(500_000, 0, 50_000).withinCapacity());
    }

    @Test
    void pacingSendsExactlyTheCount() {
        List<Long> sent = new ArrayList<>();
        LoadTest.pace(1_000_000, 100, sent::add);
        assertEquals(100, sent.size());
        assertEquals(0L, sent.get(0));
        assertEquals(99L, sent.get(99));
    }

    @Test
    void dispatchCpuIsMillisecondsPerReceivedMessageNotPerTimedOne() {
        // [wall seconds, timed messages, allocated bytes, CPU seconds, received messages] before and after a step
        double[] before = {1.0, 100, 0, 0.5, 1600};
        double[] after = {3.0, 110, 0, 0.66, 1760};
        assertEquals(200.0, LoadTest.meanMillis(before, after), 1e-9);
        assertEquals(1.0, LoadTest.cpuMillis(before, after), 1e-9, "160 ms over 160 received, not over the 10 timed");
        assertTrue(Double.isNaN(LoadTest.cpuMillis(after, after)));
    }

    @Test
    void aMetricWithLabelsIsSummedOverItsSeries() {
        String scrape = "# TYPE ws_pubsub_received_total counter\n"
                + "ws_pubsub_received_total{kind=\"channel\"} 200.0\n"
                + "ws_pubsub_received_total{kind=\"user\"} 5.0\n";
        assertEquals(205.0, LoadTest.metricSum(scrape, "ws_pubsub_received_total"), 1e-9);
        assertTrue(Double.isNaN(LoadTest.metricSum(scrape, "ws_nothing_total")));
    }
}
