package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.testing.TestClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publisher client's user and connection operations, across two nodes. */
class PublisherOperationsIT {

    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }


    @Test
    void aClosedConnectionOnALiveNodeIsReportedAsMissing() {
        TestClient client = cluster.connect(0);
        String id = client.connectionId();
        WsPublisher publisher = cluster.publisher();
        assertTrue(publisher.sendToConnection(id, Map.of("type", "x")));
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.redis().exists(cluster.keys().connection(id)).equals(1L));
        // The node is alive, the connection is not: nobody would get it.
        assertFalse(publisher.sendToConnection(id, Map.of("type", "x")));
        assertFalse(publisher.subscribeToChannel(id, "any:channel"));
        assertFalse(publisher.disconnectConnection(id, CloseCodes.DISCONNECTED_BY_SERVER, "gone"));
        String liveNodeButUnknown = "ws_" + cluster.node(0).nodeId() + "_neverExisted";
        assertFalse(cluster.manager(1).sendToConnection(liveNodeButUnknown, Map.of("type", "x")));
    }

    @Test
    void disconnectUserClosesTheUsersSocketsOnEveryNodeAndNobodyElses() {
        TestClient a0 = cluster.connectAs(0, "carol");
        TestClient a1 = cluster.connectAs(1, "carol");
        TestClient other = cluster.connectAs(1, "dave");
        WsPublisher publisher = cluster.publisher();
        assertTrue(publisher.isUserOnline("carol"));
        assertFalse(publisher.isUserOnline("nobody"));
        assertEquals(2, publisher.getOnlineUserCount(), "carol (two sockets) and dave");

        assertEquals(2, publisher.disconnectUser("carol", 4010, "account locked"));
        TestClient.CloseInfo closed = a0.awaitClose(Duration.ofSeconds(10));
        assertEquals(4010, closed.statusCode());
        assertEquals("account locked", closed.reason());
        assertEquals(4010, a1.awaitClose(Duration.ofSeconds(10)).statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> !publisher.isUserOnline("carol"));
        // The online count follows the user index (kept by the same scripts), on every shard.
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.getOnlineUserCount() == 1);
        assertTrue(other.isOpen());
        assertTrue(cluster.manager(0).isUserOnline("dave"));
        assertEquals(1, cluster.manager(0).disconnectUser("dave", 1000, "bye"));
        assertEquals(1000, other.awaitClose(Duration.ofSeconds(10)).statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.getOnlineUserCount() == 0);
    }

    @Test
    void theOnlineUserCountNeedsNoKeyspaceScan() {
        // Many users on both nodes: one socket each, and a second one for every third user.
        java.util.List<TestClient> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sockets.add(cluster.connectAs(i % 2, "user-" + i));
            if (i % 3 == 0) {
                sockets.add(cluster.connectAs((i + 1) % 2, "user-" + i));
            }
        }
        cluster.connect(0); // anonymous: not a user
        WsPublisher publisher = cluster.publisher();
        assertEquals(30, publisher.getOnlineUserCount());
        // The count is kept, not scanned: it does not see user index keys nobody registered.
        cluster.redis().hset(cluster.keys().userConnections("ghost"), "ws_x_y", "x");
        assertEquals(30, publisher.getOnlineUserCount());
        sockets.get(0).close(); // user-0 keeps its second socket
        sockets.get(2).close(); // user-1's only socket
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.getOnlineUserCount() == 29);
        assertTrue(publisher.isUserOnline("user-0"));
    }
}
