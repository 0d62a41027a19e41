package com.aegisx.ws.server;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.core.Route;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Several real nodes in the test JVM (each on port 0) sharing one Redis under a key prefix of
 * their own, plus the helpers the integration tests need around them.
 */
public final class TestCluster implements AutoCloseable {

    public static final String SECRET = "test-secret-that-is-long-enough-for-hs256!";

    private final RedisFixture redis;
    private final String prefix;
    private final Map<String, String> env;
    private final List<WsNode> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    private final List<Function<NodeServices, Route>> routes;
    private WsPublisher publisher;

    private TestCluster(RedisFixture redis, Map<String, String> overrides,
                        List<Function<NodeServices, Route>> routes) {
        this.redis = redis;
        this.prefix = redis.uniquePrefix();
        this.routes = routes;
        this.env = new HashMap<>();
        env.put("PORT", "0");
        env.put("HOST", "127.0.0.1");
        env.put("REDIS_URL", redis.url());
        env.put("REDIS_KEY_PREFIX", prefix);
        env.put("JWT_SECRET", SECRET);
        env.put("WEBSOCKET_PING_INTERVAL", "1000");
        env.put("WEBSOCKET_CONNECTION_TIMEOUT", "30000");
        env.put("WEBSOCKET_CLEANUP_INTERVAL", "1000");
        env.put("NODE_HEARTBEAT_INTERVAL", "200");
        env.put("NODE_HEARTBEAT_TIMEOUT", "1000");
        env.putAll(overrides);
    }

    public static TestCluster start(int nodeCount) throws Exception {
        return start(nodeCount, Map.of());
    }

    public static TestCluster start(int nodeCount, Map<String, String> overrides) throws Exception {
        return start(nodeCount, overrides, List.of());
    }

    public static TestCluster start(int nodeCount, Map<String, String> overrides,
                                    List<Function<NodeServices, Route>> routes) throws Exception {
        return start(RedisFixture.shared(), nodeCount, overrides, routes);
    }

    /** Nodes on a Redis of the caller's (e.g. a dedicated one the test stops and starts). */
    public static TestCluster start(RedisFixture redis, int nodeCount, Map<String, String> overrides,
                                    List<Function<NodeServices, Route>> routes) throws Exception {
        TestCluster cluster = new TestCluster(redis, overrides, routes);
        try {
            for (int i = 0; i < nodeCount; i++) {
                cluster.addNode();
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public WsNode addNode() throws Exception {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.put("NODE_ID", "n" + nodes.size() + "-" + prefix);
        WsNode node = WsNode.start(ServerConfig.fromEnv(nodeEnv), routes);
        nodes.add(node);
        return node;
    }

    public WsNode node(int index) {
        return nodes.get(index);
    }

    public String prefix() {
        return prefix;
    }

    public KeySchema keys() {
        return new KeySchema(prefix);
    }

    public RedisCommands<String, String> redis() {
        return redis.sync();
    }

    public String redisUrl() {
        return redis.url();
    }

    public synchronized WsPublisher publisher() {
        if (publisher == null) {
            publisher = WsPublisher.connect(redis.url(), PublisherOptions.builder().keyPrefix(prefix).build());
        }
        return publisher;
    }

    public URI uri(int node, String path) {
        return URI.create("ws://127.0.0.1:" + nodes.get(node).port() + path);
    }

    public URI http(int node, String path) {
        return URI.create("http://127.0.0.1:" + nodes.get(node).port() + path);
    }

    /** A path on the node's management port (metrics, debug endpoints; loopback). */
    public URI management(int node, String path) {
        return URI.create("http://127.0.0.1:" + nodes.get(node).managementPort() + path);
    }

    /** Connects anonymously and waits for {@code welcome}. */
    public TestClient connect(int node) {
        return connect(node, "/ws", null);
    }

    /** Connects as {@code userId} (HS256 token in the Authorization header) and waits for {@code welcome}. */
    public TestClient connectAs(int node, String userId, String... roles) {
        return connect(node, "/ws", token(userId, roles));
    }

    public TestClient connect(int node, String path, String token) {
        Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        TestClient client = TestClient.connect(uri(node, path), headers);
        clients.add(client);
        client.nextOfType("welcome");
        return client;
    }

    public static String token(String userId, String... roles) {
        return JWT.create()
                .withSubject(userId)
                .withArrayClaim("roles", roles)
                .withExpiresAt(Instant.now().plusSeconds(3600))
                .sign(Algorithm.HMAC256(SECRET));
    }

    @Override
    public void close() {
        for (TestClient client : clients) {
            try {
                client.close();
            } catch (RuntimeException ignored) {
                // already closed by the test
            }
        }
        for (WsNode node : nodes) {
            node.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
