package com.aegisx.ws.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.RedisRefusedException;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.server.testing.SecuredRedis;
import com.aegisx.ws.server.testing.UniquePrefix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, TLS and ACL users: a standalone {@code redis-server} that speaks TLS only and requires
 * client certificates (its default), entered as the ACL user with the README's least rights.
 * Nodes and the publisher client work through {@code rediss://ws-node:...@} with REDIS_TLS_*; a
 * wrong password or an untrusted server certificate stops the node naming the setting, never
 * printing the password.
 */
class StandaloneTlsIT {

    private static SecuredRedis redis;

    @BeforeAll
    static void start() {
        redis = SecuredRedis.start(UniquePrefix.next());
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void nodesAndThePublisherWorkOverTlsAsTheNodeUser() throws Exception {
        try (TestCluster cluster = TestCluster.start(redis, 2, Map.of(), List.of())) {
            SecuredScenario.nodesAndPublisherWork(cluster);
            // Every connection of the nodes and the publisher is the restricted user, over TLS.
            String clients = redis.sync().clientList();
            assertTrue(SecuredScenario.nodeUserClients(clients) >= 5, clients); // 2 x (commands, pub/sub) + publisher
            assertEquals(1, clients.lines().filter(l -> l.contains(" user=default ")).count(),
                    "only the test's own administrator connection is the default user: " + clients);
        }
    }

    @Test
    void aWrongPasswordStopsTheNodeNamingTheVariableWithoutPrintingIt() {
        String wrong = "not-the-node-password-42";
        ConfigException refused = assertThrows(ConfigException.class,
                () -> WsNode.start(config(redis.urlWithPassword(wrong), redis.nodeEnv())).close());
        assertTrue(refused.getMessage().contains("REDIS_URL"), refused.getMessage());
        assertTrue(refused.getMessage().contains("WRONGPASS"), refused.getMessage());
        assertNoSecret(refused, wrong);
        System.out.println("A wrong password stops the node with: " + refused.getMessage());

        RedisRefusedException publisher = assertThrows(RedisRefusedException.class, () -> WsPublisher.connect(
                redis.urlWithPassword(wrong), PublisherOptions.builder().redisTls(redis.tls()).build()).close());
        assertEquals(RedisRefusedException.Reason.CREDENTIALS, publisher.reason());
        assertNoSecret(publisher, wrong);
    }

    @Test
    void anUntrustedServerCertificateStopsTheNodeNamingTheTlsSetting() {
        Map<String, String> env = new HashMap<>(redis.nodeEnv());
        env.put("REDIS_TLS_CA_FILE", redis.material().otherCaCertificate().toString());
        ConfigException refused = assertThrows(ConfigException.class,
                () -> WsNode.start(config(redis.url(), env)).close());
        assertTrue(refused.getMessage().contains("REDIS_TLS_CA_FILE"), refused.getMessage());
        assertNoSecret(refused, SecuredRedis.NODE_PASSWORD);
        System.out.println("An untrusted certificate stops the node with: " + refused.getMessage());
    }

    private static ServerConfig config(String url, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("PORT", "0");
        env.put("HOST", "127.0.0.1");
        env.put("REDIS_URL", url);
        env.put("REDIS_KEY_PREFIX", redis.uniquePrefix());
        return ServerConfig.fromEnv(env);
    }

    static void assertNoSecret(Throwable failure, String secret) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(secret), t.toString());
            for (Throwable s : t.getSuppressed()) {
                assertFalse(String.valueOf(s.getMessage()).contains(secret), s.toString());
            }
        }
    }
}
