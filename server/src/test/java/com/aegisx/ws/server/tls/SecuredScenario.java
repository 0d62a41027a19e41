package com.aegisx.ws.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import java.util.List;
import java.util.Map;

/**
 * What every TLS/ACL IT checks through its nodes, whatever the Redis form: two nodes started as
 * the restricted user over TLS register sockets, subscribe, fan out across nodes, and the publisher
 * client (same URL, same TLS files) reaches channels, users and connections, and sees the indexes.
 */
final class SecuredScenario {

    private SecuredScenario() {
    }

    static void nodesAndPublisherWork(TestCluster cluster) {
        TestClient alice = cluster.connectAs(0, "alice");
        TestClient watcher = cluster.connect(1);
        assertEquals("subscribed", watcher.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:1", "id", 1))
                .path("type").asText());
        assertEquals("subscribed", alice.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:1", "id", 2))
                .path("type").asText());

        WsPublisher publisher = cluster.publisher();
        assertEquals(2, publisher.broadcast("ward:1", Map.of("type", "vitals", "data", Map.of("hr", 72))),
                "both nodes listen to the channel");
        assertEquals(72, watcher.nextOfType("vitals").path("data").path("hr").asInt());
        assertEquals(72, alice.nextOfType("vitals").path("data").path("hr").asInt());
        publisher.sendToUser("alice", Map.of("type", "alert", "data", Map.of()));
        assertEquals("alert", alice.nextOfType("alert").path("type").asText());

        // The indexes the node wrote as the restricted user, read by the publisher client.
        assertTrue(publisher.isUserOnline("alice"));
        assertEquals(2, publisher.getConnectionsByChannel("ward:1").size());
        String aliceConnection = publisher.getConnectionsByUser("alice").get(0).id();
        assertTrue(publisher.sendToConnection(aliceConnection, Map.of("type", "direct", "data", Map.of("n", 1))));
        assertEquals(1, alice.nextOfType("direct").path("data").path("n").asInt());
        assertTrue(cluster.redis().hlen(cluster.keys().userConnections("alice")) >= 1, "registered in Redis");
    }

    /** CLIENT LIST lines of one Redis server whose user is the node user. */
    static long nodeUserClients(String clientList) {
        return List.of(clientList.split("\n")).stream().filter(l -> l.contains(" user=ws-node ")).count();
    }
}
