package com.aegisx.ws.server.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.history.History;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.testing.RedisFixture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The history scripts against a real Redis: offsets, epochs, trimming, recovery bounds, the redis-cli form. */
class HistoryScriptIT {

    private final RedisFixture redis = RedisFixture.shared();
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisPubSubConnection<String, String> subscriber;
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private KeySchema keys;
    private History history;

    @BeforeEach
    void setUp() throws Exception {
        keys = new KeySchema(redis.uniquePrefix());
        connection = redis.client().connect();
        history = new History(connection.async(), keys, HistoryRules.parse("small:**=3;**=100/1h"), false);
        subscriber = redis.client().connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                heard.add(message);
            }
        });
        subscriber.sync().subscribe(keys.channelTopic("news"), keys.channelTopic("small:x"));
    }

    @AfterEach
    void tearDown() {
        subscriber.close();
        connection.close();
    }

    private History.Published publish(String channel, String message) throws Exception {
        return history.publish(channel, message, null).get(5, TimeUnit.SECONDS);
    }

    @Test
    void offsetsCountWithinOneEpochAndTheDeliveredTextEndsWithThem() throws Exception {
        History.Published first = publish("news", "{\"type\":\"a\",\"n\":1795960460393.074}");
        History.Published second = publish("news", "{}");
        assertEquals(1, first.offset());
        assertEquals(2, second.offset());
        assertEquals(first.epoch(), second.epoch());
        assertEquals(1, first.receivers());
        await().until(() -> heard.size() == 2);
        assertEquals("{\"type\":\"a\",\"n\":1795960460393.074,\"offset\":1,\"epoch\":\"" + first.epoch() + "\"}", heard.get(0));
        assertEquals("{\"offset\":2,\"epoch\":\"" + first.epoch() + "\"}", heard.get(1));
        assertTrue(redis.sync().pttl(keys.history("news")) > 0, "the TTL of the rule is set");
        assertThrows(Exception.class, () -> publish("news", "[1]"));
    }

    @Test
    void aReadGivesWhatFollowsAPositionOrSaysItCannot() throws Exception {
        String epoch = publish("news", "{\"n\":1}").epoch();
        publish("news", "{\"n\":2}");
        publish("news", "{\"n\":3}");

        History.Read read = history.read("news", 1, epoch, 100).get(5, TimeUnit.SECONDS);
        assertTrue(read.recovered());
        assertEquals(3, read.top());
        assertEquals(List.of(2L, 3L), read.entries().stream()
                .map(e -> Long.parseLong(e.text().replaceAll(".*\"offset\":(\\d+).*", "$1"))).toList());

        History.Read current = history.read("news", 3, epoch, 100).get(5, TimeUnit.SECONDS);
        assertTrue(current.recovered());
        assertTrue(current.entries().isEmpty());

        assertFalse(history.read("news", 0, epoch, 2).get().recovered(), "more than the bound: not recovered");
        assertFalse(history.read("news", 1, "other", 100).get().recovered(), "another epoch");
        assertFalse(history.read("news", 9, epoch, 100).get().recovered(), "a position beyond the top");
        History.Read position = history.read("news", 0, null, 100).get();
        assertFalse(position.recovered());
        assertEquals(3, position.top());
        assertEquals(epoch, position.epoch());
    }

    @Test
    void trimmingPastAPositionIsNotRecovered() throws Exception {
        String epoch = null;
        for (int i = 1; i <= 5; i++) {
            epoch = publish("small:x", "{\"n\":" + i + "}").epoch();
        }
        assertEquals(3, redis.sync().xlen(keys.history("small:x")));
        assertFalse(history.read("small:x", 1, epoch, 100).get().recovered(), "message 2 was trimmed");
        History.Read read = history.read("small:x", 2, epoch, 100).get();
        assertTrue(read.recovered());
        assertEquals(3, read.entries().size());
    }

    @Test
    void aLostHistoryStartsANewEpoch() throws Exception {
        String before = publish("news", "{\"n\":1}").epoch();
        redis.sync().del(keys.history("news"), keys.historyMeta("news"));
        History.Published after = publish("news", "{\"n\":2}");
        assertNotEquals(before, after.epoch());
        assertEquals(1, after.offset());
        assertFalse(history.read("news", 1, before, 100).get().recovered());

    }

    @Test
    void anExpiredStreamKeepsItsEpochWhileItsMetaLives() throws Exception {
        publish("news", "{\"n\":1}");
        History.Published second = publish("news", "{\"n\":2}");
        assertTrue(redis.sync().pttl(keys.historyMeta("news")) > redis.sync().pttl(keys.history("news")),
                "the meta outlives the stream");
        // What TTL expiry of a quiet channel leaves: the meta without the stream.
        redis.sync().del(keys.history("news"));
        History.Read atTop = history.read("news", 2, second.epoch(), 100).get();
        assertTrue(atTop.recovered(), "nothing was missed at the top");
        assertEquals(second.epoch(), atTop.epoch());
        assertEquals(2, atTop.top());
        assertTrue(atTop.entries().isEmpty());
        assertFalse(history.read("news", 1, second.epoch(), 100).get().recovered(), "message 2 is gone");

        History.Published third = publish("news", "{\"n\":3}");
        assertEquals(second.epoch(), third.epoch(), "the epoch goes on");
        assertEquals(3, third.offset());
        History.Read after = history.read("news", 2, second.epoch(), 100).get();
        assertTrue(after.recovered());
        assertEquals(1, after.entries().size());
    }

    @Test
    void theRedisCliFormNeedsOnlyTheChannelAndTheMessage() throws Exception {
        String script = History.resource("history-publish.lua");
        List<Object> reply = redis.sync().eval(script, ScriptOutputType.MULTI,
                new String[] {keys.history("news"), keys.historyMeta("news")},
                keys.channelTopic("news"), "{\"type\":\"cli\"}");
        assertEquals(1L, reply.get(0));
        await().until(() -> heard.size() == 1);
        assertTrue(heard.get(0).startsWith("{\"type\":\"cli\",\"offset\":1,\"epoch\":\""), heard.get(0));
        assertEquals(-1, redis.sync().pttl(keys.history("news")), "no TTL unless asked");
    }

    @Test
    void anExcludeTravelsInTheEnvelopeAndIsStored() throws Exception {
        history.publish("news", "{\"n\":1}", "ws_nodeA_abc").get(5, TimeUnit.SECONDS);
        await().until(() -> heard.size() == 1);
        assertTrue(heard.get(0).startsWith("{\"__ws\":{\"exclude\":\"ws_nodeA_abc\"},\"message\":{\"n\":1,\"offset\":1,"),
                heard.get(0));
        History.Read read = history.read("news", 0, history.read("news", 0, null, 1).get().epoch(), 100).get();
        assertEquals("ws_nodeA_abc", read.entries().get(0).excludeConnection());
    }
}
