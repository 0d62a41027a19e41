package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The debug endpoints refuse without credentials and answer, cluster-wide and paged, with them. */
class DebugEndpointsIT {

    static final String API_KEY = "debug-key-0123456789abcdef0123456789";
    static final String CONNECTIONS = "/api/v1/debug/websocket/connections";
    static final String CHANNELS = "/api/v1/debug/websocket/channels";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.start(2, Map.of("ADMIN_API_KEY", API_KEY));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static HttpResponse<String> get(int node, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.management(node, path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusedWithoutValidAdminCredentials() throws Exception {
        for (String path : new String[] {CONNECTIONS, CHANNELS}) {
            assertEquals(401, get(0, path).statusCode());
            assertEquals(401, get(0, path, "X-Api-Key", "wrong-key-0123456789abcdef0123").statusCode());
            assertEquals(401, get(0, path, "Authorization", "Bearer garbage").statusCode());
            assertEquals(401, get(0, path + "?token=" + TestCluster.token("root", "admin")).statusCode(),
                    "tokens in the URL are not accepted");
            assertEquals(403, get(0, path, "Authorization", "Bearer " + TestCluster.token("alice")).statusCode());
        }
    }

    @Test
    void answersClusterWideWithAnAdminTokenOrTheApiKey() throws Exception {
        TestClient a = cluster.connectAs(0, "dbg-a");
        TestClient b = cluster.connectAs(1, "dbg-b");
        a.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "debug:one"));
        b.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "debug:one"));
        b.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "debug:two"));

        HttpResponse<String> byToken = get(1, CONNECTIONS, "Authorization", "Bearer " + TestCluster.token("root", "admin"));
        assertEquals(200, byToken.statusCode(), byToken.body());
        JsonNode body = JSON.readTree(byToken.body());
        Set<String> users = new HashSet<>();
        body.path("connections").forEach(c -> users.add(c.path("userId").asText()));
        assertTrue(users.containsAll(Set.of("dbg-a", "dbg-b")), body.toString());

        HttpResponse<String> byUser = get(0, CONNECTIONS + "?userId=dbg-b", "X-Api-Key", API_KEY);
        JsonNode userBody = JSON.readTree(byUser.body());
        assertEquals(1, userBody.path("connections").size());
        assertEquals(cluster.node(1).nodeId(), userBody.path("connections").get(0).path("nodeId").asText());

        HttpResponse<String> channels = get(0, CHANNELS, "X-Api-Key", API_KEY);
        assertEquals(200, channels.statusCode());
        Map<String, Long> counts = new java.util.HashMap<>();
        JSON.readTree(channels.body()).path("channels").forEach(c ->
                counts.put(c.path("channel").asText(), c.path("connections").asLong()));
        assertEquals(2L, counts.get("debug:one"));
        assertEquals(1L, counts.get("debug:two"));
    }

    @Test
    void pagesWithACursorVisitEveryConnection() throws Exception {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            TestClient client = cluster.connectAs(i % 2, "page-" + i);
            expected.add(client.received().get(0).path("data").path("connectionId").asText());
        }
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int pages = 0;
        do {
            HttpResponse<String> page = get(0, CONNECTIONS + "?limit=2&cursor=" + cursor, "X-Api-Key", API_KEY);
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = JSON.readTree(page.body());
            body.path("connections").forEach(c -> seen.add(c.path("id").asText()));
            cursor = body.path("nextCursor").isNull() ? null : body.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 1000);
        assertTrue(seen.containsAll(expected), "missing: " + expected.stream().filter(e -> !seen.contains(e)).toList());
        assertTrue(pages > 1, "limit=2 over 7+ connections takes several pages");
        assertEquals(400, get(0, CONNECTIONS + "?limit=0", "X-Api-Key", API_KEY).statusCode());
        assertEquals(400, get(0, CONNECTIONS + "?cursor=abc", "X-Api-Key", API_KEY).statusCode());
    }
}
