package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.testing.TestClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 10, safer defaults: the bare family channels, and tokens that must end. */
class SaferDefaultsIT {

    private static String withoutExpiry(String userId) {
        return JWT.create().withSubject(userId).sign(Algorithm.HMAC256(TestCluster.SECRET));
    }

    @Test
    void theBareAdminAndUserChannelsAreNotPublic() throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            TestClient anonymous = cluster.connect(0);
            for (String channel : new String[] {"admin", "user"}) {
                JsonNode reply = anonymous.sendAndAwaitReply(Map.of("type", "subscribe", "channel", channel, "id", 1));
                assertEquals("error", reply.path("type").asText(), channel + ": " + reply);
                assertEquals(AccessDecision.AUTH_REQUIRED, reply.path("code").asText());
            }
            TestClient admin = cluster.connectAs(0, "root", "admin");
            assertEquals("subscribed", admin.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "admin", "id", 1))
                    .path("type").asText());
        }
    }

    @Test
    void underAuthRequiredTokensMustExpireAndARefreshCannotRemoveTheExpiry() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("AUTH_REQUIRED", "true"))) {
            var refused = TestClient.tryConnect(cluster.uri(0, "/ws"),
                    Map.of("Authorization", "Bearer " + withoutExpiry("carol")));
            assertEquals(401, refused.statusCode(), "a token without exp is refused at the upgrade");

            TestClient carol = cluster.connectAs(0, "carol");
            JsonNode reply = carol.sendAndAwaitReply(Map.of("type", "refresh_token", "token", withoutExpiry("carol"),
                    "id", "r"));
            assertEquals("error", reply.path("type").asText(), reply.toString());
            assertEquals(ErrorCodes.INVALID_TOKEN, reply.path("code").asText());
            assertEquals("missing_expiry", reply.path("reason").asText());
            // The socket keeps the identity it had, expiry included.
            Instant expiry = cluster.node(0).hub().connections().iterator().next().identity().expiresAt();
            assertNotNull(expiry, "the socket still expires");
        }
    }

    @Test
    void requiringExpiryCanBeTurnedOffExplicitly() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("AUTH_REQUIRED", "true", "JWT_REQUIRE_EXP", "false"))) {
            TestClient dave = cluster.connect(0, "/ws", withoutExpiry("dave"));
            assertEquals("dave", dave.sendAndAwaitReply(Map.of("type", "get_status", "id", 1))
                    .path("data").path("userId").asText());
        }
    }
}
