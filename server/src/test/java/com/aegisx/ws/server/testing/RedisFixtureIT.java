package com.aegisx.ws.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks the fixture against a real Redis (skipped without one, failed without one on CI). */
@ExtendWith(RedisExtension.class)
class RedisFixtureIT {

    @Test
    void sharedRedisAnswersAndIsTheSameInstanceEverywhere(RedisFixture redis) {
        assertSame(redis, RedisFixture.shared());
        String key = redis.uniquePrefix() + ":k";
        redis.sync().set(key, "v");
        assertEquals("v", redis.sync().get(key));
        assertTrue(redis.url().startsWith("redis://"), redis.url());
        redis.sync().del(key);
    }

    @Test
    void passwordProtectedRedisRefusesClientsWithoutThePassword() {
        RedisFixture secured = RedisFixture.withPassword("s3cret pw");
        assertSame(secured, RedisFixture.withPassword("s3cret pw"));
        assertEquals("PONG", secured.sync().ping());

        RedisClient anonymous = RedisClient.create(RedisURI.create(secured.host(), secured.port()));
        try (StatefulRedisConnection<String, String> connection = anonymous.connect()) {
            RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                    () -> connection.sync().ping());
            assertTrue(e.getMessage().startsWith("NOAUTH"), e.getMessage());
        } catch (RedisConnectionException e) {
            // Lettuce may refuse already at connect time; the server refusing is what matters.
            assertTrue(String.valueOf(e.getCause()).contains("NOAUTH"), String.valueOf(e.getCause()));
        } finally {
            anonymous.shutdown();
        }
    }

    @Test
    void aDedicatedRedisCanGoDownAndComeBack() {
        try (RedisFixture redis = RedisFixture.dedicated()) {
            assertNotEquals(RedisFixture.shared().port(), redis.port());
            redis.sync().set("k", "v");
            redis.stopServer();
            // Probed with a raw socket: Lettuce would queue a command until its timeout.
            assertThrows(IOException.class, () -> new Socket(redis.host(), redis.port()).close());
            redis.startServer();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> "PONG".equals(redis.sync().ping()));
            assertNull(redis.sync().get("k"));
        }
    }
}
