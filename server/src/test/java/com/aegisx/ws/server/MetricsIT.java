package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.TestClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    /**
     * The README's metrics table against a live scrape: every metric it lists is exported with that
     * type, and every {@code ws_} metric the node exports is listed (a timer's {@code _max} gauge
     * goes with its histogram). Compared by name and type only, so descriptions may change freely.
     */
    @Test
    void theReadmeMetricsTableMatchesWhatTheNodeExports() throws Exception {
        Map<String, String> documented = documentedMetrics(Files.readAllLines(Path.of("..", "README.md")));
        try (TestCluster cluster = TestCluster.start(1)) {
            TestClient client = cluster.connect(0);
            client.send(Map.of("type", "ping"));
            client.nextOfType("pong");
            Map<String, String> exported = new TreeMap<>();
            Matcher type = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(scrape(cluster).body());
            while (type.find()) {
                exported.put(type.group(1), type.group(2));
            }
            Map<String, String> wrong = new TreeMap<>();
            documented.forEach((name, kind) -> {
                if (!kind.equals(exported.get(name))) {
                    wrong.put(name, "README: " + kind + ", exported: " + exported.get(name));
                }
            });
            assertEquals(Map.of(), wrong, "metrics of the README's table not exported as documented");
            Set<String> undocumented = new TreeSet<>();
            for (String name : exported.keySet()) {
                boolean timerMax = name.endsWith("_max") && documented.containsKey(name.substring(0, name.length() - 4));
                if (name.startsWith("ws_") && !documented.containsKey(name) && !timerMax) {
                    undocumented.add(name);
                }
            }
            assertEquals(Set.of(), undocumented, "exported but missing from the README's metrics table");
        }
    }

    /** Name and type (its first word) of each row of the table under "## Metrics"; wildcard rows are skipped. */
    private static Map<String, String> documentedMetrics(java.util.List<String> readme) {
        Map<String, String> metrics = new TreeMap<>();
        boolean inSection = false;
        Pattern row = Pattern.compile("^\\| `([a-z_]+)` \\| ([a-z]+)");
        for (String line : readme) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith("## Metrics");
            } else if (inSection) {
                Matcher m = row.matcher(line);
                if (m.find()) {
                    metrics.put(m.group(1), m.group(2));
                }
            }
        }
        assertTrue(metrics.size() > 10, "the README's metrics table was not found: " + metrics);
        return metrics;
    }
}
