package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.server.testing.RedisFixture;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
        ClassicTopicLink link = new ClassicTopicLink(() -> stillAliveWhenClosed(opened),
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        heard.add(message);
                    }
                });
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
