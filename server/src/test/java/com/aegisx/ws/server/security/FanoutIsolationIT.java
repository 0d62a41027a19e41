package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.reports.ReportRoutes;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Route;
import com.aegisx.ws.server.core.RouteHandler;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 1: one socket's filter must not end the other sockets' delivery. A hostile
 * {@code apply_filter} with a number that overflows a double ({@code 1e999}) used to be accepted;
 * the comparison then threw inside the fan-out, and every member after that socket missed the
 * message. The members' order is a hash order, so the hostile socket sits among ten watchers and a
 * plain {@code /ws} subscriber: some of them come after it.
 */
class FanoutIsolationIT {

    private static final int WATCHERS = 10;
    private static final int MESSAGES = 5;

    @Test
    void aHostileFilterSocketAmongWatchersCutsNobodysDelivery() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of(), ReportRoutes.all());
             ReportProducer producer = ReportProducer.connect(cluster.redisUrl(),
                     PublisherOptions.builder().keyPrefix(cluster.prefix()).build())) {
            String templateId = "tpl-" + UUID.randomUUID();
            String path = "/api/v1/reports/stream/" + templateId;
            List<TestClient> watchers = new ArrayList<>();
            for (int i = 0; i < WATCHERS / 2; i++) {
                watchers.add(cluster.connect(0, path, TestCluster.token("w" + i)));
            }
            TestClient hostile = cluster.connect(0, path, TestCluster.token("mallory"));
            for (int i = WATCHERS / 2; i < WATCHERS; i++) {
                watchers.add(cluster.connect(0, path, TestCluster.token("w" + i)));
            }
            for (TestClient watcher : watchers) {
                assertEquals("initial_data", watcher.nextOfType("initial_data").path("type").asText());
            }
            hostile.nextOfType("initial_data");
            TestClient subscriber = cluster.connect(0);
            assertEquals("subscribed", subscriber.sendAndAwaitReply(Map.of("type", "subscribe",
                    "channel", ReportChannels.data(templateId), "id", "s")).path("type").asText());

            hostile.send("{\"type\":\"apply_filter\",\"id\":\"evil\",\"filter\":{\"value\":1e999}}");
            JsonNode answer = hostile.next();
            assertEquals("error", answer.path("type").asText(), "a non-finite filter value is refused: " + answer);
            assertEquals(ErrorCodes.INVALID_FILTER, answer.path("code").asText());

            for (int i = 1; i <= MESSAGES; i++) {
                producer.streams().append(templateId, Map.of("value", i));
            }
            List<TestClient> everyone = new ArrayList<>(watchers);
            everyone.add(subscriber);
            everyone.add(hostile);
            for (TestClient client : everyone) {
                for (int i = 1; i <= MESSAGES; i++) {
                    JsonNode update = client.nextOfType("data_update");
                    assertEquals(i, update.path("data").path("value").asInt(), update.toString());
                }
            }
        }
    }

    /**
     * The rule behind it, whatever the cause: a route whose interceptor throws (a bug, say) on a
     * few sockets, among plain subscribers of the same channel. Every other socket gets every message.
     */
    @Test
    void anInterceptorThatThrowsCostsOnlyItsOwnSocketTheMessage() throws Exception {
        Route broken = new Route("broken", "/broken", new RouteHandler() {
            @Override
            public CompletableFuture<Void> onRegistered(LocalConnection connection, Map<String, String> parameters) {
                connection.interceptor((conn, channel, message, frame, send) -> {
                    throw new IllegalStateException("interceptor bug");
                });
                return CompletableFuture.completedFuture(null);
            }
        });
        try (TestCluster cluster = TestCluster.start(1, Map.of(), List.of(services -> broken))) {
            List<TestClient> healthy = new ArrayList<>();
            List<TestClient> failing = new ArrayList<>();
            for (int i = 0; i < WATCHERS; i++) {
                healthy.add(cluster.connect(0));
                if (i % 3 == 0) {
                    failing.add(cluster.connect(0, "/broken", null));
                }
            }
            List<TestClient> all = new ArrayList<>(healthy);
            all.addAll(failing);
            for (TestClient client : all) {
                assertEquals("subscribed", client.sendAndAwaitReply(Map.of("type", "subscribe",
                        "channel", "ward:7", "id", "s")).path("type").asText());
            }
            for (int i = 1; i <= MESSAGES; i++) {
                cluster.publisher().broadcast("ward:7", Map.of("type", "vitals", "seq", i));
            }
            for (TestClient client : healthy) {
                for (int i = 1; i <= MESSAGES; i++) {
                    assertEquals(i, client.nextOfType("vitals").path("seq").asInt());
                }
            }
            // The failing sockets themselves are still served: a ping is answered.
            for (TestClient client : failing) {
                assertEquals("pong", client.sendAndAwaitReply(Map.of("type", "ping", "id", "p")).path("type").asText());
            }
            // Counted once per socket and dispatch batch (the batch stops for that socket only).
            assertTrue(cluster.node(0).fanOut().memberFailures() >= failing.size());
        }
    }
}
