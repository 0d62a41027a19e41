package com.aegisx.ws.server.security;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The upgrade perimeter against a hostile client (issue 10, items 3, 7, 8 and 10). */
class UpgradePerimeterIT {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    /**
     * Item 3: upgrade requests that never become a WebSocket (on the public health path, or without
     * {@code Sec-WebSocket-Version}, with the connection limits off) left their ticket behind until
     * a 60 s prune; a few clients pipelining them could fill the heap. Every one is gone as soon as
     * its exchange ends.
     */
    @Test
    void upgradeTicketsDoNotOutliveTheirExchange() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "0",
                "WEBSOCKET_MAX_CONNECTIONS_PER_USER", "0"))) {
            int port = cluster.node(0).port();
            int requests = 200;
            StringBuilder pipelined = new StringBuilder();
            for (int i = 0; i < requests; i++) {
                String path = i % 2 == 0 ? "/ws/health" : "/ws";
                pipelined.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port)
                        .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                        .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            }
            int answered = 0;
            while (answered < requests) {
                // Jetty may close the connection after an answer: send the rest on a new one.
                String rest = pipelined.substring(nthRequestStart(pipelined, answered));
                answered += statuses(exchange(port, rest.getBytes(StandardCharsets.ISO_8859_1), requests - answered)).size();
            }
            await().untilAsserted(() -> assertEquals(0, cluster.node(0).pendingUpgrades()));
        }
    }

    /** Item 7: {@code %74oken} is {@code token} to the server, and so to the access log's masking. */
    @Test
    void aPercentEncodedTokenParameterIsMaskedInTheAccessLog() throws Exception {
        String token = TestCluster.token("encoded-user");
        String signature = token.substring(token.lastIndexOf('.') + 1);
        try (LogCapture logs = new LogCapture(); TestCluster cluster = TestCluster.start(1)) {
            TestClient client = cluster.connect(0, "/ws?%74oken=" + token + "&x=1", null);
            assertEquals("encoded-user", client.sendAndAwaitReply(Map.of("type", "get_status", "id", 1))
                    .path("data").path("userId").asText(), "the encoded name authenticates");
            client.close();
            await().untilAsserted(() -> assertTrue(logs.lines().stream()
                    .anyMatch(l -> l.startsWith("access ") && l.contains("/ws?%74oken=***&x=1")), "masked access line"));
            for (String line : logs.lines()) {
                assertFalse(line.contains(signature), "the token reached the log: " + line);
            }
        }
    }

    /**
     * Item 8: with {@code Upgrade: h2c} then {@code Upgrade: websocket} the gate read the first
     * value (no upgrade: no origin, auth or limit check) while Jetty upgraded on the last.
     */
    @Test
    void repeatedUpgradeHeadersAreRefusedBeforeAnyCheckCanBeSkipped() throws Exception {
        try (LogCapture logs = new LogCapture();
             TestCluster cluster = TestCluster.start(1, Map.of("AUTH_REQUIRED", "true"))) {
            int port = cluster.node(0).port();
            String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: h2c\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Origin: https://evil.example\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
            List<Integer> statuses = statuses(exchange(port, request.getBytes(StandardCharsets.ISO_8859_1)));
            assertEquals(List.of(400), statuses);
            // A list naming websocket is an upgrade to the gate as well: its checks apply (origin: 403).
            String listed = request.replace("Upgrade: h2c\r\nUpgrade: websocket\r\n", "Upgrade: h2c, websocket\r\n");
            int status = statuses(exchange(port, listed.getBytes(StandardCharsets.ISO_8859_1))).get(0);
            assertNotEquals(101, status, "no socket opens past the gate");
            assertTrue(logs.events().stream().noneMatch(e -> e.getLevel().toString().equals("ERROR")),
                    "no ERROR line per hostile request: " + logs.lines());
            assertEquals(0, cluster.node(0).hub().size());
        }
    }

    /**
     * Item 10: text from a client (close reason, Origin, a token's {@code sub}) cannot forge or
     * hide a log line: line separators and controls are escaped, or the value refused.
     */
    @Test
    void clientTextCannotForgeALogLine() throws Exception {
        try (LogCapture logs = new LogCapture(); TestCluster cluster = TestCluster.start(1)) {
            TestClient client = cluster.connect(0);
            client.sendClose(4000, "bye\u2028FORGED\r\nINFO fake line");
            client.awaitClose();
            // Header bytes are ISO-8859-1: 0x85 is U+0085 (NEL), a line break to many log viewers.
            int port = cluster.node(0).port();
            String evil = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nOrigin: https://evil.example\u0085FORGED\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
            assertEquals(List.of(403), statuses(exchange(port, evil.getBytes(StandardCharsets.ISO_8859_1))));
            String forgedSub = JWT.create().withSubject("eve\u2028FORGED").withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.HMAC256(TestCluster.SECRET));
            assertEquals(401, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"),
                    Map.of("Authorization", "Bearer " + forgedSub)), "a user id that could break a line is refused");
            await().untilAsserted(() -> {
                List<String> lines = logs.lines();
                assertTrue(lines.stream().anyMatch(l -> l.contains("reason=bye\\u2028FORGED\\r\\nINFO fake line")),
                        "the close reason is logged, escaped");
                assertTrue(lines.stream().anyMatch(l -> l.contains("evil.example\\u0085FORGED")), "the origin too");
            });
            for (String line : logs.lines()) {
                for (char c : new char[] {'\u2028', '\u2029', '\u0085', '\r'}) {
                    assertTrue(line.indexOf(c) < 0, "unescaped U+" + Integer.toHexString(c) + " in: " + line);
                }
                if (!line.contains("\n\tat ")) { // stack traces are multi-line by nature; messages never
                    assertFalse(line.contains("\n"), "a line break in: " + line);
                }
            }
        }
    }

    /** Writes {@code request} on a new connection and reads one answer, or until the server closes it or goes quiet. */
    static byte[] exchange(int port, byte[] request) throws IOException {
        return exchange(port, request, 1);
    }

    /** The same, reading until {@code answers} status lines arrived (or the close, or quiet). */
    static byte[] exchange(int port, byte[] request, int answers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                    if (statuses(received.toByteArray()).size() >= answers) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException quiet) {
                // the server keeps the connection: all it had to say has arrived
            }
            return received.toByteArray();
        }
    }

    static List<Integer> statuses(byte[] response) {
        Matcher m = STATUS_LINE.matcher(new String(response, StandardCharsets.ISO_8859_1));
        List<Integer> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static int nthRequestStart(CharSequence pipelined, int n) {
        int at = 0;
        for (int i = 0; i < n; i++) {
            at = pipelined.toString().indexOf("\r\n\r\n", at) + 4;
        }
        return at;
    }
}
