package com.aegisx.ws.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.reports.ReportRoutes;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 5: the ACL users of the shipped compose file, set on a real redis-server with
 * ACL SETUSER exactly as {@code docker/compose.yaml} declares them. Nodes running as {@code ws-node}
 * work; the {@code publisher} user can publish to channels and users and do nothing else.
 */
class RedisAclIT {

    private static final String NODE_PASSWORD = "node-password-0123456789abcdef0123";
    private static final String PUBLISHER_PASSWORD = "publisher-password-0123456789abcdef";
    private static final Map<String, String> ENV = Map.of("REDIS_NODE_PASSWORD", NODE_PASSWORD,
            "REDIS_PUBLISHER_PASSWORD", PUBLISHER_PASSWORD);

    @Test
    void theShippedAclUsersAllowWhatEachNeedsAndNothingMore() throws Exception {
        try (RedisFixture redis = RedisFixture.dedicated()) {
            RedisCommands<String, String> admin = redis.sync();
            for (List<String> user : ComposeFile.read().redisUsers(ENV)) {
                if (!user.get(0).equals("default")) { // the test keeps the default user to administer
                    admin.aclSetuser(user.get(0), io.lettuce.core.AclSetuserArgs.Builder.reset());
                    admin.dispatch(io.lettuce.core.protocol.CommandType.ACL,
                            new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                            new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                    .add("SETUSER").addValues(user));
                }
            }
            String nodeUrl = "redis://ws-node:" + NODE_PASSWORD + "@" + redis.host() + ":" + redis.port();
            KeySchema keys = new KeySchema(KeySchema.DEFAULT_PREFIX); // the ACL key patterns name "ws:"
            try (TestCluster cluster = TestCluster.start(redis, 2, Map.of("REDIS_URL", nodeUrl,
                    "REDIS_KEY_PREFIX", KeySchema.DEFAULT_PREFIX, "LIFECYCLE_EVENTS", "true"), ReportRoutes.all());
                 RedisClient publisherClient = RedisClient.create("redis://publisher:" + PUBLISHER_PASSWORD + "@"
                         + redis.host() + ":" + redis.port());
                 StatefulRedisConnection<String, String> publisherConnection = publisherClient.connect()) {
                // The nodes do their work as ws-node: register, subscribe, limits, cross-node fan-out.
                TestClient alice = cluster.connectAs(0, "alice");
                TestClient watcher = cluster.connect(1);
                assertEquals("subscribed", watcher.sendAndAwaitReply(Map.of("type", "subscribe",
                        "channel", "ward:1", "id", 1)).path("type").asText());
                assertTrue(admin.hlen(keys.userConnections("alice")) >= 1, "registered through the ACL user");
                // The lifecycle scripts (TIME, XADD) run as ws-node too.
                assertTrue(admin.xrange(keys.events(KeySchema.shardOf("alice")), io.lettuce.core.Range.create("-", "+"))
                        .stream().anyMatch(e -> "user_online".equals(e.getBody().get("type"))), "user_online written");

                RedisCommands<String, String> publisher = publisherConnection.sync();
                publisher.publish(keys.channelTopic("ward:1"), "{\"type\":\"vitals\",\"data\":{\"hr\":72}}");
                JsonNode vitals = watcher.nextOfType("vitals");
                assertEquals(72, vitals.path("data").path("hr").asInt());
                publisher.publish(keys.userTopic("alice"), "{\"type\":\"alert\",\"data\":{}}");
                assertEquals("alert", alice.nextOfType("alert").path("type").asText());

                // Nothing else: no node inbox (commands), no key, no subscription, no admin command.
                String inbox = keys.inbox(cluster.node(0).nodeId());
                assertNoPermission(() -> publisher.publish(inbox, "{\"op\":\"DISCONNECT\"}"));
                assertNoPermission(() -> publisher.hgetall(keys.userConnections("alice")));
                assertNoPermission(() -> publisher.keys("*"));
                assertNoPermission(() -> publisher.configGet("requirepass"));
                // And the nodes' user cannot wipe or reconfigure Redis.
                try (RedisClient nodeClient = RedisClient.create(nodeUrl);
                     StatefulRedisConnection<String, String> node = nodeClient.connect()) {
                    assertNoPermission(() -> node.sync().flushall());
                    assertNoPermission(() -> node.sync().configSet("appendonly", "no"));
                    assertNoPermission(() -> node.sync().keys("*"));
                    assertNoPermission(() -> node.sync().get("other-app:secret"));
                }
            }
        }
    }

    private static void assertNoPermission(Runnable command) {
        RedisCommandExecutionException refused = assertThrows(RedisCommandExecutionException.class, command::run);
        assertTrue(refused.getMessage().startsWith("NOPERM"), refused.getMessage());
    }
}
