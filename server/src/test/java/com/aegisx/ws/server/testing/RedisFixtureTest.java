package com.aegisx.ws.server.testing;

import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the Redis fixture that need no Redis. The real thing is checked in RedisFixtureIT. */
class RedisFixtureTest {

    @Test
    void prefixesAreUniqueAcrossThreadsAndUseOnlyLowercaseLettersAndDigits() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 2_500; i++) {
                    seen.add(UniquePrefix.next());
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(20_000, seen.size());
        seen.forEach(p -> assertTrue(p.matches("t[0-9]+[a-z0-9]{6}"), p));
    }

    @Test
    void passwordsSurviveTheUrl() {
        String password = "p@ss word:/+%é";
        RedisURI uri = RedisURI.create(RedisFixture.url("127.0.0.1", 6390, password));
        // Lettuce 7 has no RedisURI.getPassword(); credentials come from a provider.
        assertEquals(password, new String(uri.getCredentialsProvider().resolveCredentials().block().getPassword()));
        assertEquals(6390, uri.getPort());
        assertEquals("redis://127.0.0.1:6390", RedisFixture.url("127.0.0.1", 6390, null));
    }
}
