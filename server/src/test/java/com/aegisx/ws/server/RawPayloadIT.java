package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.TestClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A payload reaches clients as the publisher wrote it: the node stamps {@code channel} and
 * {@code timestamp} into the text and never re-encodes the publisher's JSON (numbers used to
 * change form: {@code 1795960460393.074} arrived as {@code 1.795960460393074E12}).
 */
class RawPayloadIT {

    /** Numbers a double would print differently, one beyond a double's precision, an exponent. */
    private static final String BODY = "\"type\":\"tick\",\"at\":1795960460393.074,\"v\":12345678.5,"
            + "\"big\":123456789012345678901234567890.123456789,\"e\":1e5,\"z\":-0.0,\"s\":\"\\u00e9\"";

    @Test
    void awkwardNumbersArriveAsPublished() throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            TestClient client = cluster.connect(0);
            client.send(Map.of("type", "subscribe", "channel", "ticks"));
            client.nextOfType("subscribed");

            // A raw PUBLISH, as redis-cli sends it: the node must stamp channel and timestamp.
            cluster.redis().publish(cluster.keys().channelTopic("ticks"), "{" + BODY + ",\"n\":1}");
            // The same through the envelope (exclude someone else).
            cluster.redis().publish(cluster.keys().channelTopic("ticks"),
                    "{\"__ws\":{\"exclude\":\"ws_other_x\"},\"message\":{" + BODY + ",\"n\":2}}");
            // The publisher client given JSON text keeps it as written too.
            cluster.publisher().broadcast("ticks", "{" + BODY + ",\"n\":3}");

            for (int n = 1; n <= 3; n++) {
                assertEquals(n, client.nextOfType("tick").path("n").asInt());
            }
            List<String> ticks = client.receivedTexts().stream().filter(t -> t.contains("\"type\":\"tick\"")).toList();
            assertEquals(3, ticks.size());
            for (int i = 0; i < ticks.size(); i++) {
                String text = ticks.get(i);
                assertTrue(text.contains(BODY + ",\"n\":" + (i + 1) + "}"), "delivered as published: " + text);
                assertTrue(text.matches("\\{\"channel\":\"ticks\",\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\",.*"),
                        "stamped: " + text);
            }
        }
    }

    @Test
    void aUserMessageKeepsItsNumbersToo() throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            TestClient client = cluster.connectAs(0, "numbers-user");
            cluster.redis().publish(cluster.keys().userTopic("numbers-user"), "{" + BODY + "}");
            client.nextOfType("tick");
            String text = client.receivedTexts().stream().filter(t -> t.contains("\"type\":\"tick\"")).findFirst().orElseThrow();
            assertTrue(text.matches("\\{\"timestamp\":\"[^\"]{24}\"," + java.util.regex.Pattern.quote(BODY) + "}"), text);
        }
    }
}
