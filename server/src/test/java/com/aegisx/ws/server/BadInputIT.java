package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input of every kind gets the documented error or close code; the same connection (when not
 * closed) and a bystander keep working.
 */
class BadInputIT {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(1).env("WEBSOCKET_MAX_PAYLOAD", "4096");
    private TestClient bystander;

    @BeforeEach
    void bystander() {
        bystander = cluster.connect(0);
        bystander.send(Map.of("type", "subscribe", "channel", "bystander:feed"));
        bystander.nextOfType("subscribed");
    }

    @AfterEach
    void bystanderStillServed() {
        cluster.publisher().broadcast("bystander:feed", Map.of("type", "still_served"));
        assertEquals("still_served", bystander.nextOfType("still_served").path("type").asText());
        bystander.close();
    }

    private static void assertError(TestClient client, String code) {
        JsonNode error = client.nextOfType("error");
        assertEquals(code, error.path("code").asText(), error.toString());
        assertTrue(error.path("message").asText().length() > 5, "a human message: " + error);
    }

    private static void assertStillWorks(TestClient client) {
        client.send(Map.of("type", "ping", "id", "alive"));
        JsonNode pong = client.nextOfType("pong");
        assertEquals("alive", pong.path("id").asText());
    }

    @Test
    void eachBadMessageGetsItsErrorAndChangesNothing() {
        TestClient client = cluster.connectAs(0, "alice");

        client.send("this is not json");
        assertError(client, ErrorCodes.INVALID_JSON);
        client.send("[1,2,3]");
        assertError(client, ErrorCodes.INVALID_JSON);
        client.send(Map.of("type", "teleport", "id", 1));
        JsonNode unknown = client.nextOfType("error");
        assertEquals(ErrorCodes.UNKNOWN_TYPE, unknown.path("code").asText());
        assertEquals(1, unknown.path("id").asInt(), "the id is echoed in errors too");
        client.send(Map.of("channel", "no:type"));
        assertError(client, ErrorCodes.MISSING_FIELD);
        client.send(Map.of("type", "subscribe"));
        assertError(client, ErrorCodes.MISSING_FIELD);
        client.send(Map.of("type", "subscribe", "channel", 42));
        assertError(client, ErrorCodes.INVALID_CHANNEL);
        client.send(Map.of("type", "subscribe", "channel", "bad channel{with}braces"));
        assertError(client, ErrorCodes.INVALID_CHANNEL);
        client.send(Map.of("type", "subscribe", "channel", "x".repeat(300)));
        assertError(client, ErrorCodes.INVALID_CHANNEL);
        client.send(Map.of("type", "subscribe", "channel", "user:bob:alerts"));
        assertError(client, ErrorCodes.FORBIDDEN);
        client.send(Map.of("type", "subscribe", "channel", "admin:audit"));
        assertError(client, ErrorCodes.FORBIDDEN);
        client.send(Map.of("type", "unsubscribe", "channel", "never:subscribed"));
        assertError(client, ErrorCodes.NOT_SUBSCRIBED);

        client.send(Map.of("type", "get_status"));
        assertEquals(0, client.nextOfType("status").path("data").path("channels").size(), "nothing was subscribed");
        assertTrue(cluster.manager(0).getConnectionsByChannel("user:bob:alerts").isEmpty());
        assertStillWorks(client);

        client.send(Map.of("type", "subscribe", "channel", "user:alice:alerts"));
        assertEquals("user:alice:alerts", client.nextOfType("subscribed").path("channel").asText(),
                "a user's own channel is allowed");
    }

    @Test
    void anonymousConnectionsGetNoUserChannels() {
        TestClient anonymous = cluster.connect(0);
        anonymous.send(Map.of("type", "subscribe", "channel", "user:alice"));
        assertError(anonymous, ErrorCodes.AUTH_REQUIRED);
        assertStillWorks(anonymous);
    }

    @Test
    void anAdminMaySubscribeToAdminChannels() {
        TestClient admin = cluster.connectAs(0, "root", "admin");
        admin.send(Map.of("type", "subscribe", "channel", "admin:audit"));
        assertEquals("admin:audit", admin.nextOfType("subscribed").path("channel").asText());
    }

    @Test
    void aFrameOverThePayloadLimitClosesWith1009() {
        TestClient client = cluster.connect(0);
        client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}");
        assertEquals(CloseCodes.MESSAGE_TOO_BIG, client.awaitClose().statusCode());
    }

    @Test
    void aBinaryFrameClosesWith1003() {
        TestClient client = cluster.connect(0);
        client.sendBinary(new byte[] {1, 2, 3});
        assertEquals(CloseCodes.UNSUPPORTED_DATA, client.awaitClose().statusCode());
    }

    @Test
    void healthSocketAnswersAndClosesNormally() throws Exception {
        TestClient health = TestClient.connect(cluster.uri(0, "/ws/health"));
        JsonNode message = health.next();
        assertEquals("health", message.path("type").asText());
        assertEquals("ok", message.path("status").asText());
        assertTrue(message.path("timestamp").asText().endsWith("Z"));
        assertEquals(CloseCodes.NORMAL, health.awaitClose().statusCode());

        HttpClient http = HttpClient.newHttpClient();
        for (String path : new String[] {"/health", "/ready"}) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(cluster.http(0, path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), path + ": " + response.body());
        }
    }

    @Test
    void aForgedTicketHeaderIsIgnored() {
        TestClient forged = TestClient.connect(cluster.uri(0, "/ws"), Map.of("X-Ws-Upgrade-Ticket", "guess"));
        JsonNode welcome = forged.nextOfType("welcome");
        assertTrue(welcome.path("data").path("userId").isNull(), "still anonymous");
        URI unused = cluster.uri(0, "/ws");
        assertTrue(unused.toString().startsWith("ws://"));
    }
}
