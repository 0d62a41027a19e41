package com.aegisx.ws.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A client varying {@code since} on every subscribe made the node read the history from Redis each
 * time (at the inbound rate, 20 a second). Each socket now has a replay budget
 * (HISTORY_REPLAY_BURST, HISTORY_REPLAY_RATE): past it, subscribe still subscribes, answers
 * {@code recovered:false} with {@code reason:"replay_rate_limited"} and reads nothing. Redis reads
 * are counted with Redis' own command statistics (XRANGE, called by the history script) on a Redis
 * of the test's own.
 */
class HistoryReplayBudgetIT {

    private static final String RULES = "news:**=100/1h";
    private static final int BURST = 3;
    private static final int PUBLISHED = 10;

    /** Calls of one command, scripts' calls included, since Redis started (0 when never called). */
    private static long calls(RedisCommands<String, String> redis, String command) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(redis.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static JsonNode subscribe(TestClient client, String channel, long since, String epoch) {
        JsonNode reply = client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", channel,
                "since", Map.of("offset", since, "epoch", epoch)));
        assertEquals("subscribed", reply.path("type").asText(), reply.toString());
        return reply;
    }

    @Test
    void subscribesPastTheBudgetAreAnsweredUnrecoveredAndReadNoHistory() throws Exception {
        // No refill during the test (rate 0): the budget is exactly the burst, whatever the machine's speed.
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, Map.of("HISTORY_RULES", RULES,
                     "HISTORY_REPLAY_BURST", Integer.toString(BURST), "HISTORY_REPLAY_RATE", "0"), List.of());
             WsPublisher publisher = WsPublisher.connect(cluster.redisUrl(), PublisherOptions.builder()
                     .keyPrefix(cluster.prefix()).historyRules(HistoryRules.parse(RULES)).build())) {
            RedisCommands<String, String> sync = redis.sync();
            for (int n = 1; n <= PUBLISHED; n++) {
                publisher.broadcast("news:a", Map.of("type", "item", "n", n));
            }
            TestClient hostile = cluster.connectAs(0, "mallory");
            JsonNode plain = hostile.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "news:a"));
            String epoch = plain.path("position").path("epoch").asText();
            assertEquals(PUBLISHED, plain.path("position").path("offset").asInt(), plain.toString());

            long before = calls(sync, "xrange");
            for (int since = 0; since < BURST; since++) {
                JsonNode reply = subscribe(hostile, "news:a", since, epoch);
                assertTrue(reply.path("recovered").asBoolean(), reply.toString());
                assertFalse(reply.has("reason"), reply.toString());
            }
            long withinBudget = calls(sync, "xrange") - before;
            assertEquals(BURST, withinBudget, "each replay within the budget read the history once");

            long spent = calls(sync, "xrange");
            for (int since = BURST; since < PUBLISHED; since++) {
                JsonNode reply = subscribe(hostile, "news:a", since, epoch);
                assertFalse(reply.path("recovered").asBoolean(true), reply.toString());
                assertEquals("replay_rate_limited", reply.path("reason").asText(), reply.toString());
                assertEquals(PUBLISHED, reply.path("position").path("offset").asInt(), reply.toString());
                assertEquals(epoch, reply.path("position").path("epoch").asText(), reply.toString());
            }
            assertEquals(0, calls(sync, "xrange") - spent, "no history read past the budget");
            assertEquals(PUBLISHED - BURST, TestCluster.counter(cluster.node(0), "ws_history_replays_refused_total"));

            // The socket is still subscribed and served: live messages, other channels, no close.
            publisher.broadcast("news:a", Map.of("type", "item", "n", PUBLISHED + 1));
            assertEquals(PUBLISHED + 1, lastItem(hostile, PUBLISHED + 1));
            JsonNode other = hostile.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "plain:b"));
            assertEquals("subscribed", other.path("type").asText(), other.toString());
            assertTrue(hostile.isOpen());

            // Another socket has a budget of its own: its replay is served in full.
            TestClient neighbour = cluster.connectAs(0, "nina");
            JsonNode replayed = subscribe(neighbour, "news:a", 5, epoch);
            assertTrue(replayed.path("recovered").asBoolean(), replayed.toString());
            assertEquals(List.of(6, 7, 8, 9, 10, 11), neighbour.nextInts("item", "n", 6, TestClient.DEFAULT_TIMEOUT));
        }
    }

    /** Skips the replayed items until the one numbered {@code n}, which must come. */
    private static int lastItem(TestClient client, int n) {
        while (true) {
            JsonNode item = client.nextOfType("item");
            if (item.path("n").asInt() == n) {
                return n;
            }
        }
    }
}
