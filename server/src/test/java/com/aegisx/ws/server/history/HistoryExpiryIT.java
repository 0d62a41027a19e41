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
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A quiet channel's history expires by TTL, but its epoch and top stay: a client at the top missed
 * nothing and is told {@code recovered:true}. A Redis restart that lost the data still says
 * {@code recovered:false}, to a client coming back and to one that stayed connected.
 */
class HistoryExpiryIT {

    /** A TTL short enough that the stream expires during the test (the meta outlives it by a day). */
    private static final String RULES = "quiet:**=100/300ms";
    private static final Duration OUTAGE_PATIENCE = Duration.ofSeconds(40);

    private static JsonNode subscribe(TestClient client, String channel, long offset, String epoch) {
        client.send(epoch == null ? Map.of("type", "subscribe", "channel", channel)
                : Map.of("type", "subscribe", "channel", channel, "since", Map.of("offset", offset, "epoch", epoch)));
        return client.nextOfType("subscribed");
    }

    private static WsPublisher publisher(TestCluster cluster) {
        return WsPublisher.connect(cluster.redisUrl(), PublisherOptions.builder().keyPrefix(cluster.prefix())
                .historyRules(HistoryRules.parse(RULES)).build());
    }

    /** Publishes items n = from..to and returns the last one as the subscriber got it. */
    private static JsonNode publishAndReceive(WsPublisher publisher, TestClient client, String channel, int from,
                                              int to) {
        JsonNode last = null;
        for (int n = from; n <= to; n++) {
            publisher.broadcast(channel, Map.of("type", "item", "n", n));
        }
        for (int n = from; n <= to; n++) {
            last = client.nextOfType("item");
            assertEquals(n, last.path("n").asInt());
        }
        return last;
    }

    @Test
    void aPositionAtTheTopOfAnExpiredQuietChannelIsRecovered() throws Exception {
        try (TestCluster cluster = TestCluster.start(2, Map.of("HISTORY_RULES", RULES));
             WsPublisher publisher = publisher(cluster)) {
            TestClient first = cluster.connect(0);
            subscribe(first, "quiet:a", 0, null);
            JsonNode last = publishAndReceive(publisher, first, "quiet:a", 1, 2);
            String epoch = last.path("epoch").asText();
            assertEquals(2, last.path("offset").asLong());
            first.close();

            // Nothing is published: the stream expires by its TTL.
            await().until(() -> cluster.redis().exists(cluster.keys().history("quiet:a")) == 0);

            TestClient back = cluster.connect(1);
            JsonNode subscribed = subscribe(back, "quiet:a", 2, epoch);
            assertTrue(subscribed.path("recovered").asBoolean(false), "missed nothing: " + subscribed);
            assertEquals(epoch, subscribed.path("position").path("epoch").asText(), "same epoch");
            assertEquals(2, subscribed.path("position").path("offset").asLong());

            TestClient behind = cluster.connect(1);
            JsonNode lost = subscribe(behind, "quiet:a", 1, epoch);
            assertFalse(lost.path("recovered").asBoolean(true), "message 2 expired with the stream: " + lost);
            assertEquals(epoch, lost.path("position").path("epoch").asText());

            JsonNode next = publishAndReceive(publisher, back, "quiet:a", 3, 3);
            assertEquals(epoch, next.path("epoch").asText(), "the epoch goes on");
            assertEquals(3, next.path("offset").asLong(), "no offset skipped, none repeated");
            back.sendAndAwaitReply(Map.of("type", "ping"));
            assertTrue(back.received().stream().noneMatch(m -> "subscribed".equals(m.path("type").asText())
                    && m.has("reason")), "no history_lost notice: " + back.received());
        }
    }

    @Test
    void aRedisRestartThatLostTheHistoryIsNotRecovered() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 2, Map.of("HISTORY_RULES", RULES), List.of());
             WsPublisher publisher = publisher(cluster)) {
            TestClient stays = cluster.connect(0);
            subscribe(stays, "quiet:r", 0, null);
            TestClient leaves = cluster.connect(1);
            subscribe(leaves, "quiet:r", 0, null);
            String epoch = publishAndReceive(publisher, leaves, "quiet:r", 1, 2).path("epoch").asText();
            assertEquals(1, stays.nextOfType("item").path("n").asInt());
            assertEquals(2, stays.nextOfType("item").path("n").asInt());
            leaves.close();

            redis.stopServer();
            redis.startServer(); // empty: the history and its meta are gone
            await().atMost(OUTAGE_PATIENCE).until(() -> ready(cluster, 0) && ready(cluster, 1));

            TestClient back = cluster.connect(1);
            JsonNode subscribed = subscribe(back, "quiet:r", 2, epoch);
            assertFalse(subscribed.path("recovered").asBoolean(true), subscribed.toString());
            assertNotEquals(epoch, subscribed.path("position").path("epoch").asText(), "a new epoch");

            await().atMost(OUTAGE_PATIENCE).until(() -> publisher.getConnectionsByChannel("quiet:r").size() == 2);
            publisher.broadcast("quiet:r", Map.of("type", "item", "n", 3));
            // The one that stayed connected is told before the next message, never silently.
            JsonNode notice = stays.nextOfType("subscribed");
            assertFalse(notice.path("recovered").asBoolean(true), notice.toString());
            assertEquals("history_lost", notice.path("reason").asText());
            JsonNode item = stays.nextOfType("item");
            assertEquals(3, item.path("n").asInt());
            assertEquals(1, item.path("offset").asLong());
            assertEquals(3, back.nextOfType("item").path("n").asInt());
        }
    }

    private static boolean ready(TestCluster cluster, int node) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.http(node, "/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
