package com.aegisx.ws.server.security;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.core.ConnectionGuard;
import com.aegisx.ws.server.testing.TestClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A token that expires during a connection: warned, then closed with 4003, unless refreshed. */
class TokenExpiryIT {

    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.start(1, Map.of("JWT_LEEWAY_SECONDS", "0", "TOKEN_EXPIRY_WARNING", "1500"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static String tokenExpiringIn(String userId, Duration ttl) {
        return JWT.create().withSubject(userId).withExpiresAt(Instant.now().plus(ttl))
                .sign(Algorithm.HMAC256(TestCluster.SECRET));
    }

    @Test
    void theClientIsWarnedThenClosedWithTokenExpired() {
        TestClient client = cluster.connect(0, "/ws", tokenExpiringIn("gina", Duration.ofSeconds(3)));
        JsonNode warning = client.nextOfType(ConnectionGuard.TOKEN_EXPIRING, Duration.ofSeconds(10));
        assertTrue(warning.path("expiresAt").asText().endsWith("Z"));
        assertEquals(CloseCodes.TOKEN_EXPIRED, client.awaitClose(Duration.ofSeconds(10)).statusCode());
    }

    @Test
    void aFreshTokenOfTheSameUserKeepsTheConnectionOpen() {
        Instant oldExpiry = Instant.now().plusSeconds(3);
        TestClient client = cluster.connect(0, "/ws", tokenExpiringIn("hank", Duration.ofSeconds(3)));
        client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:7", "id", "s"));
        client.nextOfType(ConnectionGuard.TOKEN_EXPIRING, Duration.ofSeconds(10));

        JsonNode otherUser = client.sendAndAwaitReply(Map.of("type", "refresh_token", "id", "r1",
                "token", TestCluster.token("mallory")));
        assertEquals(ErrorCodes.FORBIDDEN, otherUser.path("code").asText());
        JsonNode garbage = client.sendAndAwaitReply(Map.of("type", "refresh_token", "id", "r2", "token", "garbage"));
        assertEquals(ErrorCodes.INVALID_TOKEN, garbage.path("code").asText());
        JsonNode expired = client.sendAndAwaitReply(Map.of("type", "refresh_token", "id", "r3",
                "token", tokenExpiringIn("hank", Duration.ofSeconds(-60))));
        assertEquals("token_expired", expired.path("reason").asText());

        JsonNode refreshed = client.sendAndAwaitReply(Map.of("type", "refresh_token", "id", "r4",
                "token", tokenExpiringIn("hank", Duration.ofHours(1))));
        assertEquals(ConnectionGuard.TOKEN_REFRESHED, refreshed.path("type").asText());

        // Past the old expiry, the connection still receives broadcasts.
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(oldExpiry.plusSeconds(1)));
        cluster.publisher().broadcast("ward:7", Map.of("type", "vitals", "bpm", 72));
        assertEquals(72, client.nextOfType("vitals").path("bpm").asInt());
        assertTrue(client.isOpen());
    }

    @Test
    void aRefreshKeepsWhatABackendSubscribedTheSocketToPastTheRules() {
        TestClient client = cluster.connect(0, "/ws", TestCluster.token("jill"));
        String connectionId = client.connectionId();
        // A backend's decision (trusted, past the channel rules): admin:** is not jill's by the rules.
        cluster.publisher().subscribeToChannel(connectionId, "admin:incident-42");
        assertEquals("admin:incident-42", client.nextOfType("subscribed").path("channel").asText());

        // A routine refresh with the same roles: nothing the backend granted may go.
        JsonNode refreshed = client.sendAndAwaitReply(Map.of("type", "refresh_token", "id", "r",
                "token", tokenExpiringIn("jill", Duration.ofHours(1))));
        assertEquals(ConnectionGuard.TOKEN_REFRESHED, refreshed.path("type").asText());
        JsonNode status = client.sendAndAwaitReply(Map.of("type", "get_status", "id", "s"));
        assertEquals("[\"admin:incident-42\"]", status.path("data").path("channels").toString(),
                "received: " + client.received());
        cluster.publisher().broadcast("admin:incident-42", Map.of("type", "incident", "n", 1));
        assertEquals(1, client.nextOfType("incident").path("n").asInt());
    }

    @Test
    void anonymousConnectionsCannotRefresh() {
        TestClient client = cluster.connect(0);
        JsonNode reply = client.sendAndAwaitReply(Map.of("type", "refresh_token", "id", 1,
                "token", TestCluster.token("ivan")));
        assertEquals(ErrorCodes.FORBIDDEN, reply.path("code").asText());
        JsonNode status = client.sendAndAwaitReply(Map.of("type", "get_status", "id", 2));
        assertTrue(status.path("data").path("userId").isNull());
    }
}
