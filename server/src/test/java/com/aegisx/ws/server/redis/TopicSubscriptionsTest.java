package com.aegisx.ws.server.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.websocket.LocalConnection;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TopicSubscriptionsTest {

    private final List<String> sent = new ArrayList<>();

    /** Records SUBSCRIBE / UNSUBSCRIBE and confirms them at once. */
    @SuppressWarnings("unchecked")
    private final RedisPubSubAsyncCommands<String, String> pubSub = (RedisPubSubAsyncCommands<String, String>)
            Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RedisPubSubAsyncCommands.class},
                    (proxy, method, args) -> {
                        sent.add(method.getName() + " " + ((Object[]) args[0])[0]);
                        return new Done();
                    });

    private static LocalConnection socket(String id) {
        return new LocalConnection(id, "main", null, Identity.anonymous(), "127.0.0.1", "", 1 << 20, () -> { });
    }

    @Test
    void membersComeAndGoAndRedisIsToldOncePerTopic() {
        TopicSubscriptions topics = new TopicSubscriptions(pubSub);
        LocalConnection a = socket("a");
        LocalConnection b = socket("b");
        LocalConnection c = socket("c");

        assertTrue(topics.join("t", a).isDone());
        assertEquals(List.of(a), List.copyOf(topics.members("t")));
        topics.join("t", a);
        assertEquals(1, topics.members("t").size(), "joining twice is one membership");

        topics.join("t", b);
        topics.join("t", c);
        assertEquals(Set.of(a, b, c), new HashSet<>(topics.members("t")));

        topics.leave("t", b);
        topics.leave("t", a);
        assertEquals(List.of(c), List.copyOf(topics.members("t")));
        assertTrue(topics.isSubscribed("t"));
        topics.leave("t", a);
        assertEquals(1, topics.members("t").size(), "leaving twice changes nothing");

        topics.leave("t", c);
        assertFalse(topics.isSubscribed("t"));
        assertTrue(topics.members("t").isEmpty());
        assertEquals(List.of("subscribe t", "unsubscribe t"), sent);
    }

    @Test
    void aLoneMemberLeavingEndsTheTopicAndAnotherSocketDoesNot() {
        TopicSubscriptions topics = new TopicSubscriptions(pubSub);
        LocalConnection a = socket("a");
        topics.join("user:1", a);
        topics.leave("user:1", socket("other"));
        assertEquals(List.of(a), List.copyOf(topics.members("user:1")));
        topics.leave("user:1", a);
        assertFalse(topics.isSubscribed("user:1"));
        assertEquals(0, topics.topicCount());
    }

    /** A RedisFuture that is already complete. */
    private static final class Done extends CompletableFuture<Void> implements RedisFuture<Void> {
        Done() {
            complete(null);
        }

        @Override
        public String getError() {
            return null;
        }

        @Override
        public boolean await(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
