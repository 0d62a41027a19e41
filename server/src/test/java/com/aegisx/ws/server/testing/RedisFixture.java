package com.aegisx.ws.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Assumptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Redis for integration tests, found or started once per test JVM.
 *
 * <p>{@link #shared()} tries, in order: the {@code REDIS_URL} environment variable; a
 * Testcontainers {@code redis:7} container if a Docker engine answers; a {@code redis-server}
 * binary (PATH, /usr/bin, /usr/local/bin) run on a free loopback port. If none works the test is
 * skipped, except when {@code CI=true}, where it fails: CI must never silently skip the
 * integration suite.
 *
 * <p>Tests share the server, so each test takes its own {@link #uniquePrefix()} for keys and
 * channels and never flushes the database. Call the accessors from a test, {@code @BeforeEach}
 * or {@code @BeforeAll}, not from a static initializer (a skip would surface as an
 * ExceptionInInitializerError). Servers this class starts are stopped by a JVM shutdown hook.
 */
public final class RedisFixture implements ClassicBackend, AutoCloseable {

    private static final Object LOCK = new Object();
    private static Outcome shared;
    private static final Map<String, Outcome> PASSWORD_PROTECTED = new HashMap<>();
    private static Boolean dockerAvailable;

    private final String url;
    private final String host;
    private final int port;
    private final String source;
    private final RedisServerProcess process;
    private final Runnable stopBackend;
    private final boolean ownedByCaller;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private boolean shutDown;

    private RedisFixture(String url, String source, RedisServerProcess process, Runnable stopBackend,
                         boolean ownedByCaller) {
        RedisURI parsed = RedisURI.create(url);
        this.url = url;
        this.host = parsed.getHost();
        this.port = parsed.getPort();
        this.source = source;
        this.process = process;
        this.stopBackend = stopBackend;
        this.ownedByCaller = ownedByCaller;
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "redis-fixture-shutdown"));
    }

    // ---------------------------------------------------------------- obtaining one

    /** The Redis shared by every test in this JVM; skips (or on CI fails) the test if there is none. */
    public static RedisFixture shared() {
        synchronized (LOCK) {
            if (shared == null) {
                shared = provision(null, true);
            }
            return shared.get();
        }
    }

    /**
     * A Redis that requires {@code password} ({@code --requirepass}), separate from the shared one
     * and shared by all callers asking for the same password; {@link #url()} carries the password
     * ({@code redis://:password@host:port}). REDIS_URL is ignored here because a given server
     * cannot be reconfigured: this needs Docker or a redis-server binary, and without either it
     * skips, or fails under CI=true, exactly like {@link #shared()}.
     */
    public static RedisFixture withPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty");
        }
        synchronized (LOCK) {
            return PASSWORD_PROTECTED.computeIfAbsent(password, p -> provision(p, false)).get();
        }
    }

    /**
     * A private redis-server process for one test, which may {@link #stopServer()} and
     * {@link #startServer()} it to simulate an outage. The caller must {@link #close()} it. Needs
     * the redis-server binary (a container would come back on another port); without it, skips
     * or fails like {@link #shared()}.
     */
    public static RedisFixture dedicated() {
        Optional<Path> binary = RedisServerProcess.findBinary();
        if (binary.isEmpty()) {
            return unavailable("a dedicated Redis needs a redis-server binary on PATH, /usr/bin or /usr/local/bin");
        }
        return fromProcess(RedisServerProcess.start(binary.get(), null), true);
    }

    // ---------------------------------------------------------------- using it

    /** {@code redis://host:port}, with {@code :password@} when the server requires one. */
    @Override
    public String url() {
        return url;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Where this Redis came from, for log lines and failure messages. */
    public String source() {
        return source;
    }

    /** A fresh key prefix ({@code t} + counter + random, only [a-z0-9]) for one test's keys. */
    @Override
    public String uniquePrefix() {
        return UniquePrefix.next();
    }

    /** A Lettuce client for assertions, shared by all users of this fixture; do not shut it down. */
    public synchronized RedisClient client() {
        if (client == null) {
            RedisURI uri = RedisURI.create(url);
            uri.setTimeout(Duration.ofSeconds(10));
            client = RedisClient.create(uri);
        }
        return client;
    }

    /** A shared synchronous connection (thread-safe); do not close it. */
    @Override
    public synchronized RedisCommands<String, String> sync() {
        if (connection == null) {
            connection = client().connect();
        }
        return connection.sync();
    }


    /** Stops a {@link #dedicated()} server; data is lost. Lettuce clients will try to reconnect. */
    public void stopServer() {
        requireDedicated().stop();
    }

    /** Starts a stopped {@link #dedicated()} server again, empty, on the same port. */
    public void startServer() {
        requireDedicated().restart();
    }

    /**
     * Stops a {@link #dedicated()} server and its client. A no-op for the shared and
     * password-protected fixtures, which live until the JVM exits.
     */
    @Override
    public void close() {
        if (ownedByCaller) {
            shutdown();
        }
    }

    @Override
    public String toString() {
        return "RedisFixture[" + source + " at " + host + ":" + port + "]";
    }

    // ---------------------------------------------------------------- internals

    private RedisServerProcess requireDedicated() {
        if (!ownedByCaller || process == null) {
            throw new UnsupportedOperationException("only a RedisFixture.dedicated() server can be stopped");
        }
        return process;
    }

    private synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        // Client first, so it does not log reconnect attempts against a server that is going away.
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (stopBackend != null) {
            stopBackend.run();
        }
    }

    private static Outcome provision(String password, boolean allowEnvUrl) {
        String envUrl = System.getenv("REDIS_URL");
        if (allowEnvUrl && envUrl != null && !envUrl.isBlank()) {
            return Outcome.of(new RedisFixture(envUrl.trim(), "REDIS_URL", null, null, false));
        }
        List<String> reasons = new ArrayList<>();
        if (allowEnvUrl) {
            reasons.add("REDIS_URL is not set");
        }
        if (dockerAvailable()) {
            try {
                RedisContainers.Started started = RedisContainers.start(password);
                String url = url(started.host(), started.port(), password);
                return Outcome.of(new RedisFixture(url, "Testcontainers redis:7", null, started.stop(), false));
            } catch (Throwable t) {
                reasons.add("Docker answered but the redis:7 container failed: " + t);
            }
        } else {
            reasons.add("no Docker engine for Testcontainers");
        }
        Optional<Path> binary = RedisServerProcess.findBinary();
        if (binary.isEmpty()) {
            reasons.add("no redis-server on PATH, /usr/bin or /usr/local/bin");
            return Outcome.unavailable(String.join("; ", reasons));
        }
        try {
            return Outcome.of(fromProcess(RedisServerProcess.start(binary.get(), password), false));
        } catch (RuntimeException e) {
            // A binary that is there but cannot start is a broken machine, not a missing Redis: fail.
            return Outcome.failed(e);
        }
    }

    private static RedisFixture fromProcess(RedisServerProcess process, boolean ownedByCaller) {
        String url = url(process.host(), process.port(), process.password());
        return new RedisFixture(url, "redis-server binary " + process.binary(), process, process::close,
                ownedByCaller);
    }

    private static boolean dockerAvailable() {
        // Probed once: without Docker the probe can take seconds, and its answer does not change.
        if (dockerAvailable == null) {
            boolean available;
            try {
                available = RedisContainers.dockerAvailable();
            } catch (Throwable t) {
                // Testcontainers missing from the classpath counts as no Docker.
                available = false;
            }
            dockerAvailable = available;
        }
        return dockerAvailable;
    }

    static String url(String host, int port, String password) {
        if (password == null) {
            return "redis://" + host + ":" + port;
        }
        String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20");
        return "redis://:" + encoded + "@" + host + ":" + port;
    }

    /** Skips the test, or under CI=true fails it: CI must never silently skip an integration test. */
    static <T> T unavailable(String reason) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and no Redis: install redis-server or set REDIS_URL ("
                    + reason + ")");
        }
        return Assumptions.abort("No Redis for this integration test, skipped: " + reason
                + ". Set REDIS_URL or install redis-server to run it.");
    }

    /** What provisioning produced, remembered so later tests do not retry a slow failure. */
    private record Outcome(RedisFixture fixture, String unavailableReason, RuntimeException failure) {
        static Outcome of(RedisFixture fixture) {
            return new Outcome(fixture, null, null);
        }

        static Outcome unavailable(String reason) {
            return new Outcome(null, reason, null);
        }

        static Outcome failed(RuntimeException failure) {
            return new Outcome(null, null, failure);
        }

        RedisFixture get() {
            if (fixture != null) {
                return fixture;
            }
            if (failure != null) {
                throw new IllegalStateException("starting Redis for tests failed: " + failure.getMessage(), failure);
            }
            return RedisFixture.unavailable(unavailableReason);
        }
    }
}
