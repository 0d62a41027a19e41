package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import io.lettuce.core.RedisURI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node against a password-protected Redis: credentials come through REDIS_URL. */
class RedisCredentialsIT {

    static final String PASSWORD = "s3cret-redis-pw-for-tests";

    static Map<String, String> env(String redisUrl, String prefix) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("HOST", "127.0.0.1");
        env.put("REDIS_URL", redisUrl);
        env.put("REDIS_KEY_PREFIX", prefix);
        env.put("NODE_HEARTBEAT_INTERVAL", "200");
        env.put("NODE_HEARTBEAT_TIMEOUT", "1000");
        return env;
    }

    @Test
    void aNodeWorksAgainstAPasswordProtectedRedis() throws Exception {
        RedisFixture redis = RedisFixture.withPassword(PASSWORD);
        String prefix = redis.uniquePrefix();
        try (WsNode node = WsNode.start(ServerConfig.fromEnv(env(redis.url(), prefix)));
             WsPublisher publisher = WsPublisher.connect(redis.url(), PublisherOptions.builder().keyPrefix(prefix).build())) {
            TestClient client = TestClient.connect(java.net.URI.create("ws://127.0.0.1:" + node.port() + "/ws"));
            client.nextOfType("welcome");
            client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "secure:feed"));
            publisher.broadcast("secure:feed", Map.of("type", "tick", "n", 1));
            assertEquals(1, client.nextOfType("tick").path("n").asInt());
            client.close();
        }
    }

    @Test
    void aWrongPasswordFailsStartupWithoutPrintingThePassword() {
        RedisFixture redis = RedisFixture.withPassword(PASSWORD);
        RedisURI uri = RedisURI.create(redis.url());
        String wrong = "redis://:not-the-password-xyz@" + uri.getHost() + ":" + uri.getPort();
        com.aegisx.ws.server.config.env.ConfigException failure = assertThrows(
                com.aegisx.ws.server.config.env.ConfigException.class,
                () -> WsNode.start(ServerConfig.fromEnv(env(wrong, redis.uniquePrefix()))).close());
        org.junit.jupiter.api.Assertions.assertTrue(failure.getMessage().contains("REDIS_URL"), failure.getMessage());
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("not-the-password-xyz"), t.toString());
        }
    }
}
