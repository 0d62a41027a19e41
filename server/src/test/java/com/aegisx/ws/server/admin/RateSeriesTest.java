package com.aegisx.ws.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RateSeriesTest {

    private static NodeStats.Sample at(long millis, long out, long in) {
        return new NodeStats.Sample(millis, out, in, out / 10);
    }

    @Test
    void addsTheNodesRatesPerSlotAndSkipsRestarts() {
        List<NodeStats.Sample> a = List.of(at(10_000, 0, 0), at(20_000, 1000, 10), at(30_000, 3000, 30));
        List<NodeStats.Sample> b = List.of(at(10_500, 500, 0), at(20_500, 1500, 100), at(30_500, 100, 0));
        List<RateSeries.Point> points = RateSeries.of(List.of(a, b), 10_000);
        assertEquals(2, points.size());
        assertEquals(20_000, points.get(0).at());
        assertEquals(100 + 100, points.get(0).messagesOut(), 1e-9);
        assertEquals(1 + 10, points.get(0).messagesIn(), 1e-9);
        // b restarted (its counter went down): only a's rate in the last slot.
        assertEquals(30_000, points.get(1).at());
        assertEquals(200, points.get(1).messagesOut(), 1e-9);
    }

    @Test
    void parsesWhatItWritesAndSkipsGarbage() {
        NodeStats.Sample sample = new NodeStats.Sample(1, 2, 3, 4);
        assertEquals(List.of(sample), NodeStats.parse(List.of(sample.encode(), "x y", "1 2 3 four")));
    }
}
