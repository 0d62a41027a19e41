package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.core.Route;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 11: {@code /metrics} (Redis address, heap, error tallies) and the debug endpoints
 * answered anyone on the public port. They are on the management port now (loopback by default);
 * the public {@code /health} and {@code /ready} tell a status and nothing about the node.
 */
class ManagementPortIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAndDebugEndpointsAnswerOnTheManagementPortOnly() throws Exception {
        // A servlet added by a route factory, as the admin console or a publish API would be.
        Route probe = Route.plain("extra", "/extra-ws");
        try (TestCluster cluster = TestCluster.start(1, Map.of("ADMIN_API_KEY", SecretsInLogsIT.API_KEY),
                List.of(services -> {
                    services.management().add("/hello", new HttpServlet() {
                        @Override
                        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                            response.getWriter().write("hello operator");
                        }
                    });
                    return probe;
                }))) {
            assertNotEquals(cluster.node(0).port(), cluster.node(0).managementPort());
            for (String path : List.of("/metrics", "/api/v1/debug/websocket/channels", "/hello")) {
                assertEquals(404, get(cluster.http(0, path)).statusCode(), "public port: " + path);
            }
            HttpResponse<String> metrics = get(cluster.management(0, "/metrics"));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("ws_connections"), metrics.body());
            assertEquals(401, get(cluster.management(0, "/api/v1/debug/websocket/channels")).statusCode(),
                    "the debug endpoints still want the admin key there");
            assertEquals("hello operator", get(cluster.management(0, "/hello")).body());
            // And the WebSocket routes are not served on the management port.
            assertEquals(404, get(cluster.management(0, "/ws")).statusCode());

            ObjectMapper json = new ObjectMapper();
            for (String path : List.of("/health", "/ready")) {
                HttpResponse<String> publicProbe = get(cluster.http(0, path));
                assertEquals(200, publicProbe.statusCode());
                JsonNode body = json.readTree(publicProbe.body());
                assertEquals("ok", body.path("status").asText());
                assertEquals(1, body.size(), "the public probe reveals nothing else: " + body);
                assertFalse(publicProbe.body().contains(cluster.node(0).nodeId()));
                JsonNode detailed = json.readTree(get(cluster.management(0, path)).body());
                assertEquals(cluster.node(0).nodeId(), detailed.path("nodeId").asText(), "operators still see it");
            }
        }
    }
}
