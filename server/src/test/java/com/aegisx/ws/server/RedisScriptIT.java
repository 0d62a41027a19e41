package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.server.testing.RedisFixture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

/** Scripts run by digest and fall back to their text when Redis has forgotten them. */
class RedisScriptIT {

    private static final RedisScript INCREMENT = new RedisScript("return redis.call('INCR', KEYS[1])");

    @Test
    void runsByDigestAndSurvivesAScriptFlush() {
        try (RedisFixture redis = RedisFixture.dedicated();
             StatefulRedisConnection<String, String> connection = redis.client().connect()) {
            String[] key = {redis.uniquePrefix() + ":counter"};
            var commands = connection.async();
            assertEquals(1L, INCREMENT.<Long>run(commands, ScriptOutputType.INTEGER, key).join(), "first use: EVAL");
            assertEquals(2L, INCREMENT.<Long>run(commands, ScriptOutputType.INTEGER, key).join(), "then EVALSHA");
            connection.sync().scriptFlush();
            assertEquals(3L, INCREMENT.<Long>run(commands, ScriptOutputType.INTEGER, key).join(), "after a flush");
        }
    }
}
