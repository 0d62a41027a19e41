package com.aegisx.ws.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Redis with Sentinel on loopback for integration tests: one master and one replica (both with a
 * password), watched by three sentinels (quorum 2, a master counts as down after 1 s). The caller
 * owns it ({@link #close()}); {@link #killMaster()} stops the master as a crash would and waits
 * until the sentinels have promoted the replica. Without redis-server the test is skipped, or
 * fails under {@code CI=true}.
 */
public final class RedisSentinelFixture implements ClassicBackend, AutoCloseable {

    public static final String MASTER_NAME = "wsmaster";
    public static final String PASSWORD = "sentinel pw";
    /** The sentinels' own password ({@code requirepass} of the sentinels) in {@link #startSecured}. */
    public static final String SENTINEL_PASSWORD = "sentinels-own-pw-0123";
    static final int DOWN_AFTER_MS = 1000;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private final List<RedisServerProcess> data = new ArrayList<>();
    private final List<RedisServerProcess> sentinels = new ArrayList<>();
    private final List<RedisClient> clients = new ArrayList<>();
    /** Set by {@link #startSecured}: TLS everywhere, the node ACL user, password-protected sentinels. */
    private final TestTls tls;
    private final String aclPrefix;

    private RedisSentinelFixture(TestTls tls, String aclPrefix) {
        this.tls = tls;
        this.aclPrefix = aclPrefix;
    }

    public static RedisSentinelFixture start() {
        return start(null, null);
    }

    /**
     * Master, replica and sentinels that speak TLS only (client certificates required; replication
     * and the sentinels' links to the data nodes over TLS too), sentinels that require
     * {@link #SENTINEL_PASSWORD}, and data nodes that let the nodes in as {@link NodeAcl#USER}
     * with {@link NodeAcl#rules} for {@code prefix}.
     */
    public static RedisSentinelFixture startSecured(String prefix) {
        return start(TestTls.shared(), prefix);
    }

    private static RedisSentinelFixture start(TestTls tls, String aclPrefix) {
        Optional<Path> binary = RedisServerProcess.findBinary();
        if (binary.isEmpty()) {
            return RedisFixture.unavailable("Sentinel needs redis-server (apt-get install -y redis-server)");
        }
        RedisSentinelFixture fixture = new RedisSentinelFixture(tls, aclPrefix);
        List<String> dataArgs = new ArrayList<>(List.of("--masterauth", PASSWORD));
        List<String> sentinelArgs = new ArrayList<>(List.of("--sentinel"));
        if (tls != null) {
            dataArgs.addAll(List.of("--tls-replication", "yes"));
            dataArgs.addAll(NodeAcl.serverArgs(SecuredRedis.NODE_PASSWORD, NodeAcl.rules(aclPrefix)));
            sentinelArgs.addAll(List.of("--tls-replication", "yes"));
        }
        try {
            RedisServerProcess master = RedisServerProcess.start(binary.get(), PASSWORD,
                    new RedisServerProcess.Options(null, dataArgs).withTls(tls));
            fixture.data.add(master);
            List<String> replicaArgs = new ArrayList<>(dataArgs);
            replicaArgs.addAll(List.of("--replicaof", master.host(), String.valueOf(master.port())));
            fixture.data.add(RedisServerProcess.start(binary.get(), PASSWORD,
                    new RedisServerProcess.Options(null, replicaArgs).withTls(tls)));
            String config = String.join("\n",
                    "sentinel monitor " + MASTER_NAME + " " + master.host() + " " + master.port() + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
                    "sentinel failover-timeout " + MASTER_NAME + " 10000",
                    "sentinel auth-pass " + MASTER_NAME + " \"" + PASSWORD + "\"",
                    // Sentinels that require a password give it to each other with sentinel-pass.
                    tls == null ? "" : "sentinel sentinel-pass \"" + SENTINEL_PASSWORD + "\"",
                    "");
            for (int i = 0; i < 3; i++) {
                fixture.sentinels.add(RedisServerProcess.start(binary.get(), tls == null ? null : SENTINEL_PASSWORD,
                        new RedisServerProcess.Options(config, sentinelArgs).withTls(tls)));
            }
            fixture.awaitReplicated();
            return fixture;
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
    }

    /** Waits until the replica is in sync and every sentinel knows the replica and the other sentinels. */
    private void awaitReplicated() {
        await("replica in sync, sentinels agree").atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    RedisServerProcess master = masterProcess();
                    if (!dataNode(master).info("replication").contains("state=online")) {
                        return false;
                    }
                    for (RedisServerProcess sentinel : sentinels) {
                        String masters = sentinelCommand(sentinel, "SENTINEL", "MASTER", MASTER_NAME);
                        if (!masters.contains("num-slaves=1") || !masters.contains("num-other-sentinels=2")) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /**
     * {@code redis-sentinel://:password@s1,s2,s3/?sentinelMasterId=...}: Lettuce's form; secured:
     * {@code rediss-sentinel://ws-node:...@...} (the sentinels' password goes in REDIS_SENTINEL_PASSWORD).
     */
    @Override
    public String url() {
        if (tls != null) {
            return urlWithSentinels("rediss-sentinel://" + NodeAcl.USER + ":" + SecuredRedis.NODE_PASSWORD + "@");
        }
        String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8).replace("+", "%20");
        return urlWithSentinels("redis-sentinel://:" + encoded + "@");
    }

    private String urlWithSentinels(String schemeAndCredentials) {
        return urlWithSentinels(schemeAndCredentials, sentinelPorts());
    }

    private static String urlWithSentinels(String schemeAndCredentials, List<Integer> ports) {
        return schemeAndCredentials + ports.stream().map(port -> RedisServerProcess.HOST + ":" + port)
                .collect(Collectors.joining(",")) + "/?sentinelMasterId=" + MASTER_NAME;
    }

    /** The sentinels' ports, in the order {@link #url()} lists them. */
    public List<Integer> sentinelPorts() {
        return sentinels.stream().map(RedisServerProcess::port).toList();
    }

    /** {@link #url()} listing {@code ports} (on loopback) as the sentinels: e.g. a proxy in front of one. */
    public String urlWithSentinelPorts(List<Integer> ports) {
        String url = url();
        return urlWithSentinels(url.substring(0, url.indexOf('@') + 1), ports);
    }

    @Override
    public String uniquePrefix() {
        return aclPrefix != null ? aclPrefix : UniquePrefix.next();
    }

    /** Secured: the TLS files and REDIS_SENTINEL_PASSWORD. */
    @Override
    public java.util.Map<String, String> nodeEnv() {
        if (tls == null) {
            return java.util.Map.of();
        }
        java.util.Map<String, String> env = new java.util.HashMap<>(tls.nodeEnv());
        env.put("REDIS_SENTINEL_PASSWORD", SENTINEL_PASSWORD);
        return env;
    }

    @Override
    public com.aegisx.ws.client.PublisherOptions.Builder publisherOptions(
            com.aegisx.ws.client.PublisherOptions.Builder builder) {
        return tls == null ? builder : builder.redisTls(tls.redisTls()).sentinelCredentials(null, SENTINEL_PASSWORD);
    }

    /** Assertions run on the current master. */
    @Override
    public RedisCommands<String, String> sync() {
        return master();
    }


    /** The port sentinels currently name as master. */
    public int masterPort() {
        RedisServerProcess sentinel = sentinels.stream().filter(RedisServerProcess::isRunning).findFirst().orElseThrow();
        String answer = sentinelCommand(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt(answer.split(",")[1].trim());
    }

    private RedisServerProcess masterProcess() {
        int port = masterPort();
        return data.stream().filter(d -> d.port() == port).findFirst().orElseThrow();
    }

    /** Commands on the current master (not through Sentinel: the test sees what the master holds). */
    public RedisCommands<String, String> master() {
        return dataNode(masterProcess());
    }

    /**
     * Stops the master as a crash would and waits until the sentinels name the replica as the new
     * master and it accepts writes. Returns the new master's port.
     */
    public int killMaster() {
        RedisServerProcess old = masterProcess();
        old.stop();
        int promoted = await("sentinels promote the replica").atMost(SETTLE_TIMEOUT)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(this::masterPort, port -> port != old.port());
        await("new master writable").atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> dataNode(masterProcess()).info("replication").contains("role:master"));
        return promoted;
    }

    // ---------------------------------------------------------------- internals

    private final java.util.Map<Integer, StatefulRedisConnection<String, String>> connections = new java.util.HashMap<>();

    private synchronized RedisCommands<String, String> dataNode(RedisServerProcess node) {
        return connections.computeIfAbsent(node.port(), port -> {
            RedisClient client = client(RedisURI.Builder.redis(node.host(), port).withSsl(tls != null)
                    .withPassword(PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(2)).build());
            return client.connect();
        }).sync();
    }

    private synchronized String sentinelCommand(RedisServerProcess sentinel, String... command) {
        StatefulRedisConnection<String, String> c = connections.computeIfAbsent(sentinel.port(), port -> {
            RedisURI.Builder uri = RedisURI.Builder.redis(sentinel.host(), port).withSsl(tls != null)
                    .withTimeout(Duration.ofSeconds(2));
            RedisClient client = client((tls == null ? uri : uri.withPassword(SENTINEL_PASSWORD.toCharArray())).build());
            return client.connect();
        });
        io.lettuce.core.protocol.CommandArgs<String, String> args =
                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8);
        for (int i = 1; i < command.length; i++) {
            args.add(command[i]);
        }
        Object reply = c.sync().dispatch(io.lettuce.core.protocol.CommandType.valueOf(command[0]),
                new io.lettuce.core.output.NestedMultiOutput<>(io.lettuce.core.codec.StringCodec.UTF8), args);
        return flatten(reply);
    }

    private RedisClient client(RedisURI uri) {
        RedisClient client = RedisClient.create(uri);
        if (tls != null) {
            client.setOptions(io.lettuce.core.ClientOptions.builder().sslOptions(tls.redisTls().sslOptions()).build());
        }
        clients.add(client);
        return client;
    }

    /** SENTINEL MASTER answers field, value pairs: joined as field=value; an address as host,port. */
    private static String flatten(Object reply) {
        if (!(reply instanceof List<?> list)) {
            return String.valueOf(reply);
        }
        if (list.size() == 2) {
            return list.get(0) + "," + list.get(1);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            out.append(list.get(i)).append('=').append(list.get(i + 1)).append('\n');
        }
        return out.toString();
    }

    @Override
    public synchronized void close() {
        connections.values().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the server is gone already
            }
        });
        clients.forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(1)));
        sentinels.forEach(RedisServerProcess::close);
        data.forEach(RedisServerProcess::close);
    }
}
