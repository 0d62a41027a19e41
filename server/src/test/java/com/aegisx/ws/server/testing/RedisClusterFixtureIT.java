package com.aegisx.ws.server.testing;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks the Cluster and Sentinel fixtures themselves against real processes. */
class RedisClusterFixtureIT {

    @Test
    void sharedClusterHasThreeMastersEachWithAReplicaAndRoutesKeys() {
        RedisClusterFixture cluster = RedisClusterFixture.shared();
        assertEquals(3, cluster.masterPorts().size());
        String prefix = cluster.uniquePrefix();
        for (int i = 0; i < 20; i++) {
            cluster.sync().set(prefix + ":{k" + i + "}", "v" + i);
        }
        for (int i = 0; i < 20; i++) {
            String key = prefix + ":{k" + i + "}";
            assertEquals("v" + i, cluster.node(cluster.ownerOf(key)).get(key), "on the slot's owner");
        }
        assertTrue(cluster.url().startsWith("redis-cluster://:cluster%20pw@"), cluster.url());
    }

    @Test
    void sentinelPromotesTheReplicaWhenTheMasterDies() {
        try (RedisSentinelFixture sentinel = RedisSentinelFixture.start()) {
            int before = sentinel.masterPort();
            sentinel.master().set("k", "v");
            int after = sentinel.killMaster();
            assertNotEquals(before, after);
            assertEquals("v", sentinel.master().get("k"), "replicated before the kill");
        }
    }

    @Test
    void slotOwnerIsAMaster() {
        RedisClusterFixture cluster = RedisClusterFixture.shared();
        List<Integer> masters = cluster.masterPorts();
        assertTrue(masters.contains(cluster.ownerOf("ws:ch:{news}")));
        assertEquals(SlotHash.getSlot("ws:ch:{news}"), SlotHash.getSlot("news"));
    }
}
