package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.testing.RedisFixture;
import io.lettuce.core.Range;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a blocking publish does while Redis is down: it fails within the publisher's own timeout
 * ({@link PublisherOptions#timeout()}), and what failed stays failed. Before, Lettuce kept the
 * command for its fixed 5 s: a publish reported failed after the publisher's 500 ms was still sent
 * once Redis came back within them (delivered after the caller was told otherwise, twice if it retried).
 */
class PublisherOutageIT {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void aPublishReportedFailedWhileRedisIsDownIsNeverSentLater() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated()) {
            PublisherOptions options = PublisherOptions.builder().keyPrefix(redis.uniquePrefix()).timeout(TIMEOUT).build();
            KeySchema keys = options.keys();
            String channel = "reports:alerts"; // a history channel by default: each publish is an entry in its stream
            try (WsPublisher ws = WsPublisher.connect(redis.url(), options)) {
                ws.broadcast(channel, Map.of("type", "before"));
                redis.stopServer();

                RuntimeException failed = assertThrows(RuntimeException.class,
                        () -> ws.broadcast(channel, Map.of("type", "failed")));
                assertTrue(String.valueOf(failed.getMessage()).contains(String.valueOf(TIMEOUT.toMillis())),
                        "the failure names the publisher's timeout: " + failed);

                redis.startServer(); // empty, well within Lettuce's former 5 s
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> ws.broadcast(channel, Map.of("type", "after")) >= 0);
                // Lettuce sends what it buffered, in order, before anything newer: had it kept the
                // failed publish, the stream would hold it before "after".
                List<String> types = redis.sync().xrange(keys.history(channel), Range.create("-", "+")).stream()
                        .map(entry -> Json.parseObject(entry.getBody().get("m")).path("type").asText())
                        .distinct().toList();
                assertEquals(List.of("after"), types, "only what was reported as published after the restart");
            }
        }
    }
}
