package com.aegisx.ws.server.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.testing.TestClient.CloseInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Resume on any node (issue 11): a token from welcome brings the old connection's channels back, for its user only. */
class ResumeIT {

    private static final String RULES = "news:**=100/1h";
    private TestCluster cluster;
    private WsPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2, Map.of("HISTORY_RULES", RULES));
        publisher = WsPublisher.connect(cluster.redisUrl(), PublisherOptions.builder().keyPrefix(cluster.prefix())
                .historyRules(HistoryRules.parse(RULES)).build());
    }

    @AfterEach
    void stop() {
        publisher.close();
        cluster.close();
    }

    private record Session(TestClient client, String token, String connectionId) {
    }

    private Session connect(int node, String user) {
        TestClient client = TestClient.connect(cluster.uri(node, "/ws"),
                Map.of("Authorization", "Bearer " + TestCluster.token(user)));
        JsonNode welcome = client.nextOfType("welcome");
        String token = welcome.path("data").path("resumeToken").asText();
        String connectionId = welcome.path("data").path("connectionId").asText();
        assertTrue(token.startsWith(connectionId + ".") && token.length() == connectionId.length() + 33,
                welcome.toString());
        return new Session(client, token, connectionId);
    }

    private Session subscribedSession(int node) {
        Session old = connect(node, "rita");
        old.client().send(Map.of("type", "subscribe", "channel", "news:r"));
        old.client().nextOfType("subscribed");
        old.client().send(Map.of("type", "subscribe", "channel", "plain:r"));
        old.client().nextOfType("subscribed");
        publisher.subscribeToChannel(old.connectionId(), "server:made");
        old.client().nextOfType("subscribed");
        for (int n = 1; n <= 2; n++) {
            publisher.broadcast("news:r", Map.of("type", "item", "n", n));
        }
        old.client().nextOfType("item");
        return old;
    }

    private static List<Integer> items(TestClient client, int count) {
        return client.nextInts("item", "n", count, TestClient.DEFAULT_TIMEOUT);
    }

    /** Sends resume and checks: a subscribed per channel, the missed items, then resumed with every channel. */
    private void resumeAndCheck(Session old, String epoch) {
        for (int n = 3; n <= 4; n++) {
            publisher.broadcast("news:r", Map.of("type", "item", "n", n));
        }
        Session fresh = connect(1, "rita");
        fresh.client().send(Map.of("type", "resume", "token", old.token(), "id", "r1",
                "positions", Map.of("news:r", Map.of("offset", 2, "epoch", epoch))));
        JsonNode resumed = fresh.client().nextOfType("resumed");
        assertEquals("r1", resumed.path("id").asText());
        Set<String> channels = new TreeSet<>();
        resumed.path("channels").forEach(c -> channels.add(c.asText()));
        assertEquals(Set.of("news:r", "plain:r", "server:made"), channels, "including the server-made one");
        List<JsonNode> subscribed = fresh.client().received().stream()
                .filter(m -> "subscribed".equals(m.path("type").asText())).toList();
        assertEquals(3, subscribed.size(), subscribed.toString());
        JsonNode news = subscribed.stream().filter(m -> "news:r".equals(m.path("channel").asText())).findFirst().orElseThrow();
        assertTrue(news.path("recovered").asBoolean(), news.toString());
        assertEquals(List.of(3, 4), items(fresh.client(), 2));
        publisher.broadcast("plain:r", Map.of("type", "live"));
        publisher.broadcast("server:made", Map.of("type", "live2"));
        fresh.client().nextOfType("live");
        fresh.client().nextOfType("live2");

        // A token is used once.
        Session other = connect(1, "rita");
        other.client().send(Map.of("type", "resume", "token", old.token()));
        assertEquals("resume_refused", other.client().nextOfType("error").path("code").asText());
    }

    @Test
    void aResumeTokenIsAcceptedOnAnotherNode() {
        Session old = subscribedSession(0);
        String epoch = old.client().received().stream().filter(m -> "item".equals(m.path("type").asText()))
                .findFirst().orElseThrow().path("epoch").asText();
        old.client().nextOfType("item");
        old.client().close();
        old.client().awaitClose();
        resumeAndCheck(old, epoch);
    }

    @Test
    void clientsOfADrainedNodeResumeOnAnother() {
        Session old = subscribedSession(0);
        String epoch = old.client().received().stream().filter(m -> "item".equals(m.path("type").asText()))
                .findFirst().orElseThrow().path("epoch").asText();
        old.client().nextOfType("item");
        cluster.node(0).close();
        assertEquals(CloseCodes.SERVICE_RESTART, old.client().awaitClose().statusCode());
        resumeAndCheck(old, epoch);
    }

    @Test
    void clientsOfANodeKilledWithMinus9ResumeAfterItWasSwept() throws Exception {
        // The victim runs in a child JVM and gets a real kill -9: it closes nothing, writes nothing.
        try (NodeProcess victim = cluster.startProcess("victim")) {
            TestClient client = TestClient.connect(victim.uri("/ws"),
                    Map.of("Authorization", "Bearer " + TestCluster.token("rita")));
            JsonNode welcome = client.nextOfType("welcome");
            String token = welcome.path("data").path("resumeToken").asText();
            String connectionId = welcome.path("data").path("connectionId").asText();
            Session old = new Session(client, token, connectionId);
            client.send(Map.of("type", "subscribe", "channel", "news:r"));
            client.nextOfType("subscribed");
            client.send(Map.of("type", "subscribe", "channel", "plain:r"));
            client.nextOfType("subscribed");
            publisher.subscribeToChannel(connectionId, "server:made");
            client.nextOfType("subscribed");
            for (int n = 1; n <= 2; n++) {
                publisher.broadcast("news:r", Map.of("type", "item", "n", n));
            }
            client.nextOfType("item");
            String epoch = client.nextOfType("item").path("epoch").asText();

            victim.kill();
            client.awaitClose();
            // A survivor sweeps the dead node: the connection's own records are gone.
            String deadNode = "victim-" + cluster.prefix();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    cluster.redis().zscore(cluster.keys().nodes(), deadNode) == null
                            && cluster.redis().exists(cluster.keys().connection(connectionId)) == 0
                            && cluster.redis().exists(cluster.keys().connectionChannels(connectionId)) == 0);
            assertTrue(cluster.redis().pttl(cluster.keys().resume(connectionId)) > 0, "kept for the token's lifetime");

            resumeAndCheck(old, epoch);
        }
    }

    @Test
    void aServerMadeHistorySubscriptionGivesItsPositionSoAResumeReplaysWhatItMissed() {
        publisher.broadcast("news:s", Map.of("type", "item", "n", 1));
        Session old = connect(0, "rita");
        publisher.subscribeToChannel(old.connectionId(), "news:s");
        JsonNode subscribed = old.client().nextOfType("subscribed");
        assertEquals("server", subscribed.path("by").asText(), subscribed.toString());
        JsonNode position = subscribed.path("position");
        assertEquals(1, position.path("offset").asLong(), "the channel's top when the backend subscribed: " + subscribed);
        assertTrue(!position.path("epoch").asText().isEmpty(), subscribed.toString());
        old.client().close();
        old.client().awaitClose();

        // Nothing of the channel reached the client before it left: the position came from subscribed alone.
        for (int n = 2; n <= 3; n++) {
            publisher.broadcast("news:s", Map.of("type", "item", "n", n));
        }
        Session fresh = connect(1, "rita");
        fresh.client().send(Map.of("type", "resume", "token", old.token(), "positions",
                Map.of("news:s", Map.of("offset", position.path("offset").asLong(),
                        "epoch", position.path("epoch").asText()))));
        JsonNode resumed = fresh.client().nextOfType("resumed");
        assertEquals("[\"news:s\"]", resumed.path("channels").toString());
        assertTrue(fresh.client().nextOfType("subscribed").path("recovered").asBoolean());
        assertEquals(List.of(2, 3), items(fresh.client(), 2));
    }

    @Test
    void aResumeDoesNotRestoreWhatTheUsersRolesNoLongerAllowButKeepsABackendsGrant() {
        TestClient admin = TestClient.connect(cluster.uri(0, "/ws"),
                Map.of("Authorization", "Bearer " + TestCluster.token("ada", "admin")));
        JsonNode welcome = admin.nextOfType("welcome");
        String token = welcome.path("data").path("resumeToken").asText();
        String connectionId = welcome.path("data").path("connectionId").asText();
        admin.send(Map.of("type", "subscribe", "channel", "admin:ops"));
        assertEquals("admin:ops", admin.nextOfType("subscribed").path("channel").asText());
        // A backend's own decision (trusted, past the channel rules): it stays the backend's.
        publisher.subscribeToChannel(connectionId, "admin:granted");
        assertEquals("admin:granted", admin.nextOfType("subscribed").path("channel").asText());
        admin.close();
        admin.awaitClose();

        // The admin role was revoked meanwhile: the new token has none. The rules say no to admin:ops.
        Session demoted = connect(1, "ada");
        demoted.client().send(Map.of("type", "subscribe", "channel", "admin:ops"));
        assertEquals("forbidden", demoted.client().nextOfType("error").path("code").asText());
        demoted.client().send(Map.of("type", "resume", "token", token, "id", "r"));
        JsonNode resumed = demoted.client().nextOfType("resumed");
        assertEquals("[\"admin:granted\"]", resumed.path("channels").toString(),
                "a resume must not give back what the rules now refuse: " + resumed);
        demoted.client().send(Map.of("type", "get_status"));
        assertEquals("[\"admin:granted\"]",
                demoted.client().nextOfType("status").path("data").path("channels").toString());
    }

    /** The session's position moved to {@code fresh}: items published now reach it, and only it. */
    private void assertOnlyTheNewSocketHoldsTheSession(Session old, Session fresh) {
        CloseInfo close = old.client().awaitClose();
        assertEquals(CloseCodes.TAKEN_OVER, close.statusCode(), close.toString());
        assertEquals("session resumed elsewhere", close.reason());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                cluster.redis().exists(cluster.keys().connection(old.connectionId())) == 0);
        publisher.broadcast("plain:r", Map.of("type", "live"));
        fresh.client().nextOfType("live");
    }

    /** The answer to the resume sent with id "race": resumed or an error. */
    private static JsonNode raceAnswer(Session session) {
        while (true) {
            JsonNode message = session.client().next();
            if ("race".equals(message.path("id").asText())) {
                return message;
            }
        }
    }

    @Test
    void aTokenWhoseSocketIsStillOpenIsUsedOnceAndTheOldSocketIsTakenOver() {
        Session old = subscribedSession(0);
        Session fresh = connect(1, "rita");
        fresh.client().send(Map.of("type", "resume", "token", old.token(), "id", "r1"));
        JsonNode resumed = fresh.client().nextOfType("resumed");
        assertEquals("[\"news:r\",\"plain:r\",\"server:made\"]", resumed.path("channels").toString());
        assertOnlyTheNewSocketHoldsTheSession(old, fresh);

        // Neither the old socket's close nor a later attempt brings the token back.
        for (int node = 0; node < 2; node++) {
            Session replay = connect(node, "rita");
            replay.client().send(Map.of("type", "resume", "token", old.token(), "id", "again"));
            JsonNode refused = replay.client().nextOfType("error");
            assertEquals("resume_refused", refused.path("code").asText(), refused.toString());
            replay.client().send(Map.of("type", "get_status"));
            assertEquals(0, replay.client().nextOfType("status").path("data").path("channels").size());
        }
    }

    @Test
    void aTokenWhoseSocketIsStillOpenOnTheSameNodeIsTakenOverToo() {
        Session old = subscribedSession(0);
        Session fresh = connect(0, "rita");
        fresh.client().send(Map.of("type", "resume", "token", old.token()));
        fresh.client().nextOfType("resumed");
        assertOnlyTheNewSocketHoldsTheSession(old, fresh);
    }

    @Test
    void ofTwoResumesRacingOnTwoNodesWithOneTokenOnlyOneWins() {
        Session old = subscribedSession(0);
        Session first = connect(0, "rita");
        Session second = connect(1, "rita");
        first.client().send(Map.of("type", "resume", "token", old.token(), "id", "race"));
        second.client().send(Map.of("type", "resume", "token", old.token(), "id", "race"));
        JsonNode a = raceAnswer(first);
        JsonNode b = raceAnswer(second);
        assertEquals(List.of("resume_refused", "resumed"), Stream.of(a, b)
                        .map(m -> "resumed".equals(m.path("type").asText()) ? "resumed" : m.path("code").asText())
                        .sorted().toList(), "exactly one resume wins: " + a + " / " + b);
        Session winner = "resumed".equals(a.path("type").asText()) ? first : second;
        assertOnlyTheNewSocketHoldsTheSession(old, winner);
    }

    @Test
    void theSocketThatResumedHasATokenOfItsOwnForTheNextResume() {
        Session old = subscribedSession(0);
        Session middle = connect(1, "rita");
        middle.client().send(Map.of("type", "resume", "token", old.token()));
        middle.client().nextOfType("resumed");
        middle.client().close();
        middle.client().awaitClose();

        Session last = connect(0, "rita");
        last.client().send(Map.of("type", "resume", "token", middle.token()));
        assertEquals("[\"news:r\",\"plain:r\",\"server:made\"]",
                last.client().nextOfType("resumed").path("channels").toString());
        last.client().send(Map.of("type", "resume", "token", last.token()));
        assertEquals("resume_refused", last.client().nextOfType("error").path("code").asText(),
                "a socket cannot take itself over");
        assertTrue(last.client().isOpen());
    }

    @Test
    void aTokenOfAnotherUserOrAnUnknownOneIsRefused() {
        Session sam = connect(0, "sam");
        sam.client().send(Map.of("type", "subscribe", "channel", "plain:sam"));
        sam.client().nextOfType("subscribed");
        sam.client().close();
        sam.client().awaitClose();

        Session tom = connect(1, "tom");
        tom.client().send(Map.of("type", "resume", "token", sam.token(), "id", 5));
        JsonNode refused = tom.client().nextOfType("error");
        assertEquals("resume_refused", refused.path("code").asText());
        assertEquals(5, refused.path("id").asInt());
        tom.client().send(Map.of("type", "get_status"));
        assertEquals(0, tom.client().nextOfType("status").path("data").path("channels").size(), "nothing restored");

        tom.client().send(Map.of("type", "resume", "token", "x".repeat(32)));
        assertEquals("resume_refused", tom.client().nextOfType("error").path("code").asText());
        tom.client().send(Map.of("type", "resume", "token", "bad token"));
        assertEquals("resume_refused", tom.client().nextOfType("error").path("code").asText());
        tom.client().send(Map.of("type", "resume", "token", sam.token(), "positions", List.of(1)));
        assertEquals("invalid_message", tom.client().nextOfType("error").path("code").asText());
    }
}
