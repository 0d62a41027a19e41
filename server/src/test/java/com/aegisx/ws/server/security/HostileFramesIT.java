package com.aegisx.ws.server.security;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.testing.WsFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever a client sends, nothing escapes, nothing leaks into Redis, and a well-behaved
 * client on the same node keeps receiving every broadcast. Checked by generating thousands of random
 * and mutated frames from a seed (printed, and settable with -Dfuzz.seed=... to replay a failure):
 * JSON with wrong types, huge numbers, deep nesting, hostile channel names, mutated valid messages,
 * bad UTF-8, binary frames, fragments (proper, interleaved with control frames, orphan
 * continuations), reserved bits, unmasked and oversized frames.
 */
class HostileFramesIT {

    static final int FRAMES = Integer.getInteger("fuzz.frames", 5000);
    static final int BROADCAST_EVERY = 20;
    static final String WATCH = "fuzz:watch";

    @Test
    void randomAndMutatedFramesNeverHurtTheNodeOrItsOtherClients() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("HostileFramesIT seed=" + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        try (LogCapture logs = new LogCapture();
             TestCluster cluster = TestCluster.start(1, Map.of(
                     "WEBSOCKET_MAX_PAYLOAD", "4096",
                     // The rate limit has its own test; here every frame must reach the protocol.
                     "WEBSOCKET_RATE_LIMIT", "1000000", "WEBSOCKET_RATE_BURST", "1000000",
                     "WEBSOCKET_MAX_CONNECTIONS_PER_IP", "0", "WEBSOCKET_UPGRADE_RATE_PER_IP", "0",
                     "WEBSOCKET_CONNECTION_TIMEOUT", "600000"))) {
            TestClient good = cluster.connectAs(0, "good-user");
            String goodId = good.received().get(0).path("data").path("connectionId").asText();
            assertEquals("subscribed", good.sendAndAwaitReply(Map.of("type", "subscribe", "channel", WATCH))
                    .path("type").asText());

            Fuzzer fuzzer = new Fuzzer(random, cluster);
            int sent = 0;
            for (int i = 0; i < FRAMES; i++) {
                if (i % BROADCAST_EVERY == 0) {
                    cluster.publisher().broadcast(WATCH, Map.of("type", "seq", "n", sent++));
                }
                fuzzer.sendOne();
            }
            fuzzer.close();
            System.out.println("HostileFramesIT: " + FRAMES + " frames, " + fuzzer.reconnects + " reconnects");

            // Every broadcast reached the well-behaved client, in order.
            for (int n = 0; n < sent; n++) {
                assertEquals(n, good.nextOfType("seq").path("n").asInt());
            }
            assertTrue(good.isOpen());

            // No state leaks: once the hostile sockets are gone, only the good client remains in Redis.
            String p = cluster.prefix();
            String node = cluster.node(0).nodeId();
            KeySchema schema = cluster.keys();
            Set<String> allowed = Set.of(p + ":nodes", p + ":node:{" + node + "}", p + ":node:{" + node + "}:conns",
                    schema.connection(goodId), schema.connectionChannels(goodId), p + ":chan:{" + WATCH + "}",
                    schema.userConnections("good-user"), schema.onlineUsers(KeySchema.shardOf("good-user")),
                    p + ":ip:{127.0.0.1}");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Set<String> keys = new HashSet<>(cluster.redis().keys(p + ":*"));
                keys.removeAll(allowed);
                // Resume records of closed sockets expire by themselves (RESUME_TOKEN_TTL).
                keys.removeIf(key -> key.startsWith(p + ":resume:{") || key.equals(p + ":resume-secret"));
                assertEquals(Set.of(), keys);
                assertEquals(1L, cluster.redis().scard(p + ":node:{" + node + "}:conns"));
                assertEquals(1L, cluster.redis().hlen(p + ":ip:{127.0.0.1}"));
                assertEquals(1L, cluster.redis().hlen(p + ":chan:{" + WATCH + "}"));
                assertEquals(1, cluster.node(0).hub().size());
            });

