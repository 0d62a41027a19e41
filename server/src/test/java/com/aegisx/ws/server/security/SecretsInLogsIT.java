package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tokens and API keys never reach a log line, whichever way they were sent. */
class SecretsInLogsIT {

    static final String API_KEY = "log-test-key-0123456789abcdef012345";

    @Test
    void tokensAndKeysAreMaskedEverywhere() throws Exception {
        String valid = TestCluster.token("logger-user");
        String expired = JWT.create().withSubject("logger-user").withExpiresAt(Instant.now().minusSeconds(600))
                .sign(Algorithm.HMAC256(TestCluster.SECRET));
        String forged = JWT.create().withSubject("logger-user")
                .sign(Algorithm.HMAC256("forged-secret-forged-secret-forged-secret"));
        String refresh = TestCluster.token("logger-user", "fresh");
        List<String> secrets = List.of(valid, expired, forged, refresh, API_KEY,
                // the signature alone is the secret part of a JWT
                valid.substring(valid.lastIndexOf('.') + 1), expired.substring(expired.lastIndexOf('.') + 1));
        try (LogCapture logs = new LogCapture();
             TestCluster cluster = TestCluster.start(1, Map.of("ADMIN_API_KEY", API_KEY))) {
            TestClient byQuery = cluster.connect(0, "/ws?token=" + valid, null);
            byQuery.sendAndAwaitReply(Map.of("type", "refresh_token", "token", refresh));
            byQuery.sendAndAwaitReply(Map.of("type", "refresh_token", "token", forged));
            for (String token : List.of(expired, forged)) {
                assertEquals(401, RawWsClient.upgradeStatus(cluster.uri(0, "/ws?token=" + token + "&x=1"), Map.of()));
                assertEquals(401, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of("Authorization", "Bearer " + token)));
                assertEquals(401, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                        Map.of("Sec-WebSocket-Protocol", "bearer, " + token)));
            }
            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(cluster.management(0, "/api/v1/debug/websocket/channels?api_key=" + API_KEY))
                    .header("X-Api-Key", API_KEY).build(), HttpResponse.BodyHandlers.ofString());
            http.send(HttpRequest.newBuilder(cluster.management(0, "/api/v1/debug/websocket/channels"))
                    .header("Authorization", "Bearer " + forged).build(), HttpResponse.BodyHandlers.ofString());
            byQuery.close();

            List<String> lines = logs.lines();
            for (String line : lines) {
                for (String secret : secrets) {
                    assertTrue(!line.contains(secret), "a secret reached the log: " + line);
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("access ") && l.contains("/ws?token=***")),
                    "the access log records the upgrade, masked");
            assertTrue(lines.stream().anyMatch(l -> l.contains("Refused upgrade") && l.contains("token=***")));
        }
    }
}
