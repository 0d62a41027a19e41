package com.aegisx.ws.server.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.server.testing.NodeAcl;
import com.aegisx.ws.server.testing.RedisClusterFixture;
import com.aegisx.ws.server.testing.TcpProxy;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.testing.UniquePrefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, TLS and ACL users on a Redis Cluster: three masters and three replicas that speak TLS
 * only (client port, cluster bus, replication; client certificates required), the nodes entering
 * as the ACL user with the README's cluster rights through {@code rediss-cluster://ws-node:...@}.
 * Sharded pub/sub, the publisher client, and a master failover (the node re-dials the promoted
 * replica over TLS, as the same user) all work.
 */
class ClusterTlsIT {

    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static RedisClusterFixture redis;

    @BeforeAll
    static void start() {
        redis = RedisClusterFixture.startSecured(UniquePrefix.next());
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void nodesAndThePublisherWorkOnATlsClusterAsTheNodeUserAndFollowAFailover() throws Exception {
        try (TestCluster cluster = TestCluster.start(redis, 2, Map.of(), List.of())) {
            SecuredScenario.nodesAndPublisherWork(cluster);
            String topic = cluster.keys().channelTopic("ward:1");
            assertEquals(2, redis.subscribers(topic), "both nodes SSUBSCRIBEd on the slot's master");
            for (int port : redis.masterPorts()) {
                String clients = redis.node(port).clientList();
                assertTrue(SecuredScenario.nodeUserClients(clients) >= 2, "the nodes' connections to " + port
                        + " are the restricted user: " + clients);
            }

            int victim = redis.ownerOf(topic);
            int promoted = redis.failOver(victim);
            try {
                // Until the node has re-subscribed and re-registered it refuses new sockets (503).
                await("node ready after the failover").atMost(SETTLE).until(() -> cluster.node(1).isReady());
                TestClient watcher = cluster.connect(1);
                watcher.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:2", "id", 3));
                String moved = cluster.keys().channelTopic("ward:2");
                await("both nodes re-subscribed on the promoted master " + promoted).atMost(SETTLE).ignoreExceptions()
                        .until(() -> redis.subscribers(topic) == 2 && redis.subscribers(moved) >= 1);
                await("delivery after the failover (a publish may time out while the slot map is stale)").atMost(SETTLE)
                        .ignoreExceptions().until(
                        () -> cluster.publisher().broadcast("ward:1", Map.of("type", "after", "data", Map.of())) == 2);
                assertTrue(SecuredScenario.nodeUserClients(redis.node(promoted).clientList()) >= 2);
            } finally {
                redis.restore(victim);
            }
        }
    }

    /**
     * Unlike Sentinel (see SentinelTlsIT), Lettuce keeps every cluster seed's failure: a wrong
     * password is named also when the last seed resets the connection instead of answering WRONGPASS.
     */
    @Test
    void aWrongPasswordIsNamedAlsoWhenTheLastSeedResetsTheConnection() throws Exception {
        String url = redis.url();
        List<String> seeds = new ArrayList<>(List.of(url.substring(url.indexOf('@') + 1).split(",")));
        String last = seeds.get(seeds.size() - 1);
        try (TcpProxy resetting = new TcpProxy("127.0.0.1", Integer.parseInt(last.substring(last.indexOf(':') + 1)))) {
            resetting.refuse(true);
            seeds.set(seeds.size() - 1, "127.0.0.1:" + resetting.port());
            String wrong = "not-the-node-password-43";
            Map<String, String> env = new HashMap<>(redis.nodeEnv());
            env.put("PORT", "0");
            env.put("HOST", "127.0.0.1");
            env.put("REDIS_URL", "rediss-cluster://" + NodeAcl.USER + ":" + wrong + "@" + String.join(",", seeds));
            env.put("REDIS_KEY_PREFIX", redis.uniquePrefix());
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> WsNode.start(ServerConfig.fromEnv(env)).close());
            assertTrue(refused.getMessage().contains("REDIS_URL (its user:password)"), refused.getMessage());
            assertTrue(refused.getMessage().contains("WRONGPASS"), refused.getMessage());
            StandaloneTlsIT.assertNoSecret(refused, wrong);
        }
    }
}
