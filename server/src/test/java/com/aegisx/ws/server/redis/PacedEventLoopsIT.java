package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.RedisFixture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Lettuce on paced event loops against a real Redis: a burst of messages is read in paced rounds
 * and arrives whole and in order, a lone message after the burst is not held back, and commands
 * answer on the same loops.
 */
class PacedEventLoopsIT {

    private static final int MESSAGES = 5_000;
    private final RedisFixture redis = RedisFixture.shared();

    @Test
    void aBurstIsReadInPacedRoundsWholeAndInOrderAndALoneMessageStillArrives() throws Exception {
        // A wide window (20 ms), so every round of the burst counts as frequent however slow the machine.
        PacedEventLoops loops = new PacedEventLoops(20_000);
        ClientResources resources = DefaultClientResources.builder().eventLoopGroupProvider(loops).build();
        RedisURI uri = RedisURI.create(redis.url());
        uri.setTimeout(Duration.ofSeconds(10));
        RedisClient client = RedisClient.create(resources, uri);
        String topic = redis.uniquePrefix() + ":user:{u1}";
        List<String> heard = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
             StatefulRedisConnection<String, String> commands = client.connect();
             StatefulRedisConnection<String, String> publisher = redis.client().connect()) {
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    if (heard.isEmpty()) {
                        threads.add(Thread.currentThread().getName());
                    }
                    heard.add(message);
                }
            });
            pubSub.sync().subscribe(topic);

            // Published from another client (not paced), pipelined: the burst reaches the loop as fast as Redis sends it.
            List<RedisFuture<Long>> published = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                published.add(publisher.async().publish(topic, Integer.toString(i)));
                if (published.size() == 500) {
                    for (RedisFuture<Long> f : published) {
                        f.get(10, TimeUnit.SECONDS);
                    }
                    published.clear();
                }
            }
            for (RedisFuture<Long> f : published) {
                f.get(10, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> heard.size() == MESSAGES);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                expected.add(Integer.toString(i));
            }
            assertEquals(expected, heard, "every message once, in the order published");
            assertTrue(loops.pauses() > 0, "the loop paced its reads during the burst");
            assertTrue(threads.get(0).startsWith("lettuce-nioEventLoop"), "delivered on Lettuce's loop: " + threads);

            // Quiet now: a lone message is read as it comes, and commands answer.
            redis.sync().publish(topic, "lone");
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == MESSAGES + 1);
            assertEquals("lone", heard.get(MESSAGES));
            assertEquals("PONG", commands.sync().ping());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            loops.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
