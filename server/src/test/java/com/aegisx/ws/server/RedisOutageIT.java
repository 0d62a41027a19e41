package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.ConnectionInfo;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away and comes back empty (no persistence): sockets stay open, readiness drops and
 * returns, and the node registers its connections and subscriptions again by itself.
 */
class RedisOutageIT {

    private static int status(TestCluster cluster, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.http(0, path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theNodeRecoversItsStateAfterRedisRestartsEmpty() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, Map.of(), List.of())) {
            TestClient client = cluster.connectAs(0, "frank");
            client.send(Map.of("type", "subscribe", "channel", "ward:12"));
            client.nextOfType("subscribed");
            assertEquals(200, status(cluster, "/ready"));

            redis.stopServer();
            await().atMost(Duration.ofSeconds(15)).until(() -> status(cluster, "/ready") == 503);
            assertEquals(200, status(cluster, "/health"), "the process itself is fine");
            assertTrue(client.isOpen(), "sockets stay open through a Redis outage");

            redis.startServer();
            await().atMost(Duration.ofSeconds(40)).until(() -> status(cluster, "/ready") == 200);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    cluster.publisher().getConnectionsByChannel("ward:12").size() == 1);
            ConnectionInfo info = cluster.publisher().getConnectionsByUser("frank").get(0);
            assertEquals(cluster.node(0).nodeId(), info.nodeId());

            await().atMost(Duration.ofSeconds(20)).until(() ->
                    cluster.publisher().broadcast("ward:12", Map.of("type", "after_outage")) > 0);
            assertEquals("after_outage", client.nextOfType("after_outage").path("type").asText());
            cluster.publisher().sendToUser("frank", Map.of("type", "user_again"));
            assertEquals("user_again", client.nextOfType("user_again").path("type").asText());
        }
    }
}
