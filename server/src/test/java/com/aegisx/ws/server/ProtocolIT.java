package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProtocolIT {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(1);

    @Test
    void welcomeCarriesConnectionIdAndChannels() {
        TestClient client = TestClient.connect(cluster.uri(0, "/ws"));
        JsonNode welcome = client.next();
        assertEquals("welcome", welcome.path("type").asText());
        assertTrue(welcome.path("data").path("connectionId").asText().startsWith("ws_" + cluster.node(0).nodeId() + "_"));
        assertTrue(welcome.path("data").path("serverTime").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        // The spec's four, without user:alerts, which the default rules refuse to all but an admin.
        assertEquals("[\"reports:progress\",\"reports:data-updates\",\"system:notifications\"]",
                welcome.path("data").path("availableChannels").toString());
        client.close();
        TestClient admin = TestClient.connect(cluster.uri(0, "/ws"),
                Map.of("Authorization", "Bearer " + TestCluster.token("ops-1", "admin")));
        assertEquals(4, admin.nextOfType("welcome").path("data").path("availableChannels").size());
        admin.close();
    }

    @Test
    void welcomeComesFirstEvenWhenTheClientSpeaksFirst() throws Exception {
        try (RawWsClient client = RawWsClient.connect(cluster.uri(0, "/ws"))) {
            client.sendJson(Map.of("type", "ping", "id", 1));
            client.sendJson(Map.of("type", "subscribe", "channel", "early:bird", "id", 2));
            client.sendJson(Map.of("type", "ping", "id", 3));
            assertEquals("welcome", client.readTextJson().path("type").asText());
            assertEquals("pong", client.readTextJson().path("type").asText());
            assertEquals("subscribed", client.readTextJson().path("type").asText());
            assertEquals(3, client.readTextJson().path("id").asInt());
        }
    }

    @Test
    void compressionIsNotNegotiatedByDefault() throws Exception {
        try (RawWsClient client = RawWsClient.connect(cluster.uri(0, "/ws"),
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"))) {
            assertEquals(null, client.responseHeaders().get("sec-websocket-extensions"));
            assertEquals("welcome", client.readTextJson().path("type").asText());
        }
    }

    @Test
    void specExamplesSubscribePingStatus() {
        TestClient client = cluster.connect(0);
        client.send(Map.of("type", "subscribe", "channel", "test:channel"));
        JsonNode subscribed = client.next();
        assertEquals("subscribed", subscribed.path("type").asText());
        assertEquals("test:channel", subscribed.path("channel").asText());

        client.send(Map.of("type", "ping", "id", 7));
        JsonNode pong = client.next();
        assertEquals("pong", pong.path("type").asText());
        assertEquals(7, pong.path("id").asInt());

        client.send(Map.of("type", "get_status", "id", "s1"));
        JsonNode status = client.next();
        assertEquals("status", status.path("type").asText());
        assertEquals("s1", status.path("id").asText());
        assertEquals("[\"test:channel\"]", status.path("data").path("channels").toString());

        client.send(Map.of("type", "unsubscribe", "channel", "test:channel"));
        assertEquals("unsubscribed", client.next().path("type").asText());
    }
}
