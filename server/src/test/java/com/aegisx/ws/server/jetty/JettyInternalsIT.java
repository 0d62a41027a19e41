package com.aegisx.ws.server.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pins what {@link OutboundWriter} relies on in Jetty's internals (the decoder trimming and the
 * upgrade-request release are pinned by {@code IdleFootprintIT}): if a Jetty upgrade changes any
 * of it, this fails instead of the node silently losing frames or order.
 */
class JettyInternalsIT {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(1);

    private static LocalConnection only(String userId) {
        return cluster.node(0).hub().connections().stream()
                .filter(c -> userId.equals(c.userId())).findFirst().orElseThrow();
    }

    private static ByteBuffer text(String json) {
        return ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void directFramesKeepTheirOrderAmongSessionFramesAndGiveTheirBytesBack() {
        TestClient client = cluster.connectAs(0, "pinned");
        LocalConnection connection = only("pinned");
        OutboundWriter writer = (OutboundWriter) connection.outbound();
        assertTrue(writer.isDirect(), "a socket without extensions enqueues on the connection's flusher directly");

        // Direct data frames, batched and not, arrive in order and complete.
        for (int i = 0; i < 200; i++) {
            assertTrue(writer.send(text("{\"type\":\"seq\",\"n\":" + i + "}"), i % 3 != 2 && i < 199));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i, client.nextOfType("seq").path("n").asInt());
        }
        // Every frame's bytes were given back by Jetty's callback: nothing stays counted as queued.
        await().atMost(Duration.ofSeconds(5)).until(() -> writer.queuedBytes() == 0);
    }

    @Test
    void theFlusherRefusesFramesAfterTheCloseAndStillGivesTheBytesBack() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(cluster.uri(0, "/ws"))) {
            String id = raw.readTextJson().path("data").path("connectionId").asText();
            LocalConnection connection = cluster.node(0).hub().get(id);
            OutboundWriter writer = (OutboundWriter) connection.outbound();
            assertTrue(writer.isDirect());
            // Close from the server, then enqueue past the session: Jetty's flusher must refuse the
            // frame (it is after the close frame) and complete its callback, so the count returns to 0.
            writer.session().close(1000, "bye", org.eclipse.jetty.util.Callback.NOOP);
            writer.send(text("{\"type\":\"late\"}"), false);
            await().atMost(Duration.ofSeconds(5)).until(() -> writer.queuedBytes() == 0);
            assertFalse(writer.session().isOutputOpen());
        }
    }
}
