package com.aegisx.ws.server.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opt-in channel presence (PRESENCE_CHANNELS=room:*) with subscribers on two nodes. */
class ChannelPresenceIT {

    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2, Map.of("PRESENCE_CHANNELS", "room:*"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static JsonNode subscribe(TestClient client, String channel) {
        return client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", channel, "id", "sub-" + channel));
    }


    @Test
    void subscribersSeeJoinsAndLeavesAndCanAskWhoIsThere() {
        TestClient ann = cluster.connectAs(0, "ann");
        TestClient ben = cluster.connectAs(1, "ben");
        assertEquals("subscribed", subscribe(ann, "room:1").path("type").asText());
        assertEquals("ann", ann.nextOfType("presence_join").path("userId").asText(), "one's own join comes too");

        subscribe(ben, "room:1");
        JsonNode join = ann.nextOfType("presence_join");
        assertEquals("ben", join.path("userId").asText());
        assertEquals(ben.connectionId(), join.path("connectionId").asText());
        assertEquals("room:1", join.path("channel").asText());

        JsonNode presence = ann.sendAndAwaitReply(Map.of("type", "presence", "channel", "room:1", "id", "p"));
        assertEquals("presence", presence.path("type").asText(), presence.toString());
        assertEquals(2, presence.path("count").asInt());
        Set<String> users = new TreeSet<>();
        presence.path("members").forEach(m -> users.add(m.path("userId").asText()));
        assertEquals(Set.of("ann", "ben"), users);

        ben.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "room:1", "id", "u"));
        assertEquals("ben", ann.nextOfType("presence_leave").path("userId").asText());

        TestClient cat = cluster.connectAs(1, "cat");
        subscribe(cat, "room:1");
        assertEquals("cat", ann.nextOfType("presence_join").path("userId").asText());
        cat.close();
        assertEquals("cat", ann.nextOfType("presence_leave").path("userId").asText(), "a closed socket leaves too");
    }

    @Test
    void onlySubscribersOfCoveredChannelsMayAsk() {
        TestClient dan = cluster.connectAs(0, "dan");
        assertEquals("not_subscribed", dan.sendAndAwaitReply(
                Map.of("type", "presence", "channel", "room:2", "id", 1)).path("code").asText());
        subscribe(dan, "lobby");
        assertEquals("forbidden", dan.sendAndAwaitReply(
                Map.of("type", "presence", "channel", "lobby", "id", 2)).path("code").asText());
        dan.send(Map.of("type", "ping", "id", 3));
        assertEquals("pong", dan.nextOfType("pong").path("type").asText());
        dan.assertNoMessage(java.time.Duration.ofMillis(200)); // no presence_join on a channel without presence
    }
}
