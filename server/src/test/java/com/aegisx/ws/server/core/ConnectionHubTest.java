package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.auth.Identity;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Registration, subscribe with rollback and close, on fake ports. */
class ConnectionHubTest {

    private final KeySchema keys = new KeySchema("t");
    private final FakeBroker broker = new FakeBroker();
    private final FakeIndex index = new FakeIndex();
    private final TopicSubscriptions topics = new TopicSubscriptions(broker);
    private final ConnectionHub hub = new ConnectionHub("node-a", keys, index, topics, Duration.ofMinutes(5));

    private LocalConnection open(String id) {
        LocalConnection connection = new LocalConnection(id, "main", new FakeOutbound(),
                new Identity("u-" + id, Set.of(), null), "127.0.0.1", "");
        hub.open(connection).join();
        return connection;
    }

    @Test
    void aFailedBrokerSubscriptionRollsEverythingBack() {
        LocalConnection a = open("ws_a");
        broker.failSubscribes(true);
        CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> hub.subscribe(a, "news").join());
        assertTrue(failed.getCause().getMessage().contains("news"));
        assertFalse(a.channels().contains("news"), "not kept locally");
        assertFalse(topics.isSubscribed(keys.channelTopic("news")), "not kept in the membership table");
        assertTrue(index.calls().contains("remove ws_a news"), "the index entry is removed again");

        broker.failSubscribes(false);
        assertTrue(hub.subscribe(a, "news").join(), "a retry works");
        assertTrue(a.channels().contains("news"));
    }

    @Test
    void aFailedIndexWriteRollsBackTheBrokerSubscription() {
        LocalConnection a = open("ws_a");
        index.failing(true);
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, () -> hub.subscribe(a, "news").join());
        assertFalse(a.channels().contains("news"));
        assertEquals(List.of("subscribe " + keys.userTopic("u-ws_a"), "subscribe " + keys.channelTopic("news"),
                "unsubscribe " + keys.channelTopic("news")), broker.calls());
    }

    @Test
    void aSubscribeAfterCloseWritesNothing() {
        LocalConnection a = open("ws_a");
        hub.closed(a).join();
        assertFalse(hub.subscribe(a, "news").join());
        assertFalse(index.calls().contains("add ws_a news"));
        assertEquals(0, topics.topicCount(), "no topic left behind");
    }

    @Test
    void aSecondCloseWaitsForTheRemovalTheFirstBegan() {
        LocalConnection a = open("ws_a");
        index.holdRemovals(); // Redis answers the removal late
        CompletableFuture<Void> first = hub.closed(a); // e.g. the socket's own close
        CompletableFuture<Void> second = hub.closed(a); // e.g. the node's drain, which then closes Redis
        assertFalse(second.isDone(), "the drain must not take a removal under way for done");
        index.releaseRemovals();
        second.join();
        assertTrue(first.isDone());
        assertEquals(1, index.calls().stream().filter(c -> c.startsWith("removeConnection")).count());
    }

    @Test
    void removalsUnderWayAreListedUntilRedisAnswers() {
        LocalConnection a = open("ws_a");
        index.holdRemovals();
        hub.closed(a);
        assertEquals(1, hub.removalsUnderWay().size(), "a drain starting now must wait for it");
        index.releaseRemovals();
        hub.removalsUnderWay().forEach(CompletableFuture::join);
        assertEquals(List.of(), hub.removalsUnderWay());
    }

    @Test
    void closingRemovesTheSocketFromEveryTopicAndTheIndex() {
        LocalConnection a = open("ws_a");
        hub.subscribe(a, "x").join();
        hub.subscribe(a, "y").join();
        hub.closed(a).join();
        assertEquals(0, hub.size());
        assertEquals(0, topics.topicCount());
        assertTrue(index.calls().contains("removeConnection ws_a"));
    }

    @Test
    void lifecycleEventsFollowTheIndexChangesAndAFailingSinkChangesNothing() {
        List<String> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        hub.events(new LifecycleSink() {
            private java.util.concurrent.CompletableFuture<Void> add(String event) {
                reported.add(event);
                return failing.get() ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("down"))
                        : java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> connected(String id, String node, String user) {
                return add("connected " + id + " " + user);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> subscribed(String id, String node, String user, String channel) {
                return add("subscribed " + channel);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> unsubscribed(String id, String node, String user, String channel) {
                return add("unsubscribed " + channel);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> disconnected(String id, String node, String user, int code,
                                                                             String reason, java.util.Collection<String> channels) {
                return add("disconnected " + code + " " + reason + " " + channels);
            }
        });
        LocalConnection a = open("ws_a");
        hub.subscribe(a, "x").join();
        assertFalse(hub.subscribe(a, "x").join(), "already subscribed: no event");
        failing.set(true);
        assertTrue(hub.unsubscribe(a, "x").join(), "a failing sink does not fail the unsubscribe");
        failing.set(false);
        hub.subscribe(a, "y").join();
        hub.closed(a, 4100, "bye").join();
        assertEquals(List.of("connected ws_a u-ws_a", "subscribed x", "unsubscribed x", "subscribed y",
                "disconnected 4100 bye [y]"), reported);
    }

    @Test
    void reregisterAllWritesEverySocketWithItsChannels() {
        LocalConnection a = open("ws_a");
        hub.subscribe(a, "x").join();
        open("ws_b");
        hub.reregisterAll().join();
        List<String> calls = index.calls();
        assertTrue(calls.contains("register ws_a [x]"), calls.toString());
        assertTrue(calls.contains("register ws_b []"), calls.toString());
    }
}
