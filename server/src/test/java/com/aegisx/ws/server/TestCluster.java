package com.aegisx.ws.server;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.manager.WebSocketManager;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.RedisBackend;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.aegisx.ws.server.core.Route;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.function.Supplier;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Several real nodes in the test JVM (each on port 0) sharing one Redis under a key prefix of
 * their own, plus the helpers the integration tests need around them.
 *
 * <p>Also a JUnit extension for "N nodes on one Redis", instead of a {@code @BeforeAll} that starts
 * a cluster and an {@code @AfterAll} that closes it:
 * <pre>
 * &#64;RegisterExtension
 * static final TestCluster cluster = TestCluster.nodes(2).env("WEBSOCKET_MAX_PAYLOAD", "4096");
 * </pre>
 * On a static field the nodes live for the test class; on an instance field, for each test.
 */
public final class TestCluster implements AutoCloseable, BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback {

    public static final String SECRET = "test-secret-that-is-long-enough-for-hs256!";

    /**
     * The Redis the nodes use unless a test names one: the shared standalone one, unless a suite
     * re-runs itself against a cluster ({@link #useBackend}, see {@code OnRedisCluster}).
     */
    private static volatile Supplier<RedisBackend> defaultBackend = RedisFixture::shared;

    private RedisBackend redis;
    private String prefix;
    private final Map<String, String> env = new HashMap<>();
    private final List<WsNode> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    private List<Function<NodeServices, Route>> routes;
    private WsPublisher publisher;
    /** As an extension: how many nodes to start, with what, and whether they live for the class. */
    private int plannedNodes;
    private final Map<String, String> plannedEnv = new HashMap<>();
    private boolean perClass;

    private TestCluster(RedisBackend redis, Map<String, String> overrides,
                        List<Function<NodeServices, Route>> routes) {
        init(redis, overrides, routes);
    }

    private TestCluster(int plannedNodes) {
        this.plannedNodes = plannedNodes;
        this.routes = List.of();
    }

    /** A cluster of {@code count} nodes started by JUnit (register it with {@code @RegisterExtension}). */
    public static TestCluster nodes(int count) {
        return new TestCluster(count);
    }

    /** As an extension: one more setting for every node (before the nodes start). */
    public TestCluster env(String name, String value) {
        plannedEnv.put(name, value);
        return this;
    }

    /** As an extension: the routes beside /ws (before the nodes start). */
    public TestCluster routes(List<Function<NodeServices, Route>> extraRoutes) {
        this.routes = extraRoutes;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        startPlanned();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            startPlanned();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    private void startPlanned() throws Exception {
        init(defaultBackend.get(), plannedEnv, routes);
        try {
            for (int i = 0; i < plannedNodes; i++) {
                addNode();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void init(RedisBackend redis, Map<String, String> overrides, List<Function<NodeServices, Route>> routes) {
        this.redis = redis;
        this.prefix = redis.uniquePrefix();
        this.routes = routes;
        env.clear();
        env.put("PORT", "0");
        env.put("HOST", "127.0.0.1");
        env.put("REDIS_URL", redis.url());
        env.putAll(redis.nodeEnv());
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
        return start(defaultBackend.get(), nodeCount, overrides, routes);
    }

    /**
     * Makes the tests of one class run against {@code backend} (from a {@code beforeAll}
     * callback; reset with {@link #useDefaultBackend()}). Test classes run one after another.
     */
    public static void useBackend(Supplier<RedisBackend> backend) {
        defaultBackend = backend;
    }

    public static void useDefaultBackend() {
        defaultBackend = RedisFixture::shared;
    }

    /** Nodes on a Redis of the caller's (e.g. a dedicated one the test stops and starts). */
    public static TestCluster start(RedisBackend redis, int nodeCount, Map<String, String> overrides,
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
        return addNode(Map.of());
    }

    /** One more node, with settings of its own over the cluster's (e.g. its REDIS_URL through a TcpProxy). */
    public WsNode addNode(Map<String, String> overrides) throws Exception {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.putAll(overrides);
        nodeEnv.put("NODE_ID", "n" + nodes.size() + "-" + prefix);
        WsNode node = WsNode.start(ServerConfig.builder().env(nodeEnv).build(), routes);
        nodes.add(node);
        return node;
    }

    public WsNode node(int index) {
        return nodes.get(index);
    }

    /** The spec's manager as seen from node {@code index} (blocking; test code only). */
    public WebSocketManager manager(int index) {
        return new WebSocketManager(publisher().async(), nodes.get(index).hub(), java.time.Duration.ofSeconds(5));
    }

    /**
     * One more node of this cluster in a child JVM (the production jar), for tests that kill a
     * node for real; the caller closes it.
     */
    public NodeProcess startProcess(String nodeId) throws java.io.IOException {
        return startProcess(nodeId, Map.of());
    }

    /** As {@link #startProcess(String)}, with {@code overrides} on top of the cluster's environment. */
    public NodeProcess startProcess(String nodeId, Map<String, String> overrides) throws java.io.IOException {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.putAll(overrides);
        nodeEnv.put("NODE_ID", nodeId + "-" + prefix);
        return NodeProcess.start(nodeEnv);
    }

    public String prefix() {
        return prefix;
    }

    public KeySchema keys() {
        return new KeySchema(prefix);
    }

    public RedisClusterCommands<String, String> redis() {
        return redis.sync();
    }

    public RedisBackend backend() {
        return redis;
    }

    /** {@code redis-cli PUBLISH} on a standalone Redis, {@code SPUBLISH} on a cluster. */
    public long rawPublish(String topic, String payload) {
        return redis.publish(topic, payload);
    }

    /** The value of a counter or gauge in the node's Prometheus scrape (summed over its tag sets), 0 if absent. */
    public static double counter(WsNode node, String name) {
        double total = 0;
        for (String line : node.metrics().scrape().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    public String redisUrl() {
        return redis.url();
    }

    public synchronized WsPublisher publisher() {
        if (publisher == null) {
            publisher = WsPublisher.connect(redis.url(), redis.publisherOptions(PublisherOptions.builder().keyPrefix(prefix))
                    .build());
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
        for (TestClient client : List.copyOf(clients)) {
            try {
                client.close();
            } catch (RuntimeException ignored) {
                // already closed by the test
            }
        }
        clients.clear();
        for (WsNode node : nodes) {
            node.close();
        }
        nodes.clear();
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
    }
}
