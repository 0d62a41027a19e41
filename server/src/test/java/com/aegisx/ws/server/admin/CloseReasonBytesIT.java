package com.aegisx.ws.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseReasons;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket close reason is at most 123 bytes of UTF-8. The admin API checked 100 characters, so
 * 50 euro signs (150 bytes) passed it, and so did any reason through the publisher client.
 */
class CloseReasonBytesIT {

    private static final String API_KEY = "admin-key-for-close-reason-tests-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** 50 characters, 150 bytes of UTF-8. */
    private static final String EUROS = "€".repeat(50);

    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(1, Map.of("ADMIN_API_KEY", API_KEY));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private HttpResponse<String> disconnect(String connectionId, String reason) throws Exception {
        String body = "{\"connectionId\":\"" + connectionId + "\",\"code\":4010,\"reason\":\"" + reason + "\"}";
        return HTTP.send(HttpRequest.newBuilder(cluster.management(0, "/api/v1/admin/disconnect"))
                .header("X-Api-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminApiRefusesAReasonOver123BytesAndKeepsTheSocket() throws Exception {
        TestClient client = cluster.connect(0);
        HttpResponse<String> refused = disconnect(client.connectionId(), EUROS);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("123 bytes"), refused.body());
        assertTrue(client.isOpen(), "a refused request closes nothing");

        // 41 euro signs are exactly 123 bytes: they arrive whole.
        String longest = "€".repeat(41);
        assertEquals(200, disconnect(client.connectionId(), longest).statusCode());
        TestClient.CloseInfo closed = client.awaitClose(Duration.ofSeconds(10));
        assertEquals(4010, closed.statusCode());
        assertEquals(longest, closed.reason());
    }

    @Test
    void thePublisherClientTruncatesOnACodePointBoundary() {
        TestClient client = cluster.connect(0);
        // 2 + 40 × 3 + 4 bytes: the emoji (4 bytes, a surrogate pair) would end at byte 126.
        String reason = "ab" + "€".repeat(40) + "😀" + "tail";
        assertTrue(cluster.publisher().disconnectConnection(client.connectionId(), 4010, reason));
        TestClient.CloseInfo closed = client.awaitClose(Duration.ofSeconds(10));
        assertEquals(4010, closed.statusCode(), "closed as asked, with the reason cut, not failed: " + closed);
        assertEquals("ab" + "€".repeat(40), closed.reason());
        assertEquals(CloseReasons.MAX_BYTES - 1, closed.reason().getBytes(StandardCharsets.UTF_8).length);
    }
}
