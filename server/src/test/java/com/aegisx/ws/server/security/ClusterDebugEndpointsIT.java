package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.OnRedisCluster;
import com.aegisx.ws.server.testing.RedisClusterFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The debug endpoints of {@link DebugEndpointsIT} on a 3-master Redis Cluster, where each master
 * holds only its slots' keys: paging must SCAN every master in turn, with a cursor that survives
 * the round trip through the URL.
 */
@ExtendWith(OnRedisCluster.class)
class ClusterDebugEndpointsIT extends DebugEndpointsIT {

    @Test
    void pagingVisitsTheConnectionsAndChannelsOfEveryMaster() throws Exception {
        RedisClusterFixture redis = RedisClusterFixture.shared();
        Map<Integer, String> connectionOnMaster = new HashMap<>();
        Map<Integer, String> channelOnMaster = new HashMap<>();
        for (int i = 0; i < 60 && (connectionOnMaster.size() < RedisClusterFixture.MASTERS
                || channelOnMaster.size() < RedisClusterFixture.MASTERS); i++) {
            TestClient client = cluster.connectAs(i % 2, "spread-" + i);
            String id = client.received().get(0).path("data").path("connectionId").asText();
            String channel = "spread:" + i;
            client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", channel));
            connectionOnMaster.putIfAbsent(redis.ownerOf(cluster.keys().connection(id)), id);
            channelOnMaster.putIfAbsent(redis.ownerOf(cluster.keys().channelMembers(channel)), channel);
        }
        assertEquals(RedisClusterFixture.MASTERS, connectionOnMaster.size(), "connection hashes on every master");
        assertEquals(RedisClusterFixture.MASTERS, channelOnMaster.size(), "channel indexes on every master");

        Set<String> connections = new HashSet<>();
        Set<String> channels = new HashSet<>();
        Set<String> cursors = new HashSet<>();
        page(CONNECTIONS, body -> body.path("connections").forEach(c -> connections.add(c.path("id").asText())), cursors);
        page(CHANNELS, body -> body.path("channels").forEach(c -> channels.add(c.path("channel").asText())), cursors);
        assertTrue(connections.containsAll(connectionOnMaster.values()), "every master's connections: " + connections);
        assertTrue(channels.containsAll(channelOnMaster.values()), "every master's channels: " + channels);
        assertTrue(cursors.stream().anyMatch(c -> !c.startsWith("0-")), "the cursor moved on from the first master: "
                + cursors);
        assertEquals(400, get(0, CONNECTIONS + "?cursor=7-0", "X-Api-Key", API_KEY).statusCode(), "no such master");
    }

    private static void page(String path, java.util.function.Consumer<JsonNode> collect, Set<String> cursors)
            throws Exception {
        String cursor = "0";
        int pages = 0;
        do {
            HttpResponse<String> page = get(pages % 2, path + "?limit=3&cursor=" + cursor, "X-Api-Key", API_KEY);
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = JSON.readTree(page.body());
            collect.accept(body);
            cursor = body.path("nextCursor").isNull() ? null : body.path("nextCursor").asText();
            if (cursor != null) {
                cursors.add(cursor);
            }
            pages++;
        } while (cursor != null && pages < 1000);
    }
}
