package com.aegisx.ws.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.TestCluster;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The browser client as a Node ≥ 20 program would use it, against a real node: Node's own
 * WebSocket ({@code --experimental-websocket} on Node 20), the module fetched from the node
 * ({@code server/src/test/js-it/live-node.mjs}). Subscribe and receive, a server-side close with the
 * channel back, request/acknowledgment through {@code id}, a refused token. {@code node} is a CI
 * requirement ({@code .ci/run} installs it): a missing one fails this test.
 */
class NodeClientIT {

    private static final String PUBLISH_KEY = "publish-key-0123456789abcdef";
    private static final String ADMIN_KEY = "admin-key-0123456789abcdef0123";

    @Test
    void theClientModuleWorksFromNodeAgainstARealNode() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("PUBLISH_API_KEY", PUBLISH_KEY,
                "ADMIN_API_KEY", ADMIN_KEY))) {
            String base = "ws://127.0.0.1:" + cluster.node(0).port();
            String management = "http://127.0.0.1:" + cluster.node(0).managementPort();
            Process node = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings",
                    Path.of("src/test/js-it/live-node.mjs").toAbsolutePath().toString(), base, management,
                    TestCluster.token("nora"), PUBLISH_KEY, ADMIN_KEY)
                    .redirectErrorStream(true).start();
            List<JsonNode> steps = new ArrayList<>();
            List<String> output = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.startsWith("{")) {
                        steps.add(Json.MAPPER.readTree(line));
                    }
                }
            }
            assertTrue(node.waitFor(30, TimeUnit.SECONDS), "node exits: " + output);
            System.out.println("NodeClientIT: " + String.join("\n", output));
            assertEquals(0, node.exitValue(), String.join("\n", output));

            assertEquals(List.of("connected", "received", "reconnected", "received", "refused"),
                    steps.stream().map(s -> s.path("step").asText()).toList(), output.toString());
            assertEquals("nora", steps.get(0).path("userId").asText());
            assertEquals("[\"news:live\"]", steps.get(0).path("channels").toString());
            assertEquals(1, steps.get(1).path("n").asInt());
            assertEquals("[\"news:live\"]", steps.get(2).path("channels").toString(), "the client restored it");
            assertEquals("[\"news:live\"]", steps.get(2).path("serverChannels").toString(), "the node has it");
            assertEquals(false, steps.get(2).path("sameConnection").asBoolean());
            assertEquals(2, steps.get(3).path("n").asInt());
            assertEquals(401, steps.get(4).path("status").asInt());
            assertTrue(steps.get(4).path("refusedClose").asBoolean(), "closed as refused, not retried");
        }
    }
}
