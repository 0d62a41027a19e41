package com.aegisx.ws.server.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recovery on subscribe (issue 11): replay after a position, then live, no gap, no duplicate; honest when it cannot. */
class HistoryRecoveryIT {

    private static final String RULES = "small:**=3;news:**=100/1h;switch:**=5000";
    private TestCluster cluster;
    private WsPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2, Map.of("HISTORY_RULES", RULES, "HISTORY_MAX_RECOVERY", "5000"));
        publisher = WsPublisher.connect(cluster.redisUrl(), PublisherOptions.builder().keyPrefix(cluster.prefix())
                .historyRules(HistoryRules.parse(RULES)).build());
    }

    @AfterEach
    void stop() {
        publisher.close();
        cluster.close();
    }

    private static JsonNode subscribe(TestClient client, String channel, long offset, String epoch) {
        client.send(epoch == null ? Map.of("type", "subscribe", "channel", channel)
                : Map.of("type", "subscribe", "channel", channel, "since", Map.of("offset", offset, "epoch", epoch)));
        return client.nextOfType("subscribed");
    }

    private void publish(String channel, int from, int to) {
        for (int n = from; n <= to; n++) {
            publisher.broadcast(channel, Map.of("type", "item", "n", n));
        }
    }

    /** The next {@code count} items: their n, checked against offset (n == offset here). */
    private static List<Integer> items(TestClient client, int count) {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode item = client.nextOfType("item");
            assertEquals(item.path("n").asLong(), item.path("offset").asLong(), "offset of " + item);
            assertTrue(item.path("epoch").isTextual(), "epoch on " + item);
            got.add(item.path("n").asInt());
        }
        return got;
    }

    @Test
    void aClientThatReconnectsToTheOtherNodeGetsWhatItMissedThenLiveMessages() {
        TestClient first = cluster.connect(0);
        JsonNode subscribed = subscribe(first, "news:a", 0, null);
        assertFalse(subscribed.has("recovered"), "no since, nothing to recover: " + subscribed);
        String epoch = subscribed.path("position").path("epoch").asText();
        assertEquals(0, subscribed.path("position").path("offset").asLong());
        publish("news:a", 1, 3);
        assertEquals(List.of(1, 2, 3), items(first, 3));
        first.close();

        publish("news:a", 4, 6);
        TestClient again = cluster.connect(1);
        JsonNode resubscribed = subscribe(again, "news:a", 3, epoch);
        assertTrue(resubscribed.path("recovered").asBoolean(), resubscribed.toString());
        assertEquals(6, resubscribed.path("position").path("offset").asLong());
        assertEquals(epoch, resubscribed.path("position").path("epoch").asText());
        assertEquals(List.of(4, 5, 6), items(again, 3));
        publish("news:a", 7, 7);
        assertEquals(List.of(7), items(again, 1));
        assertTrue(again.receivedTexts().stream().filter(t -> t.contains("\"item\""))
                .allMatch(t -> t.startsWith("{\"channel\":\"news:a\",\"timestamp\":\"")), "stamped as live ones");
    }

    @Test
    void messagesPublishedDuringTheReplayFollowItWithoutGapOrDuplicate() throws Exception {
        TestClient watcher = cluster.connect(1);
        String epoch = subscribe(watcher, "switch:x", 0, null).path("position").path("epoch").asText();
        watcher.close();
        // Publishes without pause until the subscribe below has been answered, then 300 more: the
        // subscribe lands in the middle of a stream, with messages published during its replay.
        AtomicBoolean answered = new AtomicBoolean();
        AtomicInteger published = new AtomicInteger();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            int extra = 0;
            while (extra < 300) {
                publisher.broadcast("switch:x", Map.of("type", "item", "n", published.incrementAndGet()));
                if (answered.get()) {
                    extra++;
                }
            }
        });
        await().until(() -> published.get() >= 200);
        TestClient client = cluster.connect(0);
        JsonNode subscribed = subscribe(client, "switch:x", 0, epoch);
        answered.set(true);
        assertTrue(subscribed.path("recovered").asBoolean(), subscribed.toString());
        long top = subscribed.path("position").path("offset").asLong();
        publishing.get();
        int total = published.get();
        assertTrue(top >= 200 && top < total, "subscribed while publishing: top " + top + " of " + total);
        List<Integer> got = items(client, total);
        for (int i = 0; i < total; i++) {
            assertEquals(i + 1, got.get(i), "in order, each once, across the switch at " + top);
        }
        client.sendAndAwaitReply(Map.of("type", "ping"));
        assertEquals(total, client.received().stream().filter(m -> "item".equals(m.path("type").asText())).count(),
                "no duplicate after the last one");
    }

    @Test
    void aChangedEpochIsNotRecoveredAndSaysSo() {
        TestClient client = cluster.connect(0);
        String epoch = subscribe(client, "news:b", 0, null).path("position").path("epoch").asText();
        publish("news:b", 1, 2);
        assertEquals(List.of(1, 2), items(client, 2));
        client.close();

        // The history is lost (as when Redis restarts empty): the next publish starts a new epoch.
        cluster.redis().del(cluster.keys().history("news:b"), cluster.keys().historyMeta("news:b"));
        publish("news:b", 3, 3);
        TestClient again = cluster.connect(1);
        JsonNode subscribed = subscribe(again, "news:b", 2, epoch);
        assertFalse(subscribed.path("recovered").asBoolean(true), subscribed.toString());
        assertNotEquals(epoch, subscribed.path("position").path("epoch").asText());
        assertEquals(1, subscribed.path("position").path("offset").asLong());
        again.sendAndAwaitReply(Map.of("type", "ping"));
        assertTrue(again.received().stream().noneMatch(m -> "item".equals(m.path("type").asText())), "no replay");
    }

    @Test
    void aConnectedSubscriberIsToldWhenTheHistoryStartedOver() {
        TestClient client = cluster.connect(0);
        String epoch = subscribe(client, "news:d", 0, null).path("position").path("epoch").asText();
        publish("news:d", 1, 2);
        assertEquals(List.of(1, 2), items(client, 2));
        // Redis lost the history (restarted empty): the node cannot know what it missed in between.
        cluster.redis().del(cluster.keys().history("news:d"), cluster.keys().historyMeta("news:d"));
        publish("news:d", 3, 3);
        JsonNode notice = client.nextOfType("subscribed");
        assertFalse(notice.path("recovered").asBoolean(true), notice.toString());
        assertEquals("news:d", notice.path("channel").asText());
        String newEpoch = notice.path("position").path("epoch").asText();
        assertNotEquals(epoch, newEpoch);
        assertEquals(0, notice.path("position").path("offset").asLong());
        JsonNode item = client.nextOfType("item");
        assertEquals(3, item.path("n").asInt());
        assertEquals(newEpoch, item.path("epoch").asText());
        assertEquals(1, item.path("offset").asLong());
    }

    @Test
    void aPositionTrimmedOutOfTheHistoryIsNotRecovered() {
        TestClient client = cluster.connect(0);
        String epoch = subscribe(client, "small:c", 0, null).path("position").path("epoch").asText();
        publish("small:c", 1, 1);
        items(client, 1);
        client.close();
        publish("small:c", 2, 5); // keeps 3, 4, 5: message 2 is gone
        TestClient again = cluster.connect(1);
        JsonNode subscribed = subscribe(again, "small:c", 1, epoch);
        assertFalse(subscribed.path("recovered").asBoolean(true), subscribed.toString());
        assertEquals(5, subscribed.path("position").path("offset").asLong());
        TestClient recent = cluster.connect(1);
        assertTrue(subscribe(recent, "small:c", 2, epoch).path("recovered").asBoolean());
        assertEquals(List.of(3, 4, 5), items(recent, 3));
    }

    @Test
    void aFailedReadOnAChannelAlreadySubscribedLeavesItsSubscriptionAsItWas() {
        TestClient client = cluster.connect(0);
        String epoch = subscribe(client, "news:keep", 0, null).path("position").path("epoch").asText();
        publish("news:keep", 1, 1);
        assertEquals(List.of(1), items(client, 1));
        // The history read of the next subscribe fails (a key of the wrong type: WRONGTYPE), as when
        // Redis times out: the client is told to retry, and nothing else may change.
        String meta = cluster.keys().historyMeta("news:keep");
        cluster.redis().rename(meta, meta + ":saved");
        cluster.redis().set(meta, "not a hash");
        client.send(Map.of("type", "subscribe", "channel", "news:keep", "since", Map.of("offset", 1, "epoch", epoch)));
        assertEquals("unavailable", client.nextOfType("error").path("code").asText());
        cluster.redis().del(meta);
        cluster.redis().rename(meta + ":saved", meta);
        publish("news:keep", 2, 2);
        assertEquals(List.of(2), items(client, 1), "still subscribed: the failed request changed nothing");
    }

    @Test
    void aChannelTheNodeLeftAndJoinedAgainIsNotTakenForAGapInItsOwnDelivery() {
        TestClient first = cluster.connect(0);
        subscribe(first, "small:g", 0, null);
        publish("small:g", 1, 1);
        assertEquals(List.of(1), items(first, 1));
        first.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "small:g"));
        // Published while no socket of node 0 listens: the node is not subscribed, so it misses them
        // by design (the history keeps 4, 5, 6).
        publish("small:g", 2, 6);
        TestClient second = cluster.connect(0);
        JsonNode subscribed = subscribe(second, "small:g", 0, null);
        assertEquals(6, subscribed.path("position").path("offset").asLong());
        publish("small:g", 7, 7);
        JsonNode next = second.next();
        assertEquals("item", next.path("type").asText(),
                "the socket subscribed at 6 and missed nothing: no history_lost notice, no stale replay: " + next);
        assertEquals(7, next.path("n").asInt());
    }

    @Test
    void aMalformedMessageInTheHistoryIsSkippedByAReplayWhichGoesOnLive() {
        TestClient first = cluster.connect(0);
        String epoch = subscribe(first, "news:bad", 0, null).path("position").path("epoch").asText();
        publish("news:bad", 1, 1);
        // The redis-cli recipe checks only the braces: an operator's typo (a missing comma) is
        // stored as offset 2. Live, every node drops it as malformed.
        cluster.redis().eval(com.aegisx.ws.client.history.History.resource("history-publish.lua"),
                io.lettuce.core.ScriptOutputType.MULTI,
                new String[] {cluster.keys().history("news:bad"), cluster.keys().historyMeta("news:bad")},
                cluster.keys().channelTopic("news:bad"), "{\"type\":\"item\" \"n\":2}");
        publish("news:bad", 3, 3);
        assertEquals(List.of(1, 3), items(first, 2));

        TestClient late = cluster.connect(1);
        JsonNode subscribed = subscribe(late, "news:bad", 0, epoch);
        assertTrue(subscribed.path("recovered").asBoolean(), subscribed.toString());
        assertEquals(List.of(1, 3), items(late, 2), "the replay skips the bad entry and goes on");
        publish("news:bad", 4, 4);
        assertEquals(List.of(4), items(late, 1), "and live delivery follows");
        assertEquals(List.of(4), items(first, 1));
    }

    @Test
    void aRawPublishOnAHistoryChannelStillDeliversWithoutAnOffset() {
        TestClient client = cluster.connect(0);
        subscribe(client, "news:raw", 0, null);
        cluster.rawPublish(cluster.keys().channelTopic("news:raw"), "{\"type\":\"raw\"}");
        JsonNode raw = client.nextOfType("raw");
        assertFalse(raw.has("offset"));
        client.send(Map.of("type", "subscribe", "channel", "news:bad", "since", Map.of("offset", -1, "epoch", "x")));
        assertEquals("invalid_message", client.nextOfType("error").path("code").asText());
    }

    @Test
    void replayIsBoundedByHistoryMaxRecovery() throws Exception {
        try (TestCluster tight = TestCluster.start(1, Map.of("HISTORY_RULES", RULES, "HISTORY_MAX_RECOVERY", "5"));
             WsPublisher tightPublisher = WsPublisher.connect(tight.redisUrl(), PublisherOptions.builder()
                     .keyPrefix(tight.prefix()).historyRules(HistoryRules.parse(RULES)).build())) {
            TestClient client = tight.connect(0);
            String epoch = subscribe(client, "switch:bounded", 0, null).path("position").path("epoch").asText();
            client.close();
            for (int n = 1; n <= 10; n++) {
                tightPublisher.broadcast("switch:bounded", Map.of("type", "item", "n", n));
            }
            TestClient far = tight.connect(0);
            assertFalse(subscribe(far, "switch:bounded", 0, epoch).path("recovered").asBoolean(true), "10 behind, bound 5");
            TestClient near = tight.connect(0);
            assertTrue(subscribe(near, "switch:bounded", 5, epoch).path("recovered").asBoolean(), "5 behind");
            assertEquals(List.of(6, 7, 8, 9, 10), items(near, 5));
        }
    }
}
