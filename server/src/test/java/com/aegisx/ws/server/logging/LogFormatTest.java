package com.aegisx.ws.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The node's own logback.xml (not the tests' one), in both formats, and the line rate limit. */
class LogFormatTest {

    private static String render(String format, java.util.function.Consumer<Logger> body) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
        try {
            if (format != null) {
                context.putProperty("LOG_FORMAT", format);
            }
            context.putProperty(ConnectionLog.NODE_ID, "node-7");
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            body.accept(context.getLogger("com.aegisx.ws.server.websocket.WsEndpoint"));
            // No warning at startup either: logback would print its whole status list.
            assertEquals(java.util.List.of(), context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(status -> status.getLevel() > ch.qos.logback.core.status.Status.INFO)
                    .map(Object::toString).toList());
        } finally {
            context.stop();
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonLinesCarryTheConnectionAndUserIdsAndTheNode() throws Exception {
        String output = render("json", log -> ConnectionLog.established(log, "node-7", "ws_node-7_abc", "user-1",
                "main", 3));
        String[] lines = output.strip().split("\n");
        assertEquals(1, lines.length, output);
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertEquals("INFO", line.path("level").asText(), lines[0]);
        assertEquals("ws_node-7_abc", line.path("mdc").path("connectionId").asText());
        assertEquals("user-1", line.path("mdc").path("userId").asText());
        assertEquals("node-7", line.path("mdc").path("nodeId").asText());
        assertEquals("node-7", line.path("context").path("properties").path("nodeId").asText());
        assertTrue(line.path("formattedMessage").asText().startsWith("WebSocket connection established"), lines[0]);
    }

    @Test
    void textStaysTheDefault() throws Exception {
        String output = render(null, log -> log.info("hello {}", "world"));
        assertTrue(output.matches("\\d{4}-\\d\\d-\\d\\dT[^ ]+Z INFO  \\[[^]]+\\] [^ ]+ - hello world\\R"), output);
        assertFalse(output.contains("{"));
    }

    @Test
    void clientTextCannotForgeALine() throws Exception {
        String output = render(null, log -> ConnectionLog.error(log, "ws_a_b",
                new IllegalStateException("bad\nINFO forged line")));
        assertEquals(1, output.strip().split("\n").length, output);
    }

    @Test
    void aBurstIsCutToTheLimitAndTheNextLineCountsWhatWasLeftOut() {
        AtomicLong now = new AtomicLong(5_000);
        LogRateLimiter limiter = new LogRateLimiter(3, now::get);
        assertEquals(0, limiter.admit());
        assertEquals(0, limiter.admit());
        assertEquals(0, limiter.admit());
        assertEquals(-1, limiter.admit());
        assertEquals(-1, limiter.admit());
        now.addAndGet(1000);
        assertEquals(2, limiter.admit(), "the first line of the next second reports the two dropped");
        assertEquals(0, limiter.admit());
    }
}
