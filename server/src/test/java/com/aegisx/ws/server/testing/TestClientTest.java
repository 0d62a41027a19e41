package com.aegisx.ws.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestClientTest {

    private static final Duration SHORT = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeWsServer server;
    private TestClient client;

    @BeforeEach
    void startServer() throws Exception {
        server = FakeWsServer.start();
    }

    @AfterEach
    void stopBoth() throws Exception {
        // Server first: the fake never answers a close frame, so the client's close() would
        // otherwise wait out its closing-handshake timeout.
        server.close();
        if (client != null) {
            client.close();
        }
    }

    @Test
    void receivesWholeJsonMessagesInOrder() throws Exception {
        client = TestClient.connect(server.uri("/ws"), Map.of("X-Test", "1"));
        FakeWsServer.Peer peer = server.peer();
        assertTrue(peer.request.contains("X-Test: 1"), peer.request);
        peer.sendText("{\"type\":\"welcome\"}");
        peer.send(WsFrame.TEXT, false, "{\"type\":".getBytes(StandardCharsets.UTF_8));
        peer.send(WsFrame.CONTINUATION, true, "\"big\"}".getBytes(StandardCharsets.UTF_8));
        peer.sendText("not json");

        assertEquals("welcome", client.next().path("type").asText());
        assertEquals("big", client.next().path("type").asText());
        assertEquals("not json", client.next().asText());
        assertNull(client.poll(SHORT));
        assertEquals(3, client.received().size());
        assertTrue(client.isOpen());
    }

    @Test
    void nextOfTypeKeepsWhatItSkips() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        FakeWsServer.Peer peer = server.peer();
        peer.sendText("{\"type\":\"a\"}");
        peer.sendText("{\"type\":\"b\"}");
        peer.sendText("{\"type\":\"c\"}");

        assertEquals("c", client.nextOfType("c").path("type").asText());
        assertEquals("a", client.next().path("type").asText());
        assertEquals("b", client.nextOfType("b").path("type").asText());
        client.assertNoMessage(SHORT);
    }

    @Test
    void failuresSayWhatWasReceived() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        server.peer().sendText("{\"type\":\"welcome\"}");
        AssertionError missing = assertThrows(AssertionError.class, () -> client.nextOfType("pong", SHORT));
        assertTrue(missing.getMessage().contains("\"welcome\""), missing.getMessage());

        AssertionError unexpected = assertThrows(AssertionError.class, () -> client.assertNoMessage(SHORT));
        assertTrue(unexpected.getMessage().contains("welcome"), unexpected.getMessage());
    }

    @Test
    void sendsJsonTextAndBinaryAsMaskedFrames() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        FakeWsServer.Peer peer = server.peer();
        client.send(Map.of("type", "subscribe", "channel", "news"));
        WsFrame frame = peer.readFrame();
        assertTrue(frame.masked());
        assertEquals(JSON.readTree("{\"type\":\"subscribe\",\"channel\":\"news\"}"), JSON.readTree(frame.text()));

        client.send("{oops");
        assertEquals("{oops", peer.readFrame().text());

        client.sendBinary(new byte[] {1, 2, 3});
        WsFrame binary = peer.readFrame();
        assertEquals(WsFrame.BINARY, binary.opcode());
        assertArrayEquals(new byte[] {1, 2, 3}, binary.payload());
    }

    @Test
    void sendAndAwaitReplyMatchesTheEchoedId() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        FakeWsServer.Peer peer = server.peer();
        Thread echo = new Thread(() -> {
            try {
                JsonNode request = JSON.readTree(peer.readFrame().text());
                peer.sendText("{\"type\":\"news\"}");
                peer.sendText("{\"type\":\"pong\",\"id\":" + request.get("id") + "}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        echo.start();
        JsonNode reply = client.sendAndAwaitReply(Map.of("type", "ping"));
        assertEquals("pong", reply.path("type").asText());
        assertEquals("news", client.next().path("type").asText());
        echo.join(10_000);
    }

    @Test
    void answersPingsLikeABrowser() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        FakeWsServer.Peer peer = server.peer();
        peer.send(WsFrame.PING, true, new byte[] {9});
        WsFrame pong = peer.readFrame();
        assertEquals(WsFrame.PONG, pong.opcode());
        assertArrayEquals(new byte[] {9}, pong.payload());
        // The JDK may send the pong before it tells the listener about the ping.
        await().atMost(Duration.ofSeconds(5)).until(() -> client.pingsReceived() == 1);
    }

    @Test
    void reportsTheServersCloseAndThenFailsFast() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        server.peer().sendClose(4001, "bye");
        TestClient.CloseInfo close = client.awaitClose();
        assertEquals(4001, close.statusCode());
        assertEquals("bye", close.reason());
        AssertionError e = assertTimeout(Duration.ofSeconds(2),
                () -> assertThrows(AssertionError.class, client::next));
        assertTrue(e.getMessage().contains("closed 4001"), e.getMessage());
        assertFalse(client.isOpen());
    }

    @Test
    void closeIsIdempotentAndQuickWhenTheServerIsGone() throws Exception {
        client = TestClient.connect(server.uri("/ws"));
        server.peer().drop();
        assertEquals(1006, client.awaitClose().statusCode());
        assertTimeout(Duration.ofSeconds(2), () -> {
            client.close();
            client.close();
        });
    }

    @Test
    void tryConnectReportsARefusedUpgrade() throws Exception {
        try (FakeWsServer refusing = FakeWsServer.refusing(403)) {
            TestClient.HandshakeResult result = TestClient.tryConnect(refusing.uri("/ws"), Map.of(), List.of("v1"));
            assertFalse(result.upgraded());
            assertEquals(403, result.statusCode());
        }
        try (FakeWsServer refusing = FakeWsServer.refusing(401)) {
            AssertionError e = assertThrows(AssertionError.class, () -> TestClient.connect(refusing.uri("/ws")));
            assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        }
    }
}
