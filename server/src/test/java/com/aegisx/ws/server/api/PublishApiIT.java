package com.aegisx.ws.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POST /api/v1/publish on the management port of two real nodes: every target, the batch form,
 * the key and the rate limit.
 */
class PublishApiIT {

    private static final String KEY = "publish-api-test-key-0123456789";
    private final HttpClient http = HttpClient.newHttpClient();
    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2, Map.of("PUBLISH_API_KEY", KEY, "PUBLISH_API_RATE", "8"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private HttpResponse<String> post(String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.management(0, "/api/v1/publish"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-Api-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.parseObject(response.body());
    }


    @Test
    void publishesToAChannelAUserAndAConnectionOnAnyNode() throws Exception {
        TestClient a = cluster.connectAs(0, "erin");
        TestClient b = cluster.connectAs(1, "frank");
        for (TestClient client : new TestClient[] {a, b}) {
            client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ops:news", "id", 1));
        }
        String aId = a.connectionId();

        HttpResponse<String> broadcast = post("{\"channel\":\"ops:news\",\"exclude\":\"" + aId
                + "\",\"message\":{\"type\":\"headline\",\"n\":1}}", KEY);
        assertEquals(200, broadcast.statusCode(), broadcast.body());
        assertEquals(2, json(broadcast).path("nodes").asInt());
        assertEquals(1, b.nextOfType("headline").path("n").asInt());

        assertEquals(200, post("{\"userId\":\"erin\",\"message\":{\"type\":\"for_erin\"}}", KEY).statusCode());
        assertEquals("for_erin", a.nextOfType("for_erin").path("type").asText());
        a.assertNoMessage(Duration.ofMillis(300)); // the excluded broadcast never came

        HttpResponse<String> direct = post("{\"connectionId\":\"" + aId + "\",\"message\":{\"type\":\"just_you\"}}", KEY);
        assertTrue(json(direct).path("delivered").asBoolean(), direct.body());
        assertEquals("just_you", a.nextOfType("just_you").path("type").asText());

        HttpResponse<String> batch = post("{\"batch\":["
                + "{\"channel\":\"ops:news\",\"message\":{\"type\":\"b1\"}},"
                + "{\"channel\":\"bad channel\",\"message\":{\"type\":\"b2\"}},"
                + "{\"connectionId\":\"ws_" + cluster.node(1).nodeId() + "_gone\",\"message\":{\"type\":\"b3\"}},"
                + "{\"userId\":\"frank\",\"message\":{\"type\":\"b4\"}}]}", KEY);
        assertEquals(200, batch.statusCode(), batch.body());
        JsonNode results = json(batch).path("results");
        assertTrue(results.get(0).path("ok").asBoolean());
        assertFalse(results.get(1).path("ok").asBoolean(), "one bad item does not stop the others");
        assertFalse(results.get(2).path("delivered").asBoolean(), "no such connection");
        assertTrue(results.get(3).path("ok").asBoolean());
        assertEquals("b1", b.nextOfType("b1").path("type").asText());
        assertEquals("b4", b.nextOfType("b4").path("type").asText());
    }

    @Test
    void aBatchItemRedisFailsIsReportedAloneAndTheOthersStandPublished() throws Exception {
        TestClient b = cluster.connectAs(0, "gina");
        b.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ops:news", "id", 1));
        // The history script of reports:alerts fails in Redis (its meta key holds a string): a
        // command Redis refuses, in the middle of a batch whose other items it takes.
        cluster.redis().set(cluster.keys().historyMeta("reports:alerts"), "not a hash");

        HttpResponse<String> batch = post("{\"batch\":["
                + "{\"channel\":\"reports:alerts\",\"message\":{\"type\":\"c1\"}},"
                + "{\"channel\":\"ops:news\",\"message\":{\"type\":\"c2\"}}]}", KEY);
        assertEquals("c2", b.nextOfType("c2").path("type").asText(), "the second item was published");
        // So the answer must say which one failed: a 503 for the whole batch invited the caller to
        // send it all again, and the subscribers to get c2 twice.
        assertEquals(200, batch.statusCode(), batch.body());
        JsonNode results = json(batch).path("results");
        assertFalse(results.get(0).path("ok").asBoolean(), batch.body());
        assertEquals("unavailable", results.get(0).path("error").asText(), batch.body());
        assertTrue(results.get(1).path("ok").asBoolean(), batch.body());
        assertEquals(1, results.get(1).path("nodes").asInt(), batch.body());

        HttpResponse<String> single = post("{\"channel\":\"reports:alerts\",\"message\":{\"type\":\"c3\"}}", KEY);
        assertEquals(503, single.statusCode(), "a single message Redis did not take: " + single.body());
    }

    @Test
    void refusesWithoutTheKeyBadInputAndAboveTheRate() throws Exception {
        assertEquals(401, post("{\"channel\":\"x\",\"message\":{\"type\":\"t\"}}", null).statusCode());
        assertEquals(401, post("{\"channel\":\"x\",\"message\":{\"type\":\"t\"}}", "wrong-key-wrong-key-wrong-key").statusCode());
        assertEquals(400, post("not json", KEY).statusCode());
        assertEquals(400, post("{\"channel\":\"x\",\"userId\":\"u\",\"message\":{\"type\":\"t\"}}", KEY).statusCode());
        // 8 a second, 8 in a burst: a batch of 9 is more than the bucket ever holds.
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            items.append(i == 0 ? "" : ",").append("{\"channel\":\"x\",\"message\":{\"type\":\"t\"}}");
        }
        HttpResponse<String> limited = post("{\"batch\":[" + items + "]}", KEY);
        assertEquals(429, limited.statusCode(), limited.body());
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void isNotOnThePublicPort() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(cluster.http(0, "/api/v1/publish"))
                .header("X-Api-Key", KEY).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        // No such endpoint there: Jetty's default answer to a POST (405) or a 404, never a publish.
        assertTrue(response.statusCode() == 404 || response.statusCode() == 405, response.statusCode() + " " + response.body());
    }

    @Test
    void isOffWithoutAKey() throws Exception {
        try (TestCluster plain = TestCluster.start(1)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(plain.management(0, "/api/v1/publish"))
                    .header("X-Api-Key", KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
        }
    }
}
