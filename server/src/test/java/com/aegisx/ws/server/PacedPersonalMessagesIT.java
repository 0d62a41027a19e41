package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.TestClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Personal messages while the node's Redis reads are paced (REDIS_READ_BATCH_MICROS): a stream of
 * messages to one user, published one after another, is read several per wake-up and reaches the
 * user's sockets whole and in order; afterwards a lone message still arrives. Messages to several
 * users, interleaved, are read together and written at the end of each read, each to its own user.
 */
class PacedPersonalMessagesIT {

    private static final int MESSAGES = 1_000;

    @Test
    void aStreamToOneUserIsReadInPacedRoundsAndArrivesWholeAndInOrder() throws Exception {
        // A wide window (50 ms): every message of the stream comes within it, however slow the machine.
        try (TestCluster cluster = TestCluster.start(1, Map.of("REDIS_READ_BATCH_MICROS", "50000"))) {
            TestClient first = cluster.connectAs(0, "alice");
            TestClient second = cluster.connectAs(0, "alice");
            for (int i = 0; i < MESSAGES; i++) {
                cluster.publisher().sendToUser("alice", Map.of("type", "seq", "n", i));
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                expected.add(i);
            }
            assertEquals(expected, first.nextInts("seq", "n", MESSAGES, Duration.ofSeconds(30)));
            assertEquals(expected, second.nextInts("seq", "n", MESSAGES, Duration.ofSeconds(30)));
            assertTrue(readPauses(cluster) > 0, "the node's Redis loop paced its reads");

            cluster.publisher().sendToUser("alice", Map.of("type", "lone"));
            assertEquals("lone", first.nextOfType("lone").path("type").asText());
        }
    }

    /**
     * Messages to several users interleaved: a read holds messages for different sockets, which
     * leave at the end of the read; each user still gets all of its own, in order, and none of the others'.
     */
    @Test
    void messagesToSeveralUsersInOneReadReachEachUserWholeAndInOrder() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("REDIS_READ_BATCH_MICROS", "50000"))) {
            List<String> users = List.of("alice", "bob", "carol");
            List<TestClient> clients = new ArrayList<>();
            for (String user : users) {
                clients.add(cluster.connectAs(0, user));
            }
            int each = MESSAGES / 4;
            for (int i = 0; i < each; i++) {
                for (String user : users) {
                    cluster.publisher().sendToUser(user, Map.of("type", "seq", "n", i, "to", user));
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                expected.add(Integer.toString(i));
            }
            for (int u = 0; u < users.size(); u++) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    var message = clients.get(u).nextOfType("seq", Duration.ofSeconds(30));
                    assertEquals(users.get(u), message.path("to").asText(), "only the user's own messages");
                    got.add(message.path("n").asText());
                }
                assertEquals(expected, got, users.get(u));
            }
            for (int u = 0; u < users.size(); u++) {
                cluster.publisher().sendToUser(users.get(u), Map.of("type", "lone", "to", users.get(u)));
                assertEquals(users.get(u), clients.get(u).nextOfType("lone").path("to").asText());
            }
        }
    }

    private static double readPauses(TestCluster cluster) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.management(0, "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^ws_redis_read_pauses_total(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        assertTrue(m.find(), "ws_redis_read_pauses_total is exported");
        return Double.parseDouble(m.group(2));
    }
}
