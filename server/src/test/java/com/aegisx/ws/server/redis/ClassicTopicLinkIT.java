package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.aegisx.ws.server.testing.HungRedis;
import com.aegisx.ws.server.testing.RedisFixture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replacing the pub/sub connection delivers no message twice on a plain channel: when the probe
 * replaced a connection that was still alive (it timed out behind a backlog, say), the old one
 * keeps hearing the channel until it is closed, and its copies must not reach the sockets.
 */
class ClassicTopicLinkIT {

    private final RedisFixture redis = RedisFixture.shared();

    @Test
    void aReplacedConnectionThatStillDeliversIsNotHeardTwice() throws Exception {
        String topic = redis.uniquePrefix() + ":ch:{plain}";
        List<String> heard = new CopyOnWriteArrayList<>();
        List<StatefulRedisPubSubConnection<String, String>> opened = new ArrayList<>();
        ClassicTopicLink link = new ClassicTopicLink(stillAliveWhenClosed(opened),
                () -> CompletableFuture.completedFuture(stillAliveWhenClosed(opened)), collecting(heard),
                Duration.ofSeconds(5));
        try {
            link.subscribe(topic).get(5, TimeUnit.SECONDS);
            redis.sync().publish(topic, "before");
            await().until(() -> heard.contains("before"));

            link.renew(List.of(topic)).get(5, TimeUnit.SECONDS);
            // The old connection was "closed" but is still alive and subscribed, as a false alarm leaves it.
            assertEquals(2L, redis.subscribers(topic), "both connections hear the channel");
            redis.sync().publish(topic, "during");
            await().until(() -> link.droppedFromReplaced() == 1 && heard.contains("during"));
            assertEquals(List.of("before", "during"), heard, "each message once");
        } finally {
            opened.forEach(StatefulRedisPubSubConnection::close);
        }
    }

    /**
     * The probe renews the link on the node's scheduler, which also runs pings and liveness. While
     * Redis accepts and does not answer (SIGSTOP), opening the replacement must not hold that
     * thread; subscribes and unsubscribes asked meanwhile reach the new connection, in order.
     */
    @Test
    void aRenewalDoesNotHoldTheThreadThatAsksForItWhileRedisDoesNotAnswer() throws Exception {
        ExecutorService scheduler = Executors.newSingleThreadExecutor();
        try (RedisFixture own = RedisFixture.dedicated()) {
            String prefix = own.uniquePrefix();
            String kept = prefix + ":ch:{kept}";
            String dropped = prefix + ":ch:{dropped}";
            String added = prefix + ":ch:{added}";
            List<String> heard = new CopyOnWriteArrayList<>();
            RedisClient client = own.client();
            RedisURI uri = RedisURI.create(own.url());
            ClassicTopicLink link = new ClassicTopicLink(client.connectPubSub(uri),
                    () -> client.connectPubSubAsync(StringCodec.UTF8, uri), collecting(heard), Duration.ofMinutes(1));
            try {
                link.subscribe(kept).get(5, TimeUnit.SECONDS);
                link.subscribe(dropped).get(5, TimeUnit.SECONDS);
                String pid = HungRedis.pidOf(own.sync());
                CompletableFuture<Void> renewed;
                CompletableFuture<Void> addedConfirmed;
                HungRedis.stop(pid);
                try {
                    CompletableFuture<CompletableFuture<Void>> asked =
                            CompletableFuture.supplyAsync(() -> link.renew(List.of(kept, dropped)), scheduler);
                    CompletableFuture<Void> nextTask = CompletableFuture.runAsync(() -> { }, scheduler);
                    await("the thread's next task runs while Redis does not answer").until(nextTask::isDone);
                    renewed = asked.join();
                    assertFalse(renewed.isDone(), "the replacement is still being opened");
                    addedConfirmed = link.subscribe(added);
                    link.unsubscribe(dropped);
                } finally {
                    HungRedis.resume(pid);
                }
                renewed.get(30, TimeUnit.SECONDS);
                addedConfirmed.get(30, TimeUnit.SECONDS);
                await().until(() -> own.subscribers(kept) == 1 && own.subscribers(added) == 1
                        && own.subscribers(dropped) == 0);
                own.sync().publish(dropped, "dropped");
                own.sync().publish(kept, "kept");
                own.sync().publish(added, "added");
                await().until(() -> heard.contains("kept") && heard.contains("added"));
                assertEquals(List.of("kept", "added"), heard, "each once, nothing of the unsubscribed topic");
            } finally {
                link.close();
            }
        } finally {
            scheduler.shutdownNow();
        }
    }

    private static RedisPubSubListener<String, String> collecting(List<String> heard) {
        return new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                heard.add(message);
            }
        };
    }

    /** A real pub/sub connection whose close does nothing (the test closes it at the end). */
    @SuppressWarnings("unchecked")
    private StatefulRedisPubSubConnection<String, String> stillAliveWhenClosed(
            List<StatefulRedisPubSubConnection<String, String>> opened) {
        StatefulRedisPubSubConnection<String, String> real = redis.client().connectPubSub();
        opened.add(real);
        return (StatefulRedisPubSubConnection<String, String>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StatefulRedisPubSubConnection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closeAsync")) {
                        return CompletableFuture.completedFuture(null);
                    }
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
