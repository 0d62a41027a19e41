package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.Identity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicSubscriptionsTest {

    private final FakeBroker broker = new FakeBroker();

    private static LocalConnection socket(String id) {
        return new LocalConnection(id, "main", new FakeOutbound(), Identity.anonymous(), "127.0.0.1", "");
    }

    @Test
    void membersComeAndGoAndRedisIsToldOncePerTopic() {
        TopicSubscriptions topics = new TopicSubscriptions(broker);
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
        assertEquals(List.of("subscribe t", "unsubscribe t"), broker.calls());
    }

    @Test
    void aLoneMemberLeavingEndsTheTopicAndAnotherSocketDoesNot() {
        TopicSubscriptions topics = new TopicSubscriptions(broker);
        LocalConnection a = socket("a");
        topics.join("user:1", a);
        topics.leave("user:1", socket("other"));
        assertEquals(List.of(a), List.copyOf(topics.members("user:1")));
        topics.leave("user:1", a);
        assertFalse(topics.isSubscribed("user:1"));
        assertEquals(0, topics.topicCount());
    }

    @Test
    void theFanOutsArrayIsReusedUntilAChangeAndAlwaysCurrentAfterOne() {
        TopicSubscriptions topics = new TopicSubscriptions(broker);
        LocalConnection a = socket("a");
        LocalConnection b = socket("b");
        LocalConnection c = socket("c");
        topics.join("room", a);
        topics.join("room", b);

        java.util.Collection<LocalConnection> first = topics.members("room");
        assertSame(first, topics.members("room"), "no change: the same array");
        topics.join("room", c);
        assertEquals(Set.of(a, b, c), new HashSet<>(topics.members("room")));
        topics.leave("room", a);
        assertEquals(Set.of(b, c), new HashSet<>(topics.members("room")));
        assertEquals(Set.of(a, b), new HashSet<>(first), "a snapshot handed out never changes under its reader");
    }

    @Test
    void warmReadsALoneMembersOutboundStateAndLeavesChannelsAlone() {
        TopicSubscriptions topics = new TopicSubscriptions(broker);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        FakeOutbound out = new FakeOutbound() {
            @Override
            public long queuedBytes() {
                reads.incrementAndGet();
                return 7;
            }
        };
        LocalConnection lone = new LocalConnection("a", "main", out, Identity.anonymous(), "127.0.0.1", "");
        topics.join("user:1", lone);
        assertEquals(7, topics.warm("user:1"), "what the delivery will read: the member's outbound state");
        assertEquals(1, reads.get());
        assertEquals(0, topics.warm("user:nobody-here"));

        topics.join("ch:1", lone);
        topics.join("ch:1", socket("b"));
        assertEquals(0, topics.warm("ch:1"), "several members: not warmed");
        assertEquals(1, reads.get());
        assertEquals(List.of(lone), List.copyOf(topics.members("user:1")), "warming changes nothing");
    }
}
