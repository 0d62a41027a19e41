package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.TestClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GET /metrics speaks Prometheus text and its meters follow what the node does. */
class MetricsIT {

    private static HttpResponse<String> scrape(TestCluster cluster) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.management(0, "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample of {@code metric} (any labels), or -1 when absent. */
    private static double sample(String body, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(2)) : -1;
    }

    @Test
    void metersFollowConnectionsAndDeliveries() throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            HttpResponse<String> empty = scrape(cluster);
            assertEquals(200, empty.statusCode());
            assertTrue(empty.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
            assertEquals(0.0, sample(empty.body(), "ws_connections"));
            assertEquals(0.0, sample(empty.body(), "ws_pubsub_replaced_dropped_total"), "exported");
            assertTrue(sample(empty.body(), "ws_redis_read_pauses_total") >= 0, "exported");

            TestClient client = cluster.connect(0);
            client.send(Map.of("type", "subscribe", "channel", "metrics:test"));
            client.nextOfType("subscribed");
            double deliveredBefore = sample(scrape(cluster).body(), "ws_messages_out_total");
            cluster.publisher().broadcast("metrics:test", Map.of("type", "counted"));
            client.nextOfType("counted");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String body = scrape(cluster).body();
                assertEquals(1.0, sample(body, "ws_connections"));
                assertEquals(1.0, sample(body, "ws_channels"));
                assertEquals(deliveredBefore + 1, sample(body, "ws_messages_out_total"));
                assertEquals(1.0, sample(body, "ws_node_ready"));
                assertTrue(sample(body, "jvm_memory_used_bytes") > 0, "JVM meters are bound");
            });
        }
    }
}
