package com.aegisx.ws.server.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TcpProxy;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.testing.TestClient.CloseInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A resume that takes over a socket open on another node closes it with 4005 even when the first
 * close command is lost: that node's inbox is pub/sub, at most once, and its pub/sub link can be
 * down at that moment (renewed, reconnecting after a failover). Here node 0 reaches Redis through a
 * TCP proxy that cuts its links and refuses new ones while the resume happens on node 1, so the
 * command is published to no subscriber; its socket must still be closed once node 0 is back.
 */
class RemoteTakeoverIT {

    /** Long enough that node 1 does not sweep node 0 while its links are cut (the default in tests is 1 s). */
    private static final Map<String, String> SLOW_SWEEP = Map.of("NODE_HEARTBEAT_TIMEOUT", "60000");

    private static TestClient connect(TestCluster cluster, int node) {
        return TestClient.connect(cluster.uri(node, "/ws"), Map.of("Authorization", "Bearer " + TestCluster.token("rita")));
    }

    @Test
    void aLostTakeoverCommandIsSentAgainUntilTheOldSocketIsClosed() throws Exception {
        RedisFixture redis = RedisFixture.shared();
        URI target = URI.create(redis.url());
        try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort());
             TestCluster cluster = TestCluster.start(redis, 0, SLOW_SWEEP, List.of())) {
            cluster.addNode(Map.of("REDIS_URL", proxy.url()));
            cluster.addNode();
            TestClient old = connect(cluster, 0);
            JsonNode welcome = old.nextOfType("welcome").path("data");
            String oldId = welcome.path("connectionId").asText();
            String token = welcome.path("resumeToken").asText();
            old.send(Map.of("type", "subscribe", "channel", "plain:r"));
            old.nextOfType("subscribed");
            TestClient fresh = connect(cluster, 1);
            fresh.nextOfType("welcome");

            // Node 0 loses its Redis links and cannot get them back: nobody hears its inbox.
            String inbox = cluster.keys().inbox(Identifiers.nodeOf(oldId));
            proxy.refuse(true);
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.redis().pubsubNumsub(inbox).get(inbox) == 0);

            fresh.send(Map.of("type", "resume", "token", token));
            assertEquals("[\"plain:r\"]", fresh.nextOfType("resumed").path("channels").toString());
            // The resume's close command went to no subscriber: the old socket is still open.
            assertTrue(old.isOpen(), "the first close command is lost");

            proxy.refuse(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.redis().pubsubNumsub(inbox).get(inbox) == 1);
            CloseInfo close = old.awaitClose(Duration.ofSeconds(60));
            assertEquals(CloseCodes.TAKEN_OVER, close.statusCode(), close.toString());
            assertEquals("session resumed elsewhere", close.reason());
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    cluster.redis().exists(cluster.keys().connection(oldId)) == 0);
            // Closed as taken over: it keeps nothing for a resume (its token is used).
            assertEquals(0, cluster.redis().exists(cluster.keys().resume(oldId)));
            cluster.publisher().broadcast("plain:r", Map.of("type", "live"));
            fresh.nextOfType("live");
        }
    }
}
