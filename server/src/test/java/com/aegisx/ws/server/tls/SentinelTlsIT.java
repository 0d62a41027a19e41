package com.aegisx.ws.server.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.server.testing.RedisSentinelFixture;
import com.aegisx.ws.server.testing.UniquePrefix;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, TLS and ACL users with Sentinel: master, replica and three sentinels that speak TLS only
 * (client certificates required), sentinels with their own password (REDIS_SENTINEL_PASSWORD:
 * Lettuce's URL carries the data nodes' password only), data nodes entered as the ACL user through
 * {@code rediss-sentinel://ws-node:...@...}. Nodes and the publisher work and follow a promotion;
 * a wrong sentinel password stops the node naming that variable.
 */
class SentinelTlsIT {

    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static RedisSentinelFixture sentinel;

    @BeforeAll
    static void start() {
        sentinel = RedisSentinelFixture.startSecured(UniquePrefix.next());
    }

    @AfterAll
    static void stop() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Test
    void aWrongSentinelPasswordStopsTheNodeNamingTheVariableWithoutPrintingIt() {
        String wrong = "not-the-sentinel-password-7";
        Map<String, String> env = new HashMap<>(sentinel.nodeEnv());
        env.put("REDIS_SENTINEL_PASSWORD", wrong);
        env.put("PORT", "0");
        env.put("HOST", "127.0.0.1");
        env.put("REDIS_URL", sentinel.url());
        env.put("REDIS_KEY_PREFIX", sentinel.uniquePrefix());
        ConfigException refused = assertThrows(ConfigException.class,
                () -> WsNode.start(ServerConfig.fromEnv(env)).close());
        assertTrue(refused.getMessage().contains("REDIS_SENTINEL_PASSWORD"), refused.getMessage());
        StandaloneTlsIT.assertNoSecret(refused, wrong);
        System.out.println("A wrong sentinel password stops the node with: " + refused.getMessage());
    }

    @Test
    void nodesAndThePublisherWorkThroughTlsSentinelsAsTheNodeUserAndFollowAPromotion() throws Exception {
        try (TestCluster cluster = TestCluster.start(sentinel, 2, Map.of(), List.of())) {
            SecuredScenario.nodesAndPublisherWork(cluster);
            assertTrue(SecuredScenario.nodeUserClients(sentinel.master().clientList()) >= 5,
                    "nodes and publisher are the restricted user on the master");
            int oldMaster = sentinel.masterPort();
            int newMaster = sentinel.killMaster();
            assertNotEquals(oldMaster, newMaster);
            await("delivery through the promoted replica (a publish may time out in the gap)").atMost(SETTLE)
                    .ignoreExceptions().until(
                    () -> cluster.publisher().broadcast("ward:1", Map.of("type", "after", "data", Map.of())) == 2);
            await("the nodes and the publisher reconnected to the new master over TLS as the same user")
                    .atMost(SETTLE).ignoreExceptions()
                    .until(() -> SecuredScenario.nodeUserClients(sentinel.master().clientList()) >= 5);
        }
    }
}
