package com.aegisx.ws.server.testing;

import com.aegisx.ws.client.RedisTls;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A standalone {@code redis-server} that speaks TLS only (client certificates required) and lets
 * the nodes in as the ACL user {@link NodeAcl#USER} with {@link NodeAcl#rules} for one key prefix;
 * the default user (the test's administrator) has its own password. {@link #url()} is the nodes'
 * {@code rediss://ws-node:...@...}; {@link #nodeEnv()} their REDIS_TLS_* files.
 */
public final class SecuredRedis implements ClassicBackend, AutoCloseable {

    public static final String ADMIN_PASSWORD = "admin-pw-0123456789";
    public static final String NODE_PASSWORD = "node-pw-0123456789abcdef";

    private final RedisServerProcess process;
    private final TestTls tls;
    private final String prefix;
    private final RedisClient adminClient;
    private StatefulRedisConnection<String, String> admin;

    private SecuredRedis(RedisServerProcess process, TestTls tls, String prefix) {
        this.process = process;
        this.tls = tls;
        this.prefix = prefix;
        this.adminClient = RedisClient.create(RedisURI.Builder.redis(process.host(), process.port()).withSsl(true)
                .withPassword(ADMIN_PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(5)).build());
        adminClient.setOptions(ClientOptions.builder().sslOptions(tls.redisTls().sslOptions()).build());
    }

    /** Starts one for the key prefix {@code prefix} (the ACL key and channel patterns name it). */
    public static SecuredRedis start(String prefix) {
        TestTls tls = TestTls.shared();
        Path binary = RedisServerProcess.findBinary()
                .orElseGet(() -> RedisFixture.unavailable("TLS tests need redis-server (apt-get install -y redis-server)"));
        RedisServerProcess process = RedisServerProcess.start(binary, ADMIN_PASSWORD, new RedisServerProcess.Options(
                null, NodeAcl.serverArgs(NODE_PASSWORD, NodeAcl.rules(prefix))).withTls(tls));
        return new SecuredRedis(process, tls, prefix);
    }

    @Override
    public String url() {
        return "rediss://" + NodeAcl.USER + ":" + NODE_PASSWORD + "@" + process.host() + ":" + process.port();
    }

    /** The URL with another password for the node user. */
    public String urlWithPassword(String password) {
        return "rediss://" + NodeAcl.USER + ":" + password + "@" + process.host() + ":" + process.port();
    }

    @Override
    public Map<String, String> nodeEnv() {
        return tls.nodeEnv();
    }

    public RedisTls tls() {
        return tls.redisTls();
    }

    @Override
    public com.aegisx.ws.client.PublisherOptions.Builder publisherOptions(
            com.aegisx.ws.client.PublisherOptions.Builder builder) {
        return builder.redisTls(tls.redisTls());
    }

    public TestTls material() {
        return tls;
    }

    @Override
    public String uniquePrefix() {
        return prefix;
    }

    /** Commands as the administrator (default user), over TLS. */
    @Override
    public synchronized RedisCommands<String, String> sync() {
        if (admin == null) {
            admin = adminClient.connect();
        }
        return admin.sync();
    }


    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
        adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        process.close();
    }
}
