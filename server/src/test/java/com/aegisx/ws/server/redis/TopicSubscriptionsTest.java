package com.aegisx.ws.server.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.websocket.LocalConnection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TopicSubscriptionsTest {

    private final List<String> sent = new ArrayList<>();

    /** Records SUBSCRIBE / UNSUBSCRIBE and confirms them at once. */
    private final TopicLink pubSub = new TopicLink() {
        @Override
        public CompletableFuture<Void> subscribe(String topic) {
            sent.add("subscribe " + topic);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void unsubscribe(String topic) {
            sent.add("unsubscribe " + topic);
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public long resubscriptions() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

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
}
