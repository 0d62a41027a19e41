package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.RawWsClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 4: refused upgrades must be cheap for the Redis every node shares. The per-address
 * check used to read and walk the whole per-IP hash on every upgrade; now it asks HLEN, and a
 * node-local throttle turns away an address hammering upgrades before Redis is asked at all.
 * Measured with Redis' own command statistics on a Redis of the test's own.
 */
class UpgradeLimitCostIT {

    private static final String CLIENT = "127.0.0.1";

    /** Calls of one command since the last CONFIG RESETSTAT (0 when never called). */
    private static long calls(RedisCommands<String, String> redis, String command) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(redis.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aRefusedUpgradeDoesNotReadTheWholeAddressHash() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "1000",
                     "WEBSOCKET_UPGRADE_RATE_PER_IP", "0"), List.of())) {
            RedisCommands<String, String> sync = redis.sync();
            // The address holds its 1,000 places already, all on a live node.
            Map<String, String> entries = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                entries.put("ws_held_" + i, cluster.node(0).nodeId());
            }
            sync.hset(cluster.keys().ipConnections(CLIENT), entries);
            sync.configResetstat();
            for (int i = 0; i < 5; i++) {
                assertEquals(429, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of()));
            }
            // The former script read the whole hash once per upgrade (5 calls); what the node does in
            // the background meanwhile (heartbeats, probes) may read a hash or two, never one per upgrade.
            long wholeHashReads = calls(sync, "hgetall") + calls(sync, "hvals") + calls(sync, "hkeys") + calls(sync, "hscan");
            assertTrue(wholeHashReads < 5, "no refused upgrade reads the whole hash: " + wholeHashReads);
            assertTrue(calls(sync, "hlen") >= 5, "the count is HLEN's");
            assertEquals(1000L, sync.hlen(cluster.keys().ipConnections(CLIENT)), "nothing was added");
        }
    }

    @Test
    void placesHeldByDeadNodesAreFreedWhenTheLimitIsReached() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "3"))) {
            // Reservations of a node that crashed before its sockets registered: no sweep knows them.
            cluster.redis().hset(cluster.keys().ipConnections(CLIENT), Map.of("ws_ghost_1", "ghost-node",
                    "ws_ghost_2", "ghost-node", "ws_ghost_3", "ghost-node"));
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of()));
            assertTrue(cluster.redis().hlen(cluster.keys().ipConnections(CLIENT)) <= 3);
        }
    }

    @Test
    void anAddressHammeringUpgradesIsTurnedAwayBeforeRedisIsAsked() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, Map.of("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "1000",
                     "WEBSOCKET_UPGRADE_RATE_PER_IP", "1", "WEBSOCKET_UPGRADE_BURST_PER_IP", "3"), List.of())) {
            RedisCommands<String, String> sync = redis.sync();
            // One upgrade first, so Redis has the scripts cached (no NOSCRIPT retry to count).
            assertEquals(101, RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of()));
            sync.configResetstat();
            int admitted = 0;
            int throttled = 0;
            for (int i = 0; i < 10; i++) {
                int status = RawWsClient.upgradeStatus(cluster.uri(0, "/ws"), Map.of());
                if (status == 101) {
                    admitted++;
                } else {
                    assertEquals(429, status);
                    throttled++;
                }
            }
            assertTrue(admitted >= 2, "the burst passes");
            assertTrue(throttled >= 1, "then the address is throttled: " + admitted + " admitted");
            // One reservation (its HLEN of the address index) per admitted upgrade; the admitted sockets'
            // registration and close run index scripts of their own, so EVALSHA is not the measure.
            assertEquals(admitted, calls(sync, "hlen"), "Redis saw the admitted upgrades only");
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    cluster.management(0, "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String expected = " " + throttled + ".0";
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("ws_upgrades_throttled_total{")
                    && l.endsWith(expected)), "counted in /metrics");
        }
    }
}
