package com.aegisx.ws.server.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.testing.WsFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pins what the direct write path relies on in Jetty's internals (the decoder trimming and the
 * upgrade-request release are pinned by {@code IdleFootprintIT}): that {@link DirectHandshaker}
 * is installed and makes every socket a {@link DirectConnection}, whose writer then carries
 * Jetty's own frames (pong, close) in order among the node's. If a Jetty upgrade changes any of
 * it, this fails instead of the node silently losing frames or order.
 */
class JettyInternalsIT {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(1)
            .env("WEBSOCKET_MAX_OUTBOUND_BYTES", String.valueOf(64 * 1_048_576)); // room for the burst below

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
        assertTrue(writer.isDirect(), "a socket without extensions is written directly");
        assertTrue(((org.eclipse.jetty.websocket.core.WebSocketCoreSession) writer.session()).getConnection()
                instanceof DirectConnection, "the upgrade made a DirectConnection");

        // Direct data frames, batched and not, arrive in order and complete.
        for (int i = 0; i < 200; i++) {
            assertTrue(writer.send(text("{\"type\":\"seq\",\"n\":" + i + "}"), i % 3 != 2 && i < 199));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i, client.nextOfType("seq").path("n").asInt());
        }
        // Nothing stays counted as queued.
        await().atMost(Duration.ofSeconds(5)).until(() -> writer.queuedBytes() == 0);
    }

    @Test
    void theWriterRefusesFramesAfterTheClose() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(cluster.uri(0, "/ws"))) {
            String id = raw.readTextJson().path("data").path("connectionId").asText();
            LocalConnection connection = cluster.node(0).hub().get(id);
            OutboundWriter writer = (OutboundWriter) connection.outbound();
            assertTrue(writer.isDirect());
            // Close from the server, then send past the session: the writer must refuse the frame
            // (it is after the close frame), and the client gets the close and nothing after it.
            writer.session().close(1000, "bye", org.eclipse.jetty.util.Callback.NOOP);
            assertFalse(writer.send(text("{\"type\":\"late\"}"), false));
            WsFrame frame = raw.readFrame();
            while (frame.isPing() || frame.isPong()) {
                frame = raw.readFrame();
            }
            assertTrue(frame.isClose(), "got " + frame);
            await().atMost(Duration.ofSeconds(5)).until(() -> writer.queuedBytes() == 0);
            assertFalse(writer.session().isOutputOpen());
        }
    }

    /**
     * A burst larger than the socket's buffers while the client does not read: the socket falls
     * behind, so frames queue and leave through Jetty's write flusher once it reads again; the
     * client's pings are answered meanwhile, Jetty's pongs going through the same writer behind the
     * queued frames. The client gets every text frame whole and in order and a pong for every
     * ping; the server's close, sent after that, arrives last.
     */
    @Test
    void aBackloggedBurstKeepsOrderWithJettysPongsAndClose() throws Exception {
        try (RawWsClient raw = RawWsClient.builder(cluster.uri(0, "/ws")).receiveBufferSize(4096).connect()) {
            String id = raw.readTextJson().path("data").path("connectionId").asText();
            OutboundWriter writer = (OutboundWriter) cluster.node(0).hub().get(id).outbound();
            String pad = "x".repeat(700);
            raw.suspendReading();
            // Past the kernel's socket buffers (up to 4 MiB here): sent until frames wait, then more.
            int sent = 0;
            long mostQueued = 0;
            for (int more = 500; more > 0 && sent < 60_000; sent++) {
                assertTrue(writer.send(text("{\"type\":\"seq\",\"n\":" + sent + ",\"pad\":\"" + pad + "\"}"),
                        sent % 5 != 4));
                mostQueued = Math.max(mostQueued, writer.queuedBytes());
                if (mostQueued > 0) {
                    more--;
                }
            }
            assertTrue(writer.send(text("{\"type\":\"seq\",\"n\":" + sent + "}"), false));
            sent++;
            assertTrue(mostQueued > 0, "the socket fell behind, so frames waited in the queue");
            for (int i = 0; i < 20; i++) {
                raw.sendPing(("p" + i).getBytes(StandardCharsets.UTF_8));
            }
            raw.resumeReading();

            int next = 0;
            List<String> pongs = new ArrayList<>();
            while (next < sent || pongs.size() < 20) {
                WsFrame frame = raw.readFrame(Duration.ofSeconds(20));
                if (frame.isPong()) {
                    pongs.add(new String(frame.payload(), StandardCharsets.UTF_8));
                } else if (frame.opcode() == WsFrame.TEXT) {
                    assertEquals(next++, com.aegisx.ws.protocol.Json.parseObject(
                            new String(frame.payload(), StandardCharsets.UTF_8)).path("n").asInt());
                } else {
                    assertTrue(frame.isPing(), "unexpected " + frame);
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add("p" + i);
            }
            assertEquals(expected, pongs, "a pong for every ping, in order");
            await().atMost(Duration.ofSeconds(5)).until(() -> writer.queuedBytes() == 0);

            writer.close(1000, "done");
            assertFalse(writer.send(text("{\"type\":\"late\"}"), false), "nothing after the close");
            WsFrame last = raw.readFrame(Duration.ofSeconds(5));
            while (last.isPing()) {
                last = raw.readFrame(Duration.ofSeconds(5));
            }
            assertTrue(last.isClose(), "got " + last);
        }
    }
}
