package com.aegisx.ws.server.events;

import com.aegisx.ws.client.events.LifecycleEvent;
import com.aegisx.ws.client.events.LifecycleEventConsumer;
import com.aegisx.ws.server.TestCluster;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every lifecycle event of a test cluster, read from the start through the publisher client's consumer helper. */
final class EventLog implements AutoCloseable {

    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final LifecycleEventConsumer consumer;

    EventLog(TestCluster cluster) {
        consumer = LifecycleEventConsumer.start(cluster.redisUrl(), cluster.keys(), "it", "it-1", events::add, true);
    }

    List<LifecycleEvent> all() {
        return events;
    }

    /** The events of one user (its connections' and its own), in the order read. */
    List<String> typesOf(String userId) {
        return events.stream().filter(e -> userId.equals(e.userId())).map(LifecycleEvent::type).toList();
    }

    List<LifecycleEvent> of(String userId, String type) {
        return events.stream().filter(e -> userId.equals(e.userId()) && type.equals(e.type())).toList();
    }

    long count(String userId, String type) {
        return of(userId, type).size();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
