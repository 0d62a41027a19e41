package com.aegisx.ws.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The publish age is sampled, the message counters are not. */
class NodeMetricsTest {

    /** Three fraction digits, as publishers write it ({@code Instant.toString()} drops zero millis). */
    private static Instant fiveSecondsAgoWithMillis() {
        return Instant.ofEpochSecond(Instant.now().getEpochSecond() - 5).plusMillis(123);
    }

    @Test
    void oneMessageInAgeSampledEveryHasItsPublishAgeMeasuredAndEveryMessageIsCounted() {
        try (NodeMetrics metrics = new NodeMetrics("n1")) {
            int every = NodeMetrics.SAMPLED_EVERY;
            String stamped = "{\"channel\":\"a\",\"timestamp\":\"" + fiveSecondsAgoWithMillis()
                    + "\"}";
            int at = stamped.indexOf("\"timestamp\":\"") + "\"timestamp\":\"".length();
            for (int i = 0; i < 2 * every; i++) {
                metrics.onPubSubMessage(false, stamped, at);
            }
            metrics.onPubSubMessage(true, null); // no timestamp: counted, nothing to measure
            for (int i = 0; i < every; i++) {
                metrics.onPubSubMessage(true, Instant.now().minusSeconds(5).toString());
            }

            var age = metrics.registry().get("ws.pubsub.publish.age").timer();
            assertEquals(3, age.count(), "the " + every + "th, " + 2 * every + "th and " + 3 * every + "th timestamped");
            assertEquals(5.0, age.mean(TimeUnit.SECONDS), 4.0, "an age of about 5 s");
            assertEquals(3 * every + 1, metrics.pubSubReceived(), "every message counted");
        }
    }
}
