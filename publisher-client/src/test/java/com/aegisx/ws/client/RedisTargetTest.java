package com.aegisx.ws.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisTargetTest {

    private static final String STANDALONE = "rediss://app:s3cret@redis.example:6380/2";

    /** The URI of {@link #STANDALONE}: address, database, TLS and credentials. */
    private static void assertStandaloneUri(RedisURI uri) {
        assertEquals("redis.example", uri.getHost());
        assertEquals(6380, uri.getPort());
        assertEquals(2, uri.getDatabase());
        assertTrue(uri.isSsl());
        assertEquals("app", user(uri));
        assertEquals("s3cret", password(uri));
    }

    @Test
    void standaloneWithUserPasswordDatabaseAndTls() {
        RedisTarget target = RedisTarget.parse(STANDALONE);
        assertEquals(RedisTarget.Mode.STANDALONE, target.mode());
        assertStandaloneUri(target.uri());
        assertFalse(target.toString().contains("s3cret"), target.toString());
    }

    @Test
    void sentinelInLettucesForm() {
        RedisTarget target = RedisTarget.parse(
                "redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/?sentinelMasterId=ws");
        assertEquals(RedisTarget.Mode.SENTINEL, target.mode());
        assertEquals(3, target.uri().getSentinels().size());
        assertEquals("ws", target.uri().getSentinelMasterId());
        assertEquals("pw", password(target.uri()));
        assertTrue(RedisTarget.parse("rediss-sentinel://h:26379/?sentinelMasterId=m").uri().isSsl());
    }

    @Test
    void clusterSeedsEachCarryTheCredentialsAndTls() {
        RedisTarget target = RedisTarget.parse("rediss-cluster://ops:p%20w@a:7000,b:7001, c:7002");
        assertEquals(RedisTarget.Mode.CLUSTER, target.mode());
        List<RedisURI> seeds = target.uris();
        assertEquals(List.of("a", "b", "c"), seeds.stream().map(RedisURI::getHost).toList());
        assertEquals(List.of(7000, 7001, 7002), seeds.stream().map(RedisURI::getPort).toList());
        for (RedisURI seed : seeds) {
            assertTrue(seed.isSsl());
            assertEquals("ops", user(seed));
            assertEquals("p w", password(seed));
        }
        assertFalse(target.toString().contains("p%20w"), target.toString());
        assertEquals(RedisTarget.Mode.CLUSTER, RedisTarget.parse("redis-cluster://h:7000").mode());
    }

    @Test
    void aTimeoutReachesEveryUriAndSentinelAndKeepsTheRest() {
        java.time.Duration timeout = java.time.Duration.ofSeconds(5);
        RedisTarget standalone = RedisTarget.parse(STANDALONE).withTimeout(timeout);
        assertEquals(timeout, standalone.uri().getTimeout());
        assertStandaloneUri(standalone.uri());
        assertEquals(RedisTarget.parse(STANDALONE).toString(), standalone.toString());

        RedisTarget sentinel = RedisTarget.parse(
                "redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/?sentinelMasterId=ws").withTimeout(timeout);
        assertEquals(RedisTarget.Mode.SENTINEL, sentinel.mode());
        assertEquals("ws", sentinel.uri().getSentinelMasterId());
        assertEquals("pw", password(sentinel.uri()));
        assertEquals(timeout, sentinel.uri().getTimeout());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), sentinel.uri().getSentinels().stream().map(RedisURI::getHost).toList());
        sentinel.uri().getSentinels().forEach(s -> assertEquals(timeout, s.getTimeout()));

        RedisTarget cluster = RedisTarget.parse("redis-cluster://ops:pw@a:7000,b:7001").withTimeout(timeout);
        assertEquals(RedisTarget.Mode.CLUSTER, cluster.mode());
        for (RedisURI seed : cluster.uris()) {
            assertEquals(timeout, seed.getTimeout());
            assertEquals("pw", password(seed));
        }
    }

    @Test
    void badFormsAreRefusedWithoutEchoingThePassword() {
        assertMessage("http://localhost", "must start with");
        assertMessage("localhost:6379", "must start with");
        assertMessage("redis://:pw@a:1,b:2", "redis-cluster://");
        assertMessage("redis-sentinel://:pw@a:26379", "sentinelMasterId");
        assertMessage("redis-cluster://:pw@a:7000/3", "only database 0");
        assertMessage("redis-cluster://:pw@a:7000,,b:7001", "empty seed");
    }

    private static String user(RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block().getUsername();
    }

    private static String password(RedisURI uri) {
        return new String(uri.getCredentialsProvider().resolveCredentials().block().getPassword());
    }

    private static void assertMessage(String url, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisTarget.parse(url));
        assertTrue(e.getMessage().contains(expected), url + " -> " + e.getMessage());
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }
}
