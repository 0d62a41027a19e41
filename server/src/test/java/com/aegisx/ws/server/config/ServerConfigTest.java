package com.aegisx.ws.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import com.aegisx.ws.server.config.env.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void defaultsFollowTheSpec() {
        ServerConfig config = ServerConfig.fromEnv(Map.of());
        assertEquals(3000, config.port());
        assertNull(config.redisUrl());
        assertEquals("ws", config.keys().prefix());
        assertEquals(1_048_576, config.maxPayload());
        assertEquals(Duration.ofMinutes(5), config.cleanupInterval());
        assertEquals(Duration.ofMinutes(5), config.connectionTimeout());
        assertEquals(Duration.ofSeconds(30), config.pingInterval());
        assertTrue(config.nodeId().matches("[A-Za-z0-9]{10}"));
        assertEquals(Duration.ofMillis(500), config.redisReconnectMaxDelay());
    }

    @Test
    void everyBadValueIsNamedInOneMessage() {
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "PORT", "http",
                "WEBSOCKET_MAX_PAYLOAD", "-1",
                "REDIS_URL", "http://localhost",
                "NODE_ID", "has_underscore",
                "REDIS_KEY_PREFIX", "a b",
                "LOG_FORMAT", "xml",
                "STATS_INTERVAL", "5")));
        for (String name : new String[] {"PORT", "WEBSOCKET_MAX_PAYLOAD", "REDIS_URL", "NODE_ID", "REDIS_KEY_PREFIX",
                "LOG_FORMAT", "STATS_INTERVAL"}) {
            assertTrue(error.getMessage().contains(name), name + " missing from: " + error.getMessage());
        }
    }

    @Test
    void aMistypedLogLevelStopsStartupInsteadOfLoggingAtDebug() {
        // logback reads LOG_LEVEL itself and takes any word it does not know for DEBUG.
        ConfigException error = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("LOG_LEVEL", "INF0")));
        assertTrue(error.getMessage().contains("LOG_LEVEL"), error.getMessage());
        for (String level : new String[] {"TRACE", "debug", "Info", "WARN", "error", "OFF"}) {
            ServerConfig.fromEnv(Map.of("LOG_LEVEL", level));
        }
    }

    @Test
    void bindAddressesAreCheckedAtStartupAndNamed() {
        // Unchecked, a typo surfaced only when Jetty failed to bind, in a stack trace naming no variable.
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "HOST", "0.0.0.0:3000", "MANAGEMENT_HOST", "not a host")));
        assertTrue(error.getMessage().contains("HOST '0.0.0.0:3000'") || error.getMessage().contains("HOST must"),
                error.getMessage());
        assertTrue(error.getMessage().contains("MANAGEMENT_HOST"), error.getMessage());
        ServerConfig.fromEnv(Map.of("HOST", "127.0.0.1", "MANAGEMENT_HOST", "localhost"));
        ServerConfig.fromEnv(Map.of("HOST", "::", "MANAGEMENT_HOST", "::1"));
    }

    @Test
    void managementAllowedHostsAreNamesOrAddressesWithoutPort() {
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "MANAGEMENT_ALLOWED_HOSTS", "prometheus.internal,host:9090")));
        assertTrue(error.getMessage().contains("MANAGEMENT_ALLOWED_HOSTS") && error.getMessage().contains("host:9090"),
                error.getMessage());
        ServerConfig config = ServerConfig.fromEnv(Map.of("MANAGEMENT_HOST", "0.0.0.0", "ADVERTISED_HOST", "node1",
                "MANAGEMENT_ALLOWED_HOSTS", "prometheus.internal, 10.0.0.9"));
        assertEquals(java.util.List.of("0.0.0.0", "node1", "prometheus.internal", "10.0.0.9"), config.managementHosts());
    }

    @Test
    void theReplayBudgetHasNamedDefaultsAndABadValueNamesItsVariable() {
        ServerConfig defaults = ServerConfig.fromEnv(Map.of());
        assertEquals(20, defaults.history().replayBurst());
        assertEquals(60, defaults.history().replayRate());
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "HISTORY_REPLAY_BURST", "-1", "HISTORY_REPLAY_RATE", "fast")));
        assertTrue(error.getMessage().contains("HISTORY_REPLAY_BURST"), error.getMessage());
        assertTrue(error.getMessage().contains("HISTORY_REPLAY_RATE"), error.getMessage());
        ServerConfig off = ServerConfig.fromEnv(Map.of("HISTORY_REPLAY_BURST", "0", "HISTORY_REPLAY_RATE", "0"));
        assertEquals(0, off.history().replayBurst());
    }

    @Test
    void latestValueChannelsConflateBeforeTheSocketCountsAsASlowConsumer() {
        // At or above the outbound limit a socket behind is closed (4000) before it is ever conflated.
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "WEBSOCKET_MAX_OUTBOUND_BYTES", "1048576", "CONFLATE_QUEUE_BYTES", "1048576")));
        assertTrue(error.getMessage().contains("CONFLATE_QUEUE_BYTES"), error.getMessage());
        ServerConfig.fromEnv(Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "1048576", "CONFLATE_QUEUE_BYTES", "65536"));
        // Unset, the threshold stays below a small outbound limit.
        assertEquals(32_768, ServerConfig.fromEnv(Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "65536",
                        "WEBSOCKET_MAX_PAYLOAD", "4096"))
                .history().conflateQueueBytes());
        assertEquals(65_536, ServerConfig.fromEnv(Map.of()).history().conflateQueueBytes());
    }

    @Test
    void redisTlsAndSentinelSettingsMustFitTheUrl(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "x");
        ConfigException plain = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "REDIS_URL", "redis://localhost:6379", "REDIS_TLS_CA_FILE", ca.toString(),
                "REDIS_SENTINEL_PASSWORD", "sentinel-secret-1")));
        assertTrue(plain.getMessage().contains("REDIS_TLS_CA_FILE") && plain.getMessage().contains("rediss://"),
                plain.getMessage());
        assertTrue(plain.getMessage().contains("REDIS_SENTINEL_PASSWORD"), plain.getMessage());
        assertTrue(!plain.getMessage().contains("sentinel-secret-1"), plain.getMessage());

        ConfigException halves = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "REDIS_URL", "rediss://localhost:6379", "REDIS_TLS_CERT_FILE", ca.toString(),
                "REDIS_TLS_CA_FILE", dir.resolve("missing.pem").toString())));
        assertTrue(halves.getMessage().contains("REDIS_TLS_KEY_FILE"), halves.getMessage());
        assertTrue(halves.getMessage().contains("REDIS_TLS_CA_FILE"), halves.getMessage());

        ServerConfig sentinel = ServerConfig.fromEnv(Map.of(
                "REDIS_URL", "rediss-sentinel://:data-pw@s1:26379,s2:26379/?sentinelMasterId=ws",
                "REDIS_SENTINEL_PASSWORD", "sentinel-secret-1", "REDIS_TLS_CA_FILE", ca.toString()));
        io.lettuce.core.RedisURI uri = sentinel.redisTarget().uri();
        assertEquals("data-pw", new String(uri.getCredentialsProvider().resolveCredentials().block().getPassword()));
        for (io.lettuce.core.RedisURI node : uri.getSentinels()) {
            assertEquals("sentinel-secret-1",
                    new String(node.getCredentialsProvider().resolveCredentials().block().getPassword()));
            assertTrue(node.isSsl());
        }
        assertEquals(ca, sentinel.redisTarget().tls().trustedCa());
    }

    @Test
    void pingMustBeShorterThanTheTimeout() {
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "WEBSOCKET_PING_INTERVAL", "60000", "WEBSOCKET_CONNECTION_TIMEOUT", "30000")));
        assertTrue(error.getMessage().contains("WEBSOCKET_PING_INTERVAL"));
    }

    @Test
    void secretsAreNeverEchoed() {
        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "JWT_SECRET", "short-secret-value")));
        assertTrue(error.getMessage().contains("JWT_SECRET"));
        assertTrue(!error.getMessage().contains("short-secret-value"), error.getMessage());
    }

    @Test
    void nodeJvmOptionsDefaultToParallelGcAndCanBeTurnedOff() {
        // This JDK (17.0.15) has TrimNativeHeapInterval, so the default carries it.
        assertEquals(java.util.List.of("-XX:+UseParallelGC", "-XX:MaxNewSize=64m", "-XX:Tier3InvocationThreshold=20",
                "-XX:Tier3MinInvocationThreshold=10", "-XX:Tier3CompileThreshold=200",
                "-XX:Tier4InvocationThreshold=50000", "-XX:Tier4MinInvocationThreshold=50000",
                "-XX:TrimNativeHeapInterval=1000"), ServerConfig.fromEnv(Map.of()).nodeJvmOptions());
        assertEquals(java.util.List.of("-XX:+UseG1GC", "-Xss512k"),
                ServerConfig.fromEnv(Map.of("NODE_JVM_OPTIONS", " -XX:+UseG1GC  -Xss512k ")).nodeJvmOptions());
        assertTrue(ServerConfig.fromEnv(Map.of("NODE_JVM_OPTIONS", "none")).nodeJvmOptions().isEmpty());
        ConfigException error = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("NODE_JVM_OPTIONS", "-Xmx1g; rm -rf /")));
        assertTrue(error.getMessage().contains("NODE_JVM_OPTIONS"), error.getMessage());
    }

    @Test
    void onlyOptionsThisJvmKnowsAreDefaults() {
        assertTrue(JvmOptions.known("-XX:TrimNativeHeapInterval=1000"));
        assertTrue(JvmOptions.known("-XX:+UseParallelGC"));
        assertFalse(JvmOptions.known("-XX:NoSuchOptionAnywhere=1"), "an option the JVM would refuse at startup");
        assertFalse(JvmOptions.known("-Xmx512m"), "only -XX: options are looked up");
        // a misspelt default would stop the child JVM from starting at all
        for (String option : ServerConfig.DEFAULT_NODE_JVM_OPTIONS) {
            assertTrue(JvmOptions.known(option), option);
        }
    }

    @Test
    void theManagementPortIsOnLoopbackBesideThePublicOne() {
        ServerConfig defaults = ServerConfig.fromEnv(Map.of());
        assertEquals(4000, defaults.managementPort());
        assertEquals("127.0.0.1", defaults.managementHost());
        assertEquals(4001, ServerConfig.fromEnv(Map.of("PORT", "3001")).managementPort(), "a second node on one host");
        assertEquals(0, ServerConfig.fromEnv(Map.of("PORT", "0")).managementPort());
        assertEquals(9464, ServerConfig.fromEnv(Map.of("MANAGEMENT_PORT", "9464")).managementPort());
        ConfigException same = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("PORT", "3000", "MANAGEMENT_PORT", "3000")));
        assertTrue(same.getMessage().contains("MANAGEMENT_PORT"), same.getMessage());
        ConfigException high = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of("PORT", "65000")));
        assertTrue(high.getMessage().contains("MANAGEMENT_PORT"), high.getMessage());
    }

    @Test
    void theBuilderTakesTheSameNamesThroughTheSameChecks() {
        ServerConfig config = ServerConfig.builder()
                .env(Map.of("PORT", "4100", "JETTY_MAX_THREADS", "50"))
                .port(0)
                .keyPrefix("t1")
                .set("DISPATCH_QUEUE_CAPACITY", "1024")
                .millis("REDIS_COMMAND_TIMEOUT", Duration.ofSeconds(2))
                .build();
        assertEquals(0, config.port(), "later values win");
        assertEquals("t1", config.keys().prefix());
        assertEquals(50, config.jettyMaxThreads());
        assertEquals(ServerConfig.DEFAULT_JETTY_MIN_THREADS, config.jettyMinThreads());
        assertEquals(1024, config.dispatchQueueCapacity());
        assertEquals(Duration.ofSeconds(2), config.redisCommandTimeout());
        assertEquals(Duration.ofMillis(ServerConfig.DEFAULT_REDIS_CONNECT_TIMEOUT_MS), config.redisConnectTimeout());
        assertEquals(Duration.ofMillis(ServerConfig.DEFAULT_SLOW_CONSUMER_ABORT_MS), config.slowConsumerAbort());

        ConfigException error = assertThrows(ConfigException.class, () -> ServerConfig.builder()
                .set("JETTY_MIN_THREADS", "300").set("DISPATCH_QUEUE_CAPACITY", "1").build());
        assertTrue(error.getMessage().contains("JETTY_MIN_THREADS"), error.getMessage());
        assertTrue(error.getMessage().contains("DISPATCH_QUEUE_CAPACITY"), error.getMessage());
    }

    @Test
    void redisReadsArePacedByDefaultAndTheWindowIsChecked() {
        assertEquals(ServerConfig.DEFAULT_REDIS_READ_BATCH_MICROS, ServerConfig.fromEnv(Map.of()).redisReadBatchMicros());
        assertEquals(0, ServerConfig.fromEnv(Map.of("REDIS_READ_BATCH_MICROS", "0")).redisReadBatchMicros());
        ConfigException negative = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("REDIS_READ_BATCH_MICROS", "-1")));
        assertTrue(negative.getMessage().contains("REDIS_READ_BATCH_MICROS"), negative.getMessage());
    }

    @Test
    void framesLeaveWithSendUnlessTurnedOff() {
        assertTrue(ServerConfig.fromEnv(Map.of()).sendSyscall());
        assertFalse(ServerConfig.fromEnv(Map.of("WEBSOCKET_SEND_SYSCALL", "false")).sendSyscall());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("WEBSOCKET_SEND_SYSCALL", "sometimes")));
        assertTrue(bad.getMessage().contains("WEBSOCKET_SEND_SYSCALL"), bad.getMessage());
    }

    @Test
    void theProxyProtocolNeedsTheLoadBalancersAddress() {
        assertEquals(false, ServerConfig.fromEnv(Map.of()).proxyProtocol());
        ConfigException alone = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("PROXY_PROTOCOL", "true")));
        assertTrue(alone.getMessage().contains("PROXY_PROTOCOL") && alone.getMessage().contains("TRUSTED_PROXIES"),
                alone.getMessage());
        assertTrue(ServerConfig.fromEnv(Map.of("PROXY_PROTOCOL", "true", "TRUSTED_PROXIES", "10.0.0.5")).proxyProtocol());
    }
}
