package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every socket is pinged once per round of slices, and no slice takes the whole node at once. */
class PingRoundsTest {

    private static final class CountingOutbound extends FakeOutbound {
        int pings;
        boolean failing;

        @Override
        public void ping() {
            pings++;
            if (failing) {
                throw new IllegalStateException("broken socket");
            }
        }
    }

    private final List<LocalConnection> connections = new ArrayList<>();
    private final List<CountingOutbound> outbounds = new ArrayList<>();
    private final PingRounds rounds = new PingRounds(() -> connections);

    private void open(int count) {
        for (int i = 0; i < count; i++) {
            CountingOutbound outbound = new CountingOutbound();
            outbounds.add(outbound);
            connections.add(new LocalConnection("ws_n1_" + i, "main", outbound, new Identity("u" + i, Set.of(), null),
                    "127.0.0.1", ""));
        }
    }

    @Test
    void eachRoundPingsEverySocketExactlyOnceSpreadOverTheSlices() {
        open(1000);
        int largestSlice = 0;
        for (int round = 1; round <= 3; round++) {
            for (int call = 0; call < PingRounds.SLICES; call++) {
                int before = outbounds.stream().mapToInt(o -> o.pings).sum();
                rounds.pingNextSlice();
                largestSlice = Math.max(largestSlice, outbounds.stream().mapToInt(o -> o.pings).sum() - before);
            }
            for (CountingOutbound outbound : outbounds) {
                assertEquals(round, outbound.pings);
            }
        }
        assertTrue(largestSlice < 1000 / PingRounds.SLICES * 2, "slices are small: " + largestSlice);
    }

    @Test
    void aSocketWhosePingThrowsDoesNotStopTheOthers() {
        open(200);
        outbounds.forEach(o -> o.failing = o == outbounds.get(0) || o == outbounds.get(1));
        for (int call = 0; call < PingRounds.SLICES; call++) {
            rounds.pingNextSlice();
        }
        for (CountingOutbound outbound : outbounds) {
            assertEquals(1, outbound.pings);
        }
    }
}
