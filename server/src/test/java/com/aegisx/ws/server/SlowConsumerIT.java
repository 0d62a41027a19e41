package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.testing.RawWsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that stops reading is cut off at its queue bound; everybody else gets every message.
 * With frames written by {@code send(2)} and by the JDK's {@code write(2)} (WEBSOCKET_SEND_SYSCALL):
 * the stalled socket fills up, so both paths go through partial writes and the writer's queue.
 */
class SlowConsumerIT {

    private static final int MESSAGES = 3000;

    @ParameterizedTest(name = "WEBSOCKET_SEND_SYSCALL={0}")
    @ValueSource(strings = {"true", "false"})
    void aStalledReaderIsClosedWith4000AndDoesNotSlowTheOthers(String sendSyscall) throws Exception {
        Map<String, String> small = Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "65536", "WEBSOCKET_MAX_PAYLOAD", "4096",
                "WEBSOCKET_SEND_SYSCALL", sendSyscall);
        try (TestCluster cluster = TestCluster.start(1, small);
             RawWsClient stalled = StalledReader.stallThenFlood(cluster, "firehose", MESSAGES)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(0).counters().slowConsumers.get() == 1);
            stalled.resumeReading();
            int code = stalled.awaitClose(Duration.ofSeconds(20));
            assertEquals(CloseCodes.SLOW_CONSUMER, code, "the close frame waits behind the queued data");
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(0).hub().size() == 1);
        }
    }
}
