package com.aegisx.ws.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawWsClientTest {

    private static final Duration SHORT = Duration.ofMillis(200);

    @Test
    void handshakeSendsPathQueryAndExtraHeaders() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.builder(server.uri("/ws?token=abc"))
                     .header("Authorization", "Bearer xyz")
                     .subprotocols("json.v1")
                     .connect()) {
            String request = server.peer().request;
            assertTrue(request.startsWith("GET /ws?token=abc HTTP/1.1\r\n"), request);
            assertTrue(request.contains("\r\nAuthorization: Bearer xyz"), request);
            assertTrue(request.contains("\r\nSec-WebSocket-Protocol: json.v1"), request);
            assertTrue(request.contains("\r\nSec-WebSocket-Version: 13"), request);
            assertFalse(client.isDisconnected());
        }
    }

    @Test
    void aNullHeaderValueRemovesTheDefaultHeader() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("sec-websocket-version", null);
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient ignored = RawWsClient.connect(server.uri("/ws"), headers)) {
            assertFalse(server.peer().request.toLowerCase().contains("sec-websocket-version"));
        }
    }

    @Test
    void aRefusedUpgradeReportsTheStatus() throws Exception {
        try (FakeWsServer server = FakeWsServer.refusing(401)) {
            RawWsClient.UpgradeRefusedException e = assertThrows(RawWsClient.UpgradeRefusedException.class,
                    () -> RawWsClient.connect(server.uri("/ws")));
            assertEquals(401, e.statusCode());
            assertTrue(e.statusLine().startsWith("HTTP/1.1 401"), e.statusLine());
            assertEquals("go away", e.body());
        }
        try (FakeWsServer server = FakeWsServer.refusing(403)) {
            assertEquals(403, RawWsClient.upgradeStatus(server.uri("/ws"), Map.of()));
        }
    }

    @Test
    void clientFramesAreMaskedAndArriveIntact() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            FakeWsServer.Peer peer = server.peer();
            client.sendJson(Map.of("type", "ping"));
            WsFrame frame = peer.readFrame();
            assertTrue(frame.masked());
            assertEquals(WsFrame.TEXT, frame.opcode());
            assertEquals("{\"type\":\"ping\"}", frame.text());

            client.sendFrame(WsFrame.TEXT, false, "{\"a\":".getBytes(StandardCharsets.UTF_8));
            client.sendFrame(WsFrame.CONTINUATION, true, "1}".getBytes(StandardCharsets.UTF_8));
            assertEquals(new WsFrame(WsFrame.TEXT, false, 0, true, "{\"a\":".getBytes(StandardCharsets.UTF_8)),
                    peer.readFrame());
            assertEquals(new WsFrame(WsFrame.CONTINUATION, true, 0, true, "1}".getBytes(StandardCharsets.UTF_8)),
                    peer.readFrame());
        }
    }

    @Test
    void canBreakTheRulesOnPurpose() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            FakeWsServer.Peer peer = server.peer();
            client.sendFrame(WsFrame.BINARY, true, 0b100, false, new byte[] {1, 2});
            assertEquals(new WsFrame(WsFrame.BINARY, true, 0b100, false, new byte[] {1, 2}), peer.readFrame());

            byte[] invalidUtf8 = {(byte) 0xC3, 0x28};
            client.sendTextBytes(invalidUtf8);
            assertArrayEquals(invalidUtf8, peer.readFrame().payload());

            client.sendRaw(new byte[] {(byte) 0x8A, 0x00});
            assertEquals(new WsFrame(WsFrame.PONG, true, 0, false, new byte[0]), peer.readFrame());
        }
    }

    @Test
    void pingsAreCountedAndSkippedButNeverAnsweredByDefault() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            FakeWsServer.Peer peer = server.peer();
            peer.send(WsFrame.PING, true, new byte[] {7});
            peer.sendText("{\"type\":\"welcome\"}");

            assertEquals("welcome", client.readTextJson().path("type").asText());
            assertEquals(1, client.pingsReceived());
            // Had the client answered the ping, the pong would come before this marker.
            client.sendText("marker");
            assertEquals("marker", peer.readFrame().text());
        }
    }

    @Test
    void autoPongAnswersWithThePingPayload() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.builder(server.uri("/ws")).autoPong(true).connect()) {
            FakeWsServer.Peer peer = server.peer();
            peer.send(WsFrame.PING, true, new byte[] {4, 2});
            WsFrame pong = peer.readFrame();
            assertEquals(WsFrame.PONG, pong.opcode());
            assertTrue(pong.masked());
            assertArrayEquals(new byte[] {4, 2}, pong.payload());
            assertEquals(1, client.pingsReceived());
        }
    }

    @Test
    void readTextJsonJoinsFragmentsAcrossInterleavedPings() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            FakeWsServer.Peer peer = server.peer();
            peer.send(WsFrame.TEXT, false, "{\"n\":".getBytes(StandardCharsets.UTF_8));
            peer.send(WsFrame.PING, true, new byte[0]);
            peer.send(WsFrame.CONTINUATION, true, "42}".getBytes(StandardCharsets.UTF_8));
            JsonNode message = client.readTextJson();
            assertEquals(42, message.path("n").asInt());
        }
    }

    @Test
    void awaitCloseReturnsTheServersCodeAndReason() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            FakeWsServer.Peer peer = server.peer();
            peer.sendText("{\"type\":\"bye\"}");
            peer.sendClose(1008, "policy");
            assertEquals(1008, client.awaitClose());
            assertEquals("policy", client.closeReason());

            client.close();
            WsFrame reply = peer.readFrame();
            assertEquals(1000, reply.closeCode());
        }
    }

    @Test
    void awaitCloseReturnsMinusOneWhenTheConnectionJustEnds() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            server.peer().drop();
            assertEquals(-1, client.awaitClose());
            assertTrue(client.awaitDisconnect(SHORT));
            assertNull(client.pollFrame(SHORT));
            AssertionError e = assertThrows(AssertionError.class, client::readTextJson);
            assertTrue(e.getMessage().contains("connection ended"), e.getMessage());
        }
    }

    @Test
    void awaitCloseFailsWhileTheConnectionStaysOpen() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            server.peer().sendText("{}");
            AssertionError e = assertThrows(AssertionError.class, () -> client.awaitClose(SHORT));
            assertTrue(e.getMessage().contains("still open"), e.getMessage());
            assertTrue(e.getMessage().contains("TEXT"), e.getMessage());
        }
    }

    @Test
    void suspendedReadingLeavesFramesUnread() throws Exception {
        try (FakeWsServer server = FakeWsServer.start();
             RawWsClient client = RawWsClient.connect(server.uri("/ws"))) {
            FakeWsServer.Peer peer = server.peer();
            client.suspendReading();
            for (int n = 1; n <= 3; n++) {
                peer.sendText("{\"n\":" + n + "}");
            }
            // The reader may already be parked in read() when suspended, so one frame can slip through.
            int slipped = 0;
            while (client.pollFrame(SHORT) != null) {
                slipped++;
            }
            assertTrue(slipped <= 1, "frames read while suspended: " + slipped);
            client.resumeReading();
            for (int n = slipped + 1; n <= 3; n++) {
                assertEquals(n, client.readTextJson().path("n").asInt());
            }
        }
    }
}
