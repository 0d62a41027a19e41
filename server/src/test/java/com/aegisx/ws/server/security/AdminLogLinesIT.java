package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin API logs what it did with values its caller chose (a message type, a connection id):
 * like everything else from outside the node they pass LogSafe, so a caller cannot forge a line.
 */
class AdminLogLinesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String FORGED = "x\n2026-11-30 07:00:00.000 ERROR [main] root - forged line";

    private static int post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("X-Api-Key", SecretsInLogsIT.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static String json(String text) {
        return "\"" + text.replace("\n", "\\n") + "\"";
    }

    @Test
    void valuesTheAdminApiLogsCannotForgeALine() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("ADMIN_API_KEY", SecretsInLogsIT.API_KEY));
             LogCapture logs = new LogCapture()) {
            assertEquals(200, post(cluster.management(0, "/api/v1/admin/broadcast"),
                    "{\"channel\":\"ward:1\",\"message\":{\"type\":" + json(FORGED) + "}}"));
            assertEquals(200, post(cluster.management(0, "/api/v1/admin/disconnect"),
                    "{\"connectionId\":" + json("ws_" + cluster.node(0).nodeId() + "_" + FORGED) + "}"));
            List<String> lines = logs.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("Admin broadcast")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains("Admin disconnect")), lines.toString());
            for (String line : lines) {
                assertTrue(!line.contains("\n2026-11-30 07:00:00.000 ERROR"), "a forged line: " + line);
            }
        }
    }
}
