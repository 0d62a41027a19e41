package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The default channel rules over real sockets, on two nodes. */
class ChannelAuthorizationIT {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(2).env("CHANNEL_RULES",
            "user:**=owner_or_admin; admin:**=role:admin; reports:**=authenticated; **=public");


    private static JsonNode subscribe(TestClient client, String channel) {
        return client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", channel, "id", channel));
    }

    @Test
    void aUserNeverSubscribesToOrReceivesAnotherUsersChannels() {
        TestClient alice = cluster.connectAs(0, "alice");
        TestClient bob = cluster.connectAs(1, "bob");
        for (String channel : new String[] {"user:bob", "user:bob:notifications", "user:bob:a:b"}) {
            JsonNode refused = subscribe(alice, channel);
            assertEquals(ErrorCodes.FORBIDDEN, refused.path("code").asText(), channel);
        }
        // A lookalike id is not the owner either.
        assertEquals(ErrorCodes.FORBIDDEN, subscribe(alice, "user:alice2").path("code").asText());
        assertEquals("subscribed", subscribe(alice, "user:alice:notifications").path("type").asText());
        assertEquals("subscribed", subscribe(bob, "user:bob:notifications").path("type").asText());

        cluster.publisher().broadcast("user:bob:notifications", Map.of("type", "secret", "n", 1));
        cluster.publisher().sendToUser("bob", Map.of("type", "direct", "n", 2));
        cluster.publisher().broadcast("user:alice:notifications", Map.of("type", "mine", "n", 3));
        assertEquals("secret", bob.nextOfType("secret").path("type").asText());
        assertEquals("direct", bob.nextOfType("direct").path("type").asText());
        assertEquals("mine", alice.nextOfType("mine").path("type").asText());
        assertFalse(alice.received().stream().anyMatch(m -> m.path("type").asText().matches("secret|direct")));

        // Alice's status lists only her own subscriptions; there is no client query for others'.
        JsonNode status = alice.sendAndAwaitReply(Map.of("type", "get_status", "id", "st"));
        assertEquals("[\"user:alice:notifications\"]", status.path("data").path("channels").toString());
    }

    @Test
    void anAdminMaySubscribeToUserAndAdminChannels() {
        TestClient admin = cluster.connectAs(1, "root", "admin");
        assertEquals("subscribed", subscribe(admin, "user:bob").path("type").asText());
        assertEquals("subscribed", subscribe(admin, "admin:audit").path("type").asText());
    }

    @Test
    void anonymousConnectionsReachOnlyPublicChannels() {
        TestClient anonymous = cluster.connect(0);
        assertEquals("subscribed", subscribe(anonymous, "system:announcements").path("type").asText());
        assertEquals(ErrorCodes.AUTH_REQUIRED, subscribe(anonymous, "user:bob").path("code").asText());
        assertEquals(ErrorCodes.AUTH_REQUIRED, subscribe(anonymous, "admin:audit").path("code").asText());
        assertEquals(ErrorCodes.AUTH_REQUIRED, subscribe(anonymous, "reports:daily").path("code").asText());
    }

    @Test
    void aRoleGatedChannelRefusesEveryoneWithoutTheRole() {
        TestClient nurse = cluster.connectAs(0, "nurse1", "nurse", "staff");
        JsonNode refused = subscribe(nurse, "admin:audit");
        assertEquals(ErrorCodes.FORBIDDEN, refused.path("code").asText());
        assertEquals("Insufficient permissions for admin channels", refused.path("message").asText());
        assertEquals("subscribed", subscribe(nurse, "reports:daily").path("type").asText());
    }

    @Test
    void aRefreshedTokenWithFewerRolesDropsSubscriptionsItNoLongerAllows() {
        TestClient admin = cluster.connectAs(0, "demoted", "admin");
        assertEquals("subscribed", subscribe(admin, "admin:audit").path("type").asText());
        assertEquals("subscribed", subscribe(admin, "system:status").path("type").asText());
        admin.send(Map.of("type", "refresh_token", "token", TestCluster.token("demoted"), "id", "r"));
        JsonNode dropped = admin.nextOfType("unsubscribed", Duration.ofSeconds(10));
        assertEquals("admin:audit", dropped.path("channel").asText());
        assertEquals(ErrorCodes.FORBIDDEN, dropped.path("reason").asText());
        JsonNode status = admin.sendAndAwaitReply(Map.of("type", "get_status", "id", "st"));
        assertEquals("[\"system:status\"]", status.path("data").path("channels").toString());
    }
}
