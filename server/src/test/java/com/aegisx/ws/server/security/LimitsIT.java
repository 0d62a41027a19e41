package com.aegisx.ws.server.security;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each limit trips at its bound and not before, with its documented code. */
class LimitsIT {

    @Test
    void subscriptionLimitAllowsExactlyTheBound() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_SUBSCRIPTIONS", "3"))) {
            TestClient client = cluster.connect(0);
            for (int i = 0; i < 3; i++) {
                JsonNode reply = client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:" + i, "id", i));
                assertEquals("subscribed", reply.path("type").asText(), reply.toString());
            }
            // Subscribing again to a channel it already has is not a new subscription.
            assertEquals("subscribed", client.sendAndAwaitReply(
                    Map.of("type", "subscribe", "channel", "ward:0", "id", "again")).path("type").asText());
            JsonNode refused = client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:3", "id", 3));
            assertEquals("error", refused.path("type").asText());
            assertEquals(ErrorCodes.SUBSCRIPTION_LIMIT, refused.path("code").asText());
            assertEquals(3, cluster.redis().scard(cluster.keys().connectionChannels(connectionId(client))));
            // Freeing one place makes room again.
            client.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "ward:1", "id", "u"));
            assertEquals("subscribed", client.sendAndAwaitReply(
                    Map.of("type", "subscribe", "channel", "ward:3", "id", "s")).path("type").asText());
        }
    }

    @Test
    void subscriptionLimitHoldsWhenManySubscribesArriveAtOnce() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_SUBSCRIPTIONS", "5"))) {
            TestClient client = cluster.connect(0);
            for (int i = 0; i < 20; i++) {
                client.send(Map.of("type", "subscribe", "channel", "burst:" + i, "id", i));
            }
            int subscribed = 0;
            int refused = 0;
            for (int i = 0; i < 20; i++) {
                JsonNode reply = client.next();
                if ("subscribed".equals(reply.path("type").asText())) {
                    subscribed++;
                } else if (ErrorCodes.SUBSCRIPTION_LIMIT.equals(reply.path("code").asText())) {
                    refused++;
                }
            }
            assertEquals(5, subscribed);
            assertEquals(15, refused);
        }
    }

    @Test
    void payloadLimitClosesWith1009AboveTheBoundOnly() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_PAYLOAD", "1024"))) {
            TestClient client = cluster.connect(0);
            String padding = "x".repeat(1024 - "{\"type\":\"ping\",\"id\":1,\"pad\":\"\"}".length());
            String exactly = "{\"type\":\"ping\",\"id\":1,\"pad\":\"" + padding + "\"}";
            assertEquals(1024, exactly.length());
            client.send(exactly);
            assertEquals("pong", client.nextOfType("pong").path("type").asText());
            client.send("{\"type\":\"ping\",\"id\":2,\"pad\":\"" + padding + "x\"}");
            assertEquals(CloseCodes.MESSAGE_TOO_BIG, client.awaitClose().statusCode());
        }
    }

    @Test
    void channelNamesAreBoundedInLengthAndCharacters() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_CHANNEL_LENGTH", "20"))) {
            TestClient client = cluster.connect(0);
            String twenty = "a".repeat(10) + ":" + "b".repeat(9);
            assertEquals("subscribed", client.sendAndAwaitReply(
                    Map.of("type", "subscribe", "channel", twenty, "id", 1)).path("type").asText());
            JsonNode tooLong = client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", twenty + "c", "id", 2));
            assertEquals(ErrorCodes.INVALID_CHANNEL, tooLong.path("code").asText());
            for (String bad : List.of("a b", "a::b", "{tag}", "a*", ":a", "a:", "ü", "a\nb", "")) {
                JsonNode reply = client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", bad, "id", "x"));
                assertEquals("error", reply.path("type").asText(), bad);
            }
        }
    }

    @Test
    void rateLimitErrsAfterTheBurstThenCloses() throws Exception {
        // 1 message/s refill: the burst of 5 is the bound; the few milliseconds the test takes add no token.
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_RATE_LIMIT", "1",
                "WEBSOCKET_RATE_BURST", "5", "WEBSOCKET_RATE_LIMIT_TOLERANCE", "10"))) {
            TestClient client = cluster.connect(0);
            for (int i = 0; i < 5; i++) {
                client.send(Map.of("type", "ping", "id", i));
            }
            for (int i = 0; i < 5; i++) {
                JsonNode pong = client.next();
                assertEquals("pong", pong.path("type").asText(), "message " + i + " is within the burst: " + pong);
            }
            // Keep sending past the tolerance; the node may close the socket before the loop ends,
            // and a send on a closed socket fails, which is exactly what is expected here.
            for (int i = 5; i < 40 && client.isOpen(); i++) {
                try {
                    client.send(Map.of("type", "ping", "id", i));
                } catch (AssertionError closedMeanwhile) {
                    break;
                }
            }
            JsonNode error = client.nextOfType("error");
            assertEquals(ErrorCodes.RATE_LIMITED, error.path("code").asText());
            assertEquals(CloseCodes.RATE_LIMITED, client.awaitClose().statusCode());
        }
    }

    @Test
    void connectionsPerUserAreLimitedAcrossNodes() throws Exception {
        try (TestCluster cluster = TestCluster.start(2, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_USER", "2"))) {
            String token = TestCluster.token("carol");
            TestClient first = cluster.connect(0, "/ws", token);
            cluster.connect(1, "/ws", token);
            for (int node = 0; node < 2; node++) {
                var refused = TestClient.tryConnect(cluster.uri(node, "/ws"), Map.of("Authorization", "Bearer " + token));
                assertEquals(429, refused.statusCode(), "third connection of carol on node " + node);
            }
            // Another user is not affected.
            cluster.connectAs(1, "dave");
            // Closing one frees its place, cluster-wide.
            first.close();
            await().untilAsserted(() -> {
                var again = TestClient.tryConnect(cluster.uri(1, "/ws"), Map.of("Authorization", "Bearer " + token));
                assertEquals(101, again.statusCode());
                again.client().close();
            });
            // Refusals leave nothing behind: carol holds exactly her open sockets.
            await().untilAsserted(() -> assertEquals(1L, cluster.redis().hlen(cluster.keys().userConnections("carol"))));
        }
    }

    @Test
    void connectionsPerAddressAreLimitedAcrossNodes() throws Exception {
        try (TestCluster cluster = TestCluster.start(2, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "3"))) {
            List<TestClient> open = new ArrayList<>();
            open.add(cluster.connect(0));
            open.add(cluster.connectAs(1, "erin"));
            open.add(cluster.connect(1));
            assertEquals(429, TestClient.tryConnect(cluster.uri(0, "/ws"), Map.of()).statusCode());
            assertEquals(429, TestClient.tryConnect(cluster.uri(1, "/ws"),
                    Map.of("Authorization", "Bearer " + TestCluster.token("frank"))).statusCode());
            // X-Forwarded-For from an untrusted peer is ignored: it cannot dodge the limit.
            assertEquals(429, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("X-Forwarded-For", "10.1.2.3")));
            open.get(0).close();
            await().until(() -> TestClient.tryConnect(cluster.uri(0, "/ws"), Map.of()).statusCode() == 101);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedAddressIsCounted() throws Exception {
        try (TestCluster cluster = TestCluster.start(2, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "1",
                "TRUSTED_PROXIES", "127.0.0.0/8,::1"))) {
            RawWsClient a = RawWsClient.connect(cluster.uri(0, "/ws"), Map.of("X-Forwarded-For", "203.0.113.7"));
            RawWsClient b = RawWsClient.connect(cluster.uri(1, "/ws"), Map.of("X-Forwarded-For", "198.51.100.9"));
            JsonNode welcomeA = a.readTextJson();
            assertEquals("welcome", welcomeA.path("type").asText());
            assertEquals("welcome", b.readTextJson().path("type").asText());
            // The same client through the proxy again, on the other node: refused.
            assertEquals(429, RawWsClient.upgradeStatus(cluster.uri(1, "/ws"),
                    Map.of("X-Forwarded-For", "203.0.113.7")));
            // A client forging a leading entry is still identified by what our proxy appended.
            assertEquals(429, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                    Map.of("X-Forwarded-For", "1.2.3.4, 198.51.100.9")));
            assertEquals("203.0.113.7", cluster.redis().hget(
                    cluster.keys().connection(welcomeA.path("data").path("connectionId").asText()), "ip"));
            a.close();
            b.close();
        }
    }

    @Test
    void originsOutsideTheAllowListAreRefusedWith403() throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            String host = "127.0.0.1:" + cluster.node(0).port();
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of()), "no Origin: not a browser");
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Origin", "http://" + host)));
            assertEquals(403, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Origin", "https://evil.example")));
            assertEquals(403, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Origin", "null")));
            assertEquals(403, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Origin", "http://127.0.0.1:1")));
        }
        try (TestCluster cluster = TestCluster.start(1, Map.of("ALLOWED_ORIGINS",
                "https://app.hospital.example, https://*.erp.example"))) {
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                    Map.of("Origin", "https://app.hospital.example")));
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                    Map.of("Origin", "https://finance.erp.example")));
            assertEquals(403, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                    Map.of("Origin", "http://app.hospital.example")));
            assertEquals(403, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                    Map.of("Origin", "https://erp.example.evil.example")));
            // A valid token does not override the Origin check.
            assertEquals(403, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Origin", "https://evil.example",
                    "Authorization", "Bearer " + TestCluster.token("alice"))));
        }
        try (TestCluster cluster = TestCluster.start(1, Map.of("ALLOWED_ORIGINS", "*"))) {
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Origin", "https://evil.example")));
        }
    }

    static String connectionId(TestClient client) {
        JsonNode welcome = client.received().stream().filter(m -> "welcome".equals(m.path("type").asText()))
                .findFirst().orElseThrow();
        String id = welcome.path("data").path("connectionId").asText();
        assertTrue(id.startsWith("ws_"));
        return id;
    }
}
