package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.auth.AuthSettings;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.security.SecuritySettings;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client protocol on fake ports: replies, refusals and their order per socket, in milliseconds. */
class ClientProtocolTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final FakeBroker broker = new FakeBroker();
    private final ConnectionHub hub = new ConnectionHub("node-a", new KeySchema("t"), new FakeIndex(),
            new TopicSubscriptions(broker), Duration.ofMinutes(5));
    private final AuthSettings auth = AuthSettings.defaults();
    private final ClientProtocol protocol = new ClientProtocol(hub,
            new SubscriptionPolicy(hub, auth.channelPolicy(), 2), 200,
            new ConnectionGuard(SecuritySettings.defaults(), new JwtAuthenticator(auth), auth.channelPolicy(),
                    scheduler, null));
    private final RouteHandler route = new RouteHandler() { };

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private LocalConnection open(String userId) {
        LocalConnection connection = new LocalConnection("ws_" + userId, "main", new FakeOutbound(),
                new Identity(userId, Set.of(), null), "127.0.0.1", "");
        hub.open(connection).join();
        connection.markWelcomed();
        return connection;
    }

    private static List<JsonNode> replies(LocalConnection connection) {
        return ((FakeOutbound) connection.outbound()).frames().stream().map(f -> (JsonNode) Json.parseObject(f)).toList();
    }

    private static List<String> types(LocalConnection connection) {
        return replies(connection).stream()
                .map(r -> r.path("type").asText() + (r.has("code") ? ":" + r.path("code").asText() : "")).toList();
    }

    @Test
    void repliesComeInTheOrderOfTheRequestsEvenWhenTheBrokerIsSlow() {
        LocalConnection a = open("alice");
        broker.holdSubscribes(true);
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"news\",\"id\":1}");
        protocol.onText(a, route, "{\"type\":\"ping\",\"id\":2}");
        protocol.onText(a, route, "{\"type\":\"get_status\",\"id\":3}");
        assertEquals(List.of(), types(a), "nothing overtakes the pending subscribe");
        broker.confirmHeld();
        assertEquals(List.of("subscribed", "pong", "status"), types(a));
        assertEquals("[\"news\"]", replies(a).get(2).path("data").path("channels").toString(), "status sees the subscription");
    }

    @Test
    void aFrameAfterWelcomeWaitsForTheFramesSentBeforeIt() {
        LocalConnection a = new LocalConnection("ws_bob", "main", new FakeOutbound(),
                new Identity("bob", Set.of(), null), "127.0.0.1", "");
        hub.open(a).join();
        CompletableFuture<Void> registering = new CompletableFuture<>();
        a.serially(() -> registering); // the registration that ends with welcome
        protocol.onText(a, route, "{\"type\":\"ping\",\"id\":1}");
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"news\",\"id\":2}");
        a.markWelcomed(); // welcome is queued; the two frames before it are not handled yet
        protocol.onText(a, route, "{\"type\":\"ping\",\"id\":3}");
        registering.complete(null);
        assertEquals(List.of("pong", "subscribed", "pong"), types(a));
        assertEquals(List.of(1, 2, 3), replies(a).stream().map(r -> r.path("id").asInt()).toList());
    }

    @Test
    void badInputGetsAnErrorAndChangesNothing() {
        LocalConnection a = open("alice");
        protocol.onText(a, route, "not json");
        protocol.onText(a, route, "{\"type\":\"subscribe\"}");
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":42}");
        protocol.onText(a, route, "{\"type\":\"dance\"}");
        protocol.onText(a, route, "{\"type\":\"unsubscribe\",\"channel\":\"never\"}");
        assertEquals(List.of("error:" + ErrorCodes.INVALID_JSON, "error:" + ErrorCodes.MISSING_FIELD,
                "error:" + ErrorCodes.INVALID_CHANNEL, "error:" + ErrorCodes.UNKNOWN_TYPE,
                "error:" + ErrorCodes.NOT_SUBSCRIBED), types(a));
        assertTrue(a.channels().isEmpty());
    }

    @Test
    void theSubscriptionLimitAndTheChannelRulesApplyToClients() {
        LocalConnection a = open("alice");
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"one\"}");
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"two\"}");
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"three\"}");
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"one\"}"); // already held: not counted again
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"user:bob\"}");
        assertEquals(List.of("subscribed", "subscribed", "error:" + ErrorCodes.SUBSCRIPTION_LIMIT, "subscribed",
                "error:forbidden"), types(a));
        assertEquals(Set.of("one", "two"), a.channels());
    }

    @Test
    void aFailedSubscribeIsReportedAndLeavesNothingBehind() {
        LocalConnection a = open("alice");
        broker.failSubscribes(true);
        protocol.onText(a, route, "{\"type\":\"subscribe\",\"channel\":\"news\",\"id\":\"s\"}");
        JsonNode error = replies(a).get(0);
        assertEquals(ErrorCodes.UNAVAILABLE, error.path("code").asText());
        assertEquals("s", error.path("id").asText());
        assertTrue(a.channels().isEmpty());
    }

    @Test
    void framesBeforeWelcomeWaitBehindIt() {
        LocalConnection a = new LocalConnection("ws_early", "main", new FakeOutbound(),
                new Identity("early", Set.of(), null), "127.0.0.1", "");
        java.util.concurrent.CompletableFuture<Void> registered = new java.util.concurrent.CompletableFuture<>();
        a.serially(() -> registered.thenRun(() -> {
            a.send(Json.object().put("type", "welcome"));
            a.markWelcomed();
        }));
        protocol.onText(a, route, "{\"type\":\"ping\"}");
        assertEquals(List.of(), types(a));
        registered.complete(null);
        assertEquals(List.of("welcome", "pong"), types(a));
    }
}
