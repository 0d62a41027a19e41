package com.aegisx.ws.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster on loopback for integration tests: three masters and three replicas of
 * Debian's {@code redis-server} 7 (each in its own directory, on free ports), created with
 * {@code redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes}, with a password
 * ({@code requirepass} and {@code masterauth}) so the tests also cover credentials.
 *
 * <p>{@link #shared()} starts one per test JVM (about three seconds) and stops it at exit; tests
 * share it under their own key prefixes. Tests that kill a master call {@link #failOver(int)},
 * which waits for the promotion and brings the old master back as a replica, so the next test
 * again finds three masters, each with a replica. Without redis-server (or redis-cli) the test is
 * skipped, or fails under {@code CI=true}.
 */
public final class RedisClusterFixture implements RedisBackend, AutoCloseable {

    public static final String PASSWORD = "cluster pw";
    public static final int MASTERS = 3;
    /** Short, so a killed master is replaced within a few seconds. */
    static final int NODE_TIMEOUT_MS = 1000;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private static final Object LOCK = new Object();
    private static RedisClusterFixture shared;
    private static RuntimeException sharedFailure;

    private final List<RedisServerProcess> nodes;
    private final String password;
    /** Set for a TLS cluster with the node ACL user ({@link #startSecured}); null otherwise. */
    private TestTls tls;
    private String aclPrefix;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;
    private boolean closed;

    private RedisClusterFixture(List<RedisServerProcess> nodes, String password) {
        this.nodes = nodes;
        this.password = password;
    }

    /** The cluster shared by every test of this JVM; skips (or on CI fails) when it cannot run. */
    public static RedisClusterFixture shared() {
        synchronized (LOCK) {
            if (shared == null && sharedFailure == null) {
                try {
                    shared = start(MASTERS, PASSWORD);
                    Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "redis-cluster-shutdown"));
                } catch (org.opentest4j.TestAbortedException e) {
                    throw e; // skipped: nothing installed (never under CI=true)
                } catch (RuntimeException e) {
                    sharedFailure = e;
                }
            }
            if (sharedFailure != null) {
                throw new IllegalStateException("starting the test Redis Cluster failed: " + sharedFailure.getMessage(),
                        sharedFailure);
            }
            return shared;
        }
    }

    /**
     * A cluster of its own that speaks TLS only, on the client port, the cluster bus
     * ({@code tls-cluster yes}) and replication ({@code tls-replication yes}), with client
     * certificates required, and lets the nodes in as {@link NodeAcl#USER} with
     * {@link NodeAcl#clusterRules} for {@code prefix}; the caller closes it.
     */
    public static RedisClusterFixture startSecured(String prefix) {
        return start(MASTERS, PASSWORD, TestTls.shared(), prefix);
    }

    /** Starts {@code masters} masters with one replica each, all requiring {@code password}. */
    public static RedisClusterFixture start(int masters, String password) {
        return start(masters, password, null, null);
    }

    private static RedisClusterFixture start(int masters, String password, TestTls tls, String aclPrefix) {
        Optional<Path> binary = RedisServerProcess.findBinary();
        Optional<Path> cli = binary.map(b -> b.resolveSibling("redis-cli")).filter(p -> p.toFile().canExecute());
        if (binary.isEmpty() || cli.isEmpty()) {
            return RedisFixture.unavailable("a Redis Cluster needs redis-server and redis-cli (apt-get install -y redis-server)");
        }
        List<RedisServerProcess> nodes = new ArrayList<>();
        RedisClusterFixture cluster = new RedisClusterFixture(nodes, password);
        cluster.tls = tls;
        cluster.aclPrefix = aclPrefix;
        List<String> args = new ArrayList<>(List.of(
                "--cluster-enabled", "yes",
                "--cluster-config-file", "%DIR%/nodes-%PORT%.conf",
                "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MS),
                // A replica may always take over, however long it was cut off (tests kill masters).
                "--cluster-replica-validity-factor", "0",
                "--masterauth", password));
        if (tls != null) {
            args.addAll(List.of("--tls-cluster", "yes", "--tls-replication", "yes"));
            args.addAll(NodeAcl.serverArgs(SecuredRedis.NODE_PASSWORD, NodeAcl.clusterRules(aclPrefix)));
        }
        RedisServerProcess.Options options = new RedisServerProcess.Options(null, args).withTls(tls);
        try {
            for (int i = 0; i < masters * 2; i++) {
                nodes.add(RedisServerProcess.start(binary.get(), password, options));
            }
            cluster.create(cli.get());
            cluster.awaitHealthy(masters);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void create(Path cli) {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "--no-auth-warning", "-a", password));
        if (tls != null) {
            command.addAll(tls.cliArgs());
        }
        command.addAll(List.of("--cluster", "create"));
        nodes.forEach(n -> command.add(n.host() + ":" + n.port()));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating the cluster", e);
        }
    }

    /**
     * Waits until every running node says {@code cluster_state:ok} and agrees on {@code masters}
     * masters that each have a connected replica.
     */
    public void awaitHealthy(int masters) {
        await("Redis Cluster healthy").atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    for (RedisServerProcess node : running()) {
                        try (StatefulRedisConnection<String, String> c = nodeClient(node).connect()) {
                            RedisCommands<String, String> sync = c.sync();
                            if (!sync.clusterInfo().contains("cluster_state:ok")) {
                                return false;
                            }
                            List<ClusterNodeLine> table = ClusterNodeLine.parse(sync.clusterNodes());
                            long liveMasters = table.stream().filter(l -> l.master() && l.connected() && l.hasSlots()).count();
                            long liveReplicas = table.stream().filter(l -> !l.master() && l.connected()).count();
                            if (liveMasters != masters || liveReplicas != masters) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    private List<RedisServerProcess> running() {
        return nodes.stream().filter(RedisServerProcess::isRunning).collect(Collectors.toList());
    }

    private final Map<Integer, RedisClient> nodeClients = new LinkedHashMap<>();

    private synchronized RedisClient nodeClient(RedisServerProcess node) {
        return nodeClients.computeIfAbsent(node.port(), port -> {
            RedisURI uri = RedisURI.Builder.redis(node.host(), port).withPassword(password.toCharArray())
                    .withSsl(tls != null).withTimeout(Duration.ofSeconds(2)).build();
            RedisClient created = RedisClient.create(uri);
            if (tls != null) {
                created.setOptions(io.lettuce.core.ClientOptions.builder().sslOptions(tls.redisTls().sslOptions()).build());
            }
            return created;
        });
    }

    // ---------------------------------------------------------------- using it

    /** {@code redis-cluster://:password@host:port,host:port,host:port}: the seeds a node is given. */
    @Override
    public String url() {
        if (tls != null) {
            return "rediss-cluster://" + NodeAcl.USER + ":" + SecuredRedis.NODE_PASSWORD + "@" + nodes.stream().limit(3)
                    .map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
        }
        String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20");
        return "redis-cluster://:" + encoded + "@" + nodes.stream().limit(3)
                .map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** A plain {@code redis://} URL of one (the first) node, for the auto-detection of cluster mode. */
    public String singleNodeUrl() {
        String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20");
        return "redis://:" + encoded + "@" + nodes.get(0).host() + ":" + nodes.get(0).port();
    }

    public String password() {
        return password;
    }

    @Override
    public String uniquePrefix() {
        return aclPrefix != null ? aclPrefix : UniquePrefix.next();
    }

    @Override
    public Map<String, String> nodeEnv() {
        return tls == null ? Map.of() : tls.nodeEnv();
    }

    @Override
    public com.aegisx.ws.client.PublisherOptions.Builder publisherOptions(
            com.aegisx.ws.client.PublisherOptions.Builder builder) {
        return tls == null ? builder : builder.redisTls(tls.redisTls());
    }

    /** A cluster client for assertions (topology refreshed every second); do not shut it down. */
    public synchronized RedisClusterClient client() {
        if (client == null) {
            RedisURI seed = RedisURI.Builder.redis(nodes.get(0).host(), nodes.get(0).port()).withSsl(tls != null)
                    .withPassword(password.toCharArray()).withTimeout(Duration.ofSeconds(10)).build();
            client = RedisClusterClient.create(seed);
            client.setOptions(ClusterClientOptions.builder()
                    .sslOptions(tls == null ? io.lettuce.core.SslOptions.create() : tls.redisTls().sslOptions())
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(1))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
        }
        return client;
    }

    /** A shared synchronous cluster connection (thread-safe); do not close it. */
    @Override
    public synchronized RedisAdvancedClusterCommands<String, String> sync() {
        if (connection == null) {
            connection = client().connect();
        }
        return connection.sync();
    }

    /** SPUBLISH, as {@code redis-cli -c SPUBLISH} would: routed to the master of the topic's slot. */
    @Override
    public long publish(String topic, String payload) {
        return sync().spublish(topic, payload);
    }

    /** PUBSUB SHARDNUMSUB on the master that owns the topic's slot. */
    @Override
    public long subscribers(String topic) {
        return node(ownerOf(topic)).pubsubShardNumsub(topic).getOrDefault(topic, 0L);
    }

    @Override
    public boolean sharded() {
        return true;
    }

    /** Runs one command on one node (not routed): for PUBSUB SHARDNUMSUB, INFO, CLUSTER SETSLOT. */
    public synchronized RedisCommands<String, String> node(int port) {
        RedisServerProcess node = process(port);
        return nodeConnections.computeIfAbsent(port, p -> nodeClient(node).connect()).sync();
    }

    private final Map<Integer, StatefulRedisConnection<String, String>> nodeConnections = new LinkedHashMap<>();

    public RedisServerProcess process(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node on port " + port));
    }

    /** The current topology as seen by a running node. */
    public List<ClusterNodeLine> topology() {
        RedisServerProcess anyRunning = running().get(0);
        try (StatefulRedisConnection<String, String> c = nodeClient(anyRunning).connect()) {
            return ClusterNodeLine.parse(c.sync().clusterNodes());
        }
    }

    /** Ports of the masters that currently serve slots. */
    public List<Integer> masterPorts() {
        return topology().stream().filter(l -> l.master() && l.connected() && l.hasSlots())
                .map(ClusterNodeLine::port).sorted().collect(Collectors.toList());
    }

    /** The port of the master that owns the slot of {@code key} (a channel topic counts as a key). */
    public int ownerOf(String key) {
        int slot = SlotHash.getSlot(key);
        return topology().stream().filter(l -> l.master() && l.connected() && l.servesSlot(slot))
                .findFirst().orElseThrow(() -> new IllegalStateException("no master serves slot " + slot))
                .port();
    }

    /**
     * Kills the master on {@code port} (as a crash would), waits until its replica has taken over
     * and the cluster is ok again, then starts the old node again, empty, so it rejoins as a
     * replica of the new master. Returns the port of the new master.
     */
    public int failOver(int port) {
        RedisServerProcess victim = process(port);
        List<ClusterNodeLine> before = topology();
        String victimId = before.stream().filter(l -> l.port() == port).findFirst().orElseThrow().id();
        victim.stop();
        int promoted = await("a replica of " + port + " promoted").atMost(SETTLE_TIMEOUT)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> topology().stream()
                        .filter(l -> l.master() && l.connected() && l.hasSlots() && l.port() != port)
                        .filter(l -> before.stream().anyMatch(b -> b.port() == l.port() && victimId.equals(b.masterId())))
                        .map(ClusterNodeLine::port).findFirst().orElse(-1), p -> p > 0);
        await("cluster ok after the failover").atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> running().stream().allMatch(n -> {
                    try (StatefulRedisConnection<String, String> c = nodeClient(n).connect()) {
                        return c.sync().clusterInfo().contains("cluster_state:ok");
                    }
                }));
        return promoted;
    }

    /** Starts a node stopped by {@link #failOver} again and waits until the cluster is whole. */
    public void restore(int port) {
        RedisServerProcess node = process(port);
        if (!node.isRunning()) {
            node.restart();
        }
        awaitHealthy(MASTERS);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        nodeConnections.values().forEach(StatefulRedisConnection::close);
        nodeClients.values().forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(1)));
        nodes.forEach(RedisServerProcess::close);
    }

    /** One line of CLUSTER NODES. */
    public record ClusterNodeLine(String id, String host, int port, boolean master, String masterId,
                                  boolean connected, boolean failed, List<int[]> slots) {

        static List<ClusterNodeLine> parse(String clusterNodes) {
            List<ClusterNodeLine> lines = new ArrayList<>();
            for (String line : clusterNodes.split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length < 8) {
                    continue;
                }
                String address = f[1].split("@")[0];
                int colon = address.lastIndexOf(':');
                String flags = f[2];
                List<int[]> slots = new ArrayList<>();
                for (int i = 8; i < f.length; i++) {
                    if (f[i].startsWith("[")) {
                        continue; // a slot being imported or migrated
                    }
                    String[] range = f[i].split("-");
                    int from = Integer.parseInt(range[0]);
                    slots.add(new int[] {from, range.length > 1 ? Integer.parseInt(range[1]) : from});
                }
                lines.add(new ClusterNodeLine(f[0], address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1)), flags.contains("master"),
                        "-".equals(f[3]) ? null : f[3], "connected".equals(f[7]),
                        flags.contains("fail"), slots));
            }
            return lines;
        }

        boolean hasSlots() {
            return !slots.isEmpty();
        }

        public boolean servesSlot(int slot) {
            return slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
        }
    }
}
