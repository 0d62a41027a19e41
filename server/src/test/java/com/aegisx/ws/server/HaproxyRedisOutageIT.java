package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.aegisx.ws.server.testing.HaproxyProcess;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.RedisFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Redis outage behind the shipped docker/haproxy.cfg: every node's /ready turns 503, so HAProxy
 * marks them all down and stops sending new connections, but the WebSockets it already carries stay
 * open and get their messages again once Redis is back (as they do without a balancer:
 * RedisOutageIT). Before, HAProxy cut every session of a node marked down, so a Redis restart or a
 * Sentinel failover disconnected every client of the tier at once.
 */
class HaproxyRedisOutageIT {

    private static int status(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void socketsThroughTheBalancerOutliveARedisOutage() throws Exception {
        HaproxyProcess.requireInstalled();
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, Map.of(), List.of());
             HaproxyProcess haproxy = HaproxyProcess.start(List.of(cluster.node(0).port()));
             RawWsClient client = RawWsClient.connect(URI.create("ws://127.0.0.1:" + haproxy.port() + "/ws"))) {
            URI balancedHealth = URI.create("http://127.0.0.1:" + haproxy.port() + "/health");
            assertEquals("welcome", client.readTextJson().path("type").asText());
            client.sendJson(Map.of("type", "subscribe", "channel", "ward:7"));
            assertEquals("subscribed", client.readTextJson().path("type").asText());

            redis.stopServer();
            await().atMost(Duration.ofSeconds(15)).until(() -> status(cluster.http(0, "/ready")) == 503);
            // The node itself answers /health with 200 throughout: a 503 through HAProxy is HAProxy's
            // own "no server available", i.e. it has marked the node down.
            await().atMost(Duration.ofSeconds(15)).until(() -> status(balancedHealth) == 503);
            assertEquals(200, status(cluster.http(0, "/health")));

            redis.startServer();
            await().atMost(Duration.ofSeconds(40)).until(() -> status(cluster.http(0, "/ready")) == 200);
            assertFalse(client.isDisconnected(), "HAProxy kept the session of the node it marked down");
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    cluster.publisher().broadcast("ward:7", Map.of("type", "after_outage")) > 0);
            assertEquals("after_outage", client.readTextJson().path("type").asText());
        }
    }
}
