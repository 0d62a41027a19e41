package com.aegisx.ws.server.events;

import com.aegisx.ws.client.events.LifecycleEvent;
import com.aegisx.ws.client.events.LifecycleEventConsumer;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every lifecycle event of a test cluster, read from the start through the publisher client's
 * consumer helper. A JUnit extension ordered after the cluster's, per test:
 * <pre>
 * &#64;RegisterExtension &#64;Order(1) final TestCluster cluster = TestCluster.nodes(2).env("LIFECYCLE_EVENTS", "true");
 * &#64;RegisterExtension &#64;Order(2) final EventLog log = new EventLog(cluster);
 * </pre>
 */
final class EventLog implements BeforeEachCallback, AfterEachCallback {

    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final TestCluster cluster;
    private LifecycleEventConsumer consumer;

    EventLog(TestCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        consumer = LifecycleEventConsumer.start(cluster.redisUrl(), cluster.keys(), "it", "it-1", events::add, true);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (consumer != null) {
            consumer.close();
        }
    }

    /** A connection's id, asked over the socket. */
    static String idOf(TestClient client) {
        return client.sendAndAwaitReply(Map.of("type", "get_status", "id", "s")).path("data").path("connectionId").asText();
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
}