            // No exception escaped into the logs, and nothing was logged at ERROR.
            List<String> bad = logs.lines().stream()
                    .filter(line -> line.contains(" ERROR ") || line.contains("\n"))
                    .filter(line -> !line.startsWith("com.aegisx.ws.server.security.HostileFramesIT"))
                    .toList();
            assertEquals(List.of(), bad);
            // And the node still serves new clients normally.
            TestClient after = cluster.connect(0);
            assertEquals("pong", after.sendAndAwaitReply(Map.of("type", "ping")).path("type").asText());
        }
    }

    /** Generates one hostile frame at a time over a raw socket, reconnecting whenever the node closes it. */
    static final class Fuzzer {
        private final Random random;
        private final TestCluster cluster;
        private RawWsClient client;
        int reconnects;

        Fuzzer(Random random, TestCluster cluster) throws IOException {
            this.random = random;
            this.cluster = cluster;
            connect();
        }

        private void connect() throws IOException {
            if (client != null) {
                client.abort();
                reconnects++;
            }
            client = random.nextBoolean()
                    ? RawWsClient.connect(cluster.uri(0, "/ws"))
                    : RawWsClient.connect(cluster.uri(0, "/ws"),
                            Map.of("Authorization", "Bearer " + TestCluster.token("fuzz-" + random.nextInt(5))));
        }

        void sendOne() throws IOException {
            if (client.isDisconnected()) {
                connect();
            }
            boolean closes;
            try {
                closes = send();
            } catch (IOException e) {
                closes = true; // the node closed this socket after an earlier frame
            }
            if (closes) {
                connect();
            }
        }

        /** Sends one case; true when it is one the node answers with a close. */
        private boolean send() throws IOException {
            int kind = random.nextInt(100);
            if (kind < 45) {
                client.sendText(randomMessage());
                return false;
            }
            if (kind < 65) {
                client.sendText(mutate(validMessage()));
                return false;
            }
            if (kind < 72) {
                fragments();
                return false;
            }
            if (kind < 80) {
                client.sendText(deepNesting(1 + random.nextInt(3000)));
                return false;
            }
            if (kind < 85) {
                byte[] bytes = new byte[1 + random.nextInt(64)];
                random.nextBytes(bytes);
                bytes[0] = (byte) 0xC3; // a lead byte followed by random bytes: almost never valid UTF-8
                bytes[bytes.length - 1] = (byte) 0xFF; // 0xFF is never valid UTF-8
                client.sendTextBytes(bytes);
                return true;
            }
            if (kind < 89) {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                client.sendBinary(bytes);
                return true;
            }
            if (kind < 92) {
                client.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(4096) + "\"}");
                return true;
            }
            if (kind < 94) {
                client.sendFrame(WsFrame.CONTINUATION, true, "orphan".getBytes(StandardCharsets.UTF_8));
                return true;
            }
            if (kind < 96) {
                client.sendFrame(WsFrame.TEXT, true, 1 + random.nextInt(7), true, "{}".getBytes(StandardCharsets.UTF_8));
                return true;
            }
            if (kind < 98) {
                client.sendFrame(WsFrame.TEXT, true, 0, false, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
                return true;
            }
            client.sendFrame(3 + random.nextInt(5), true, new byte[] {1, 2, 3}); // reserved opcodes
            return true;
        }

        private void fragments() throws IOException {
            byte[] whole = (random.nextBoolean() ? validMessage() : randomMessage()).getBytes(StandardCharsets.UTF_8);
            int parts = 2 + random.nextInt(4);
            int at = 0;
            for (int i = 0; i < parts; i++) {
                int end = i == parts - 1 ? whole.length : Math.min(whole.length, at + random.nextInt(whole.length + 1));
                byte[] piece = java.util.Arrays.copyOfRange(whole, at, end);
                at = end;
                client.sendFrame(i == 0 ? WsFrame.TEXT : WsFrame.CONTINUATION, i == parts - 1, piece);
                if (random.nextInt(4) == 0) {
                    client.sendPing(new byte[] {7}); // control frames may interleave fragments
                }
            }
        }

        private String validMessage() {
            return switch (random.nextInt(6)) {
                case 0 -> "{\"type\":\"subscribe\",\"channel\":\"" + channel() + "\",\"id\":" + random.nextInt(100) + "}";
                case 1 -> "{\"type\":\"unsubscribe\",\"channel\":\"" + channel() + "\"}";
                case 2 -> "{\"type\":\"ping\",\"id\":\"p" + random.nextInt() + "\"}";
                case 3 -> "{\"type\":\"get_status\"}";
                case 4 -> "{\"type\":\"refresh_token\",\"token\":\"" + TestCluster.token("fuzz-" + random.nextInt(5)) + "\"}";
                default -> "{\"type\":\"subscribe\",\"channel\":\"user:fuzz-" + random.nextInt(5) + ":inbox\"}";
            };
        }

        private String channel() {
            String[] pool = {"fz:a", "fz:b:c", "user:other", "admin:x", "fz:" + random.nextInt(50), WATCH};
            return pool[random.nextInt(pool.length)];
        }

        private String randomMessage() {
            StringBuilder json = new StringBuilder("{");
            int fields = random.nextInt(5);
            for (int i = 0; i < fields; i++) {
                if (i > 0) {
                    json.append(',');
                }
                String[] names = {"type", "channel", "id", "token", "data", "\u0000", "__proto__"};
                json.append('"').append(names[random.nextInt(names.length)]).append("\":").append(randomValue(0));
            }
            return json.append('}').toString();
        }

        private String randomValue(int depth) {
            switch (random.nextInt(depth > 3 ? 7 : 9)) {
                case 0: return "null";
                case 1: return random.nextBoolean() ? "true" : "false";
                case 2: return "1e" + random.nextInt(100_000);
                case 3: return "-" + "9".repeat(1 + random.nextInt(400));
                case 4: return Long.toString(random.nextLong());
                case 5: return '"' + hostileString() + '"';
                case 6: return "\"subscribe\"";
                case 7: return "[" + randomValue(depth + 1) + "," + randomValue(depth + 1) + "]";
                default: return "{\"k\":" + randomValue(depth + 1) + "}";
            }
        }

        private String hostileString() {
            String[] pool = {"", "a b", "{tag}", "x".repeat(300), "user:*", "\\u0000", "\\ud800", "é", "ping",
                    "subscribe", "get_status", "a::b", ":", "admin:", "\\\"", "\\n"};
            return pool[random.nextInt(pool.length)];
        }

        private static final String INSERTS = "{}[]\",:0x\\\u00e9";

        private String mutate(String text) {
            StringBuilder out = new StringBuilder(text);
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits && out.length() > 0; i++) {
                int at = random.nextInt(out.length());
                switch (random.nextInt(3)) {
                    case 0 -> out.deleteCharAt(at);
                    case 1 -> out.insert(at, INSERTS.charAt(random.nextInt(INSERTS.length())));
                    default -> out.setCharAt(at, (char) (32 + random.nextInt(95)));
                }
            }
            return out.toString();
        }

        private static String deepNesting(int depth) {
            return "{\"type\":\"ping\",\"d\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        }

        void close() {
            client.close();
        }
    }
}
