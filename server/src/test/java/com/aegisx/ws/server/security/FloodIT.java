package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.testing.WsFrame;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Flooders are throttled (rate_limited) and then closed (4029); a quiet client on the same node misses nothing. */
class FloodIT {

    static final int BROADCASTS = 300;

    @Test
    void floodersAreThrottledThenClosedWhileOthersGetEveryMessage() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_RATE_LIMIT", "10",
                "WEBSOCKET_RATE_BURST", "20", "WEBSOCKET_RATE_LIMIT_TOLERANCE", "30"))) {
            TestClient good = cluster.connectAs(0, "quiet");
            good.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:icu"));

            Thread invalid = flood(cluster, i -> "{not json " + i);
            Thread churn = flood(cluster, i -> (i % 2 == 0 ? "{\"type\":\"subscribe\"" : "{\"type\":\"unsubscribe\"")
                    + ",\"channel\":\"churn:" + (i % 7) + "\"}");
            for (int n = 0; n < BROADCASTS; n++) {
                cluster.publisher().broadcast("ward:icu", Map.of("type", "vitals", "n", n));
            }
            invalid.join();
            churn.join();
            for (int n = 0; n < BROADCASTS; n++) {
                assertEquals(n, good.nextOfType("vitals").path("n").asInt());
            }
            assertTrue(good.isOpen());
            assertTrue(failures.isEmpty(), failures.toString());
        }
    }

    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Sends frames until the node closes the socket; checks rate_limited came first and the close code. */
    private Thread flood(TestCluster cluster, IntFunction<String> frame) throws IOException {
        RawWsClient client = RawWsClient.connect(cluster.uri(0, "/ws"));
        Thread thread = new Thread(() -> {
            boolean sawRateLimited = false;
            int code = -2;
            sending:
            for (int i = 0; i < 100_000; i++) {
                try {
                    client.sendText(frame.apply(i));
                } catch (IOException closedByNode) {
                    break;
                }
                for (WsFrame f = client.pollFrame(Duration.ZERO); f != null; f = client.pollFrame(Duration.ZERO)) {
                    if (f.opcode() == WsFrame.CLOSE) {
                        code = f.closeCode();
                        break sending;
                    }
                    sawRateLimited |= f.opcode() == WsFrame.TEXT && f.text().contains(ErrorCodes.RATE_LIMITED);
                }
            }
            while (code == -2) {
                WsFrame f = client.pollFrame(Duration.ofSeconds(10));
                if (f == null) {
                    break;
                }
                if (f.opcode() == WsFrame.CLOSE) {
                    code = f.closeCode();
                }
                sawRateLimited |= f.opcode() == WsFrame.TEXT && f.text().contains(ErrorCodes.RATE_LIMITED);
            }
            if (!sawRateLimited || code != CloseCodes.RATE_LIMITED) {
                failures.add("flooder: rate_limited seen=" + sawRateLimited + ", close code=" + code);
            }
            client.close();
        }, "flooder");
        thread.start();
        return thread;
    }
}
