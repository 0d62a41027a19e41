package com.aegisx.ws.server.config;

import com.aegisx.ws.client.RedisTarget;
import com.aegisx.ws.client.RedisTls;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.auth.AuthSettings;
import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.server.config.env.Env;
import com.aegisx.ws.server.history.HistorySettings;
import com.aegisx.ws.server.http.ManagementHosts;
import com.aegisx.ws.server.security.SecuritySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every setting of a node, validated here, in one place. A bad value stops startup with a message
 * naming the variable (all of them at once).
 *
 * <p>Values are named as the environment variables of the README's configuration table. The
 * environment is one source ({@link #fromEnv}); a {@link Builder} is another (tests, an embedding
 * application), and both go through the same parsing and checks.
 */
public final class ServerConfig {

    public static final int DEFAULT_PORT = 3000;
    public static final String DEFAULT_HOST = "0.0.0.0";
    /** Unless MANAGEMENT_PORT is set, the management port is PORT + this (3000: 4000). */
    public static final int MANAGEMENT_PORT_OFFSET = 1000;
    /** Loopback: metrics and debug endpoints reach no one but the host itself unless opened on purpose. */
    public static final String DEFAULT_MANAGEMENT_HOST = "127.0.0.1";
    /**
     * Host names the management port answers to besides loopback, its own address, MANAGEMENT_HOST
     * and ADVERTISED_HOST: none, so a page that rebinds its own name to this host reads nothing.
     */
    public static final List<String> DEFAULT_MANAGEMENT_ALLOWED_HOSTS = List.of();
    public static final int DEFAULT_MAX_PAYLOAD = 1_048_576;
    public static final long DEFAULT_CLEANUP_INTERVAL_MS = 300_000;
    public static final long DEFAULT_CONNECTION_TIMEOUT_MS = 300_000;
    public static final long DEFAULT_PING_INTERVAL_MS = 30_000;
    /** UTF-8 bytes of frames a socket may have waiting to be written before it counts as a slow consumer. */
    public static final int DEFAULT_MAX_OUTBOUND_BYTES = 4 * 1_048_576;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000;
    public static final List<String> DEFAULT_AVAILABLE_CHANNELS =
            List.of("reports:progress", "reports:data-updates", "system:notifications", "user:alerts");
    public static final long DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
    /** Redis Cluster: how often the slot map is re-read even when no redirection or reconnect hints at a change. */
    public static final long DEFAULT_TOPOLOGY_REFRESH_MS = 10_000;
    /**
     * permessage-deflate compresses every frame once per socket, which defeats encoding a broadcast
     * once per node; off unless a deployment's payloads are large and its sockets few.
     */
    public static final boolean DEFAULT_COMPRESSION = false;
    /**
     * Compile thresholds for a node's mix of very hot and lukewarm code. Per-message code (Redis
     * decode, fan-out set-up) runs ~20 times a second at a typical broadcast rate, so with the JDK's
     * defaults it stays interpreted for its first 200 calls (~10 s) and then keeps C2 busy for
     * minutes as one lukewarm method after another reaches 5,000 calls. Here C1 compiles a method
     * after 20 calls, and C2 takes only methods called 50,000 times (the per-delivery and
     * per-frame code, within seconds at load); the rest stays C1-compiled. Measured in the first
     * minute of a 1,000 × 20/s broadcast: 13% less CPU per delivery, compile threads from ~10% of
     * the node's CPU to ~1%; personal messages and idle memory unchanged (load-tests/README.md).
     */
    public static final List<String> JIT_OPTIONS = List.of("-XX:Tier3InvocationThreshold=20",
            "-XX:Tier3MinInvocationThreshold=10", "-XX:Tier3CompileThreshold=200",
            "-XX:Tier4InvocationThreshold=50000", "-XX:Tier4MinInvocationThreshold=50000");
    /**
     * What a node started without a garbage collector choice re-launches itself with: ParallelGC
     * (no concurrent refinement, cheaper write barriers: a third less CPU per delivered message
     * than G1 here), a young generation capped so idle RSS stays near the heap, and {@link
     * #JIT_OPTIONS}.
     */
    public static final List<String> DEFAULT_NODE_JVM_OPTIONS = Stream.concat(
            Stream.of("-XX:+UseParallelGC", "-XX:MaxNewSize=64m"), JIT_OPTIONS.stream()).toList();
    /**
     * Added to {@link #DEFAULT_NODE_JVM_OPTIONS} when the JVM has it (HotSpot 17.0.9+, 21.0.1+):
     * every second the JVM gives the C heap's free pages back (glibc {@code malloc_trim}, 0.2-1 ms a
     * time here). Without it what the JIT compilers and the connect path malloc'ed and freed during
     * a burst of connects stays resident: ~2 KB per socket after 5,000 connects (load-tests/README.md, idle).
     */
    public static final String TRIM_NATIVE_HEAP_OPTION = "-XX:TrimNativeHeapInterval=1000";
    /** How often a node samples its message counters into Redis for the admin console's rate chart. */
    public static final long DEFAULT_STATS_INTERVAL_MS = 10_000;
    /** Off by default: every connect, subscribe and disconnect then costs an XADD more. */
    public static final boolean DEFAULT_LIFECYCLE_EVENTS = false;
    public static final long DEFAULT_PRESENCE_GRACE_MS = 5_000;
    /** Messages a second (and in a burst) one node accepts through POST /api/v1/publish. */
    public static final int DEFAULT_PUBLISH_API_RATE = 1_000;
    /**
     * The levels LOG_LEVEL may name (any case). logback.xml reads the variable itself and takes a
     * word it does not know for DEBUG, so a typo ("INF0") would put a production node at DEBUG.
     */
    public static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    public static final String LOG_FORMAT_TEXT = "text";
    public static final String LOG_FORMAT_JSON = "json";
    /** Messages a dispatch worker may have queued before new ones are dropped (see PubSubDispatcher). */
    public static final int DEFAULT_DISPATCH_QUEUE_CAPACITY = 65_536;
    /**
     * Local members from which a channel's fan-out is split across the dispatch workers (see
     * core/FanOutSplit): below it, writing to them all costs less than waking another worker.
     */
    public static final int DEFAULT_DISPATCH_SPLIT_MIN_MEMBERS = 256;
    /**
     * While Redis's messages reach a Lettuce event loop less than this far apart, the loop reads
     * them this far apart, several per wake-up (at most this much added latency); slower traffic
     * is read as it comes. Per message, the loop's wake-up cost more CPU than the delivery
     * (load-tests/README.md, personal). Each wake-up (pause, poll, read) costs the loop about
     * 20-25 µs whatever it reads: at 5,000 messages/s a 3 ms window shares it among ~15 messages
     * instead of ~6 with 1 ms, about 2-3 µs less per message, for ~1.2 ms more median latency
     * (p99 ~3.5-4.7 ms).
     */
    public static final int DEFAULT_REDIS_READ_BATCH_MICROS = 3000;
    /**
     * Frames leave with {@code send(2)} rather than the JDK's {@code write(2)} where the JVM allows
     * it (jetty/SocketSend): ~0.3 µs less kernel time per frame here. False is the kill switch back
     * to the JDK's own socket write.
     */
    public static final boolean DEFAULT_SEND_SYSCALL = true;
    /** Bound on every Redis command, so a future never hangs while Redis is unreachable. */
    public static final long DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 5_000;
    /** Cap of the exponential reconnect backoff (Lettuce's own default cap is 30 s). */
    public static final long DEFAULT_REDIS_RECONNECT_MAX_DELAY_MS = 500;
    /**
     * Jetty's thread pool: HTTP requests, upgrades and socket reads (a frame is written by the thread
     * that sends it, and a socket that fell behind by Jetty's selector when it is writable again).
     * Upgrades and frames never wait for Redis on it (they continue in callbacks); only the HTTP
     * publish, debug and admin requests do, each bounded by its timeout. More threads than this
     * mostly added memory: a burst of 5,000 connects grew Jetty's default 200 to all 200, whose
     * touched stacks stayed resident (24 MB, 4.9 KB per idle socket; load-tests/README.md, idle).
     */
    public static final int DEFAULT_JETTY_MAX_THREADS = 32;
    public static final int DEFAULT_JETTY_MIN_THREADS = 8;
    /** How long a slow consumer gets to read its close frame before its connection is cut. */
    public static final long DEFAULT_SLOW_CONSUMER_ABORT_MS = 5_000;

    private final int port;
    private final String host;
    private final int managementPort;
    private final String managementHost;
    private final List<String> managementAllowedHosts;
    private final boolean proxyProtocol;
    private final String advertisedHost;
    private final String redisUrl;
    private final RedisTarget redisTarget;
    private final Duration topologyRefresh;
    private final String nodeId;
    private final KeySchema keys;
    private final int maxPayload;
    private final Duration cleanupInterval;
    private final Duration connectionTimeout;
    private final Duration pingInterval;
    private final int maxOutboundBytes;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final List<String> availableChannels;
    private final int dispatchThreads;
    private final int dispatchBatchMicros;
    private final int redisReadBatchMicros;
    private final boolean sendSyscall;
    private final int dispatchQueueCapacity;
    private final int dispatchSplitMinMembers;
    private final Duration redisCommandTimeout;
    private final Duration redisConnectTimeout;
    private final Duration redisReconnectMaxDelay;
    private final int jettyMaxThreads;
    private final int jettyMinThreads;
    private final Duration slowConsumerAbort;
    private final boolean compression;
    private final Duration shutdownGrace;
    private final boolean loadTestHooks;
    private final List<String> nodeJvmOptions;
    private final Duration statsInterval;
    private final String logFormat;
    private final boolean lifecycleEvents;
    private final List<com.aegisx.ws.server.auth.ChannelRule> presenceChannels;
    private final List<String> presencePatterns;
    private final String publishApiKey;
    private final int publishApiRate;
    private final long lifecycleEventsMaxLength;
    private final Duration presenceGrace;
    private final AuthSettings auth;
    private final SecuritySettings security;
    private final HistorySettings history;

    private ServerConfig(Env env) {
        port = env.integer("PORT", DEFAULT_PORT, 0, 65_535);
        host = bindAddress(env, "HOST", DEFAULT_HOST);
        // Several nodes on one host (quick start, load tests) each get their own by default.
        int defaultManagement = port == 0 ? 0 : port + MANAGEMENT_PORT_OFFSET;
        managementPort = env.integer("MANAGEMENT_PORT", defaultManagement <= 65_535 ? defaultManagement : -1, 0, 65_535);
        if (managementPort < 0) {
            env.error("MANAGEMENT_PORT", "must be set when PORT + " + MANAGEMENT_PORT_OFFSET + " is above 65535");
        } else if (managementPort != 0 && managementPort == port) {
            env.error("MANAGEMENT_PORT", "must differ from PORT (" + port + "): the management endpoints must not be public");
        }
        managementHost = bindAddress(env, "MANAGEMENT_HOST", DEFAULT_MANAGEMENT_HOST);
        proxyProtocol = env.bool("PROXY_PROTOCOL", false);
        advertisedHost = env.string("ADVERTISED_HOST", localHostName(host));
        managementAllowedHosts = List.copyOf(env.list("MANAGEMENT_ALLOWED_HOSTS", DEFAULT_MANAGEMENT_ALLOWED_HOSTS));
        for (String allowed : managementAllowedHosts) {
            if (!ManagementHosts.isValidHost(allowed)) {
                env.error("MANAGEMENT_ALLOWED_HOSTS", "must be host names or IP addresses without a port,"
                        + " comma-separated, was '" + allowed + "'");
            }
        }
        redisUrl = env.raw("REDIS_URL");
        redisTarget = redisUrl == null ? null : redisSecurity(env, parseRedisUrl(env, redisUrl));
        topologyRefresh = millis(env, "REDIS_TOPOLOGY_REFRESH", DEFAULT_TOPOLOGY_REFRESH_MS);
        String configuredNode = env.raw("NODE_ID");
        if (configuredNode != null && !Identifiers.isValidNodeId(configuredNode)) {
            env.error("NODE_ID", "must be 1-64 letters, digits or '-', was '" + configuredNode + "'");
            configuredNode = null;
        }
        nodeId = configuredNode != null ? configuredNode : Identifiers.newNodeId();
        String prefix = env.string("REDIS_KEY_PREFIX", KeySchema.DEFAULT_PREFIX);
        if (!KeySchema.isValidPrefix(prefix)) {
            env.error("REDIS_KEY_PREFIX", "must be 1-64 characters of [A-Za-z0-9_.-], was '" + prefix + "'");
            prefix = KeySchema.DEFAULT_PREFIX;
        }
        keys = new KeySchema(prefix);
        maxPayload = env.integer("WEBSOCKET_MAX_PAYLOAD", DEFAULT_MAX_PAYLOAD, 256, 64 * 1_048_576);
        cleanupInterval = millis(env, "WEBSOCKET_CLEANUP_INTERVAL", DEFAULT_CLEANUP_INTERVAL_MS);
        connectionTimeout = millis(env, "WEBSOCKET_CONNECTION_TIMEOUT", DEFAULT_CONNECTION_TIMEOUT_MS);
        pingInterval = millis(env, "WEBSOCKET_PING_INTERVAL", DEFAULT_PING_INTERVAL_MS);
        if (pingInterval.compareTo(connectionTimeout) >= 0) {
            env.error("WEBSOCKET_PING_INTERVAL", "must be shorter than WEBSOCKET_CONNECTION_TIMEOUT ("
                    + pingInterval.toMillis() + " >= " + connectionTimeout.toMillis() + "), or a client that"
                    + " answers every ping would still time out");
        }
        maxOutboundBytes = env.integer("WEBSOCKET_MAX_OUTBOUND_BYTES", DEFAULT_MAX_OUTBOUND_BYTES,
                16 * 1024, Integer.MAX_VALUE);
        if (maxOutboundBytes < maxPayload) {
            env.error("WEBSOCKET_MAX_OUTBOUND_BYTES", "must be at least WEBSOCKET_MAX_PAYLOAD (" + maxPayload + ")");
        }
        heartbeatInterval = millis(env, "NODE_HEARTBEAT_INTERVAL", DEFAULT_HEARTBEAT_INTERVAL_MS);
        heartbeatTimeout = millis(env, "NODE_HEARTBEAT_TIMEOUT", DEFAULT_HEARTBEAT_TIMEOUT_MS);
        if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            env.error("NODE_HEARTBEAT_TIMEOUT", "must be at least twice NODE_HEARTBEAT_INTERVAL, so one late"
                    + " heartbeat does not get a live node swept");
        }
        availableChannels = env.list("WEBSOCKET_AVAILABLE_CHANNELS", DEFAULT_AVAILABLE_CHANNELS);
        for (String channel : availableChannels) {
            String problem = ChannelNames.problem(channel, ChannelNames.DEFAULT_MAX_LENGTH);
            if (problem != null) {
                env.error("WEBSOCKET_AVAILABLE_CHANNELS", problem + ": '" + channel + "'");
            }
        }
        compression = env.bool("WEBSOCKET_COMPRESSION", DEFAULT_COMPRESSION);
        dispatchThreads = env.integer("DISPATCH_THREADS", Math.max(2, Runtime.getRuntime().availableProcessors()), 1, 256);
        dispatchBatchMicros = env.integer("DISPATCH_BATCH_MICROS", 1000, 0, 100_000);
        redisReadBatchMicros = env.integer("REDIS_READ_BATCH_MICROS", DEFAULT_REDIS_READ_BATCH_MICROS, 0, 100_000);
        sendSyscall = env.bool("WEBSOCKET_SEND_SYSCALL", DEFAULT_SEND_SYSCALL);
        dispatchQueueCapacity = env.integer("DISPATCH_QUEUE_CAPACITY", DEFAULT_DISPATCH_QUEUE_CAPACITY, 16, 16_777_216);
        dispatchSplitMinMembers = env.integer("DISPATCH_SPLIT_MIN_MEMBERS", DEFAULT_DISPATCH_SPLIT_MIN_MEMBERS, 0, 16_777_216);
        redisCommandTimeout = millis(env, "REDIS_COMMAND_TIMEOUT", DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
        redisConnectTimeout = millis(env, "REDIS_CONNECT_TIMEOUT", DEFAULT_REDIS_CONNECT_TIMEOUT_MS);
        redisReconnectMaxDelay = millis(env, "REDIS_RECONNECT_MAX_DELAY", DEFAULT_REDIS_RECONNECT_MAX_DELAY_MS);
        jettyMaxThreads = env.integer("JETTY_MAX_THREADS", DEFAULT_JETTY_MAX_THREADS, 8, 10_000);
        jettyMinThreads = env.integer("JETTY_MIN_THREADS", DEFAULT_JETTY_MIN_THREADS, 1, 10_000);
        if (jettyMinThreads > jettyMaxThreads) {
            env.error("JETTY_MIN_THREADS", "must not exceed JETTY_MAX_THREADS (" + jettyMaxThreads + ")");
        }
        slowConsumerAbort = millis(env, "SLOW_CONSUMER_ABORT_DELAY", DEFAULT_SLOW_CONSUMER_ABORT_MS);
        shutdownGrace = millis(env, "SHUTDOWN_GRACE", DEFAULT_SHUTDOWN_GRACE_MS);
        loadTestHooks = env.bool("LOADTEST_HOOKS", false);
        nodeJvmOptions = jvmOptions(env);
        statsInterval = Duration.ofMillis(env.longValue("STATS_INTERVAL", DEFAULT_STATS_INTERVAL_MS, 100, 600_000));
        publishApiKey = env.raw("PUBLISH_API_KEY");
        if (publishApiKey != null && publishApiKey.length() < SecuritySettings.MIN_API_KEY_LENGTH) {
            env.error("PUBLISH_API_KEY", "must be at least " + SecuritySettings.MIN_API_KEY_LENGTH + " characters");
        }
        publishApiRate = env.integer("PUBLISH_API_RATE", DEFAULT_PUBLISH_API_RATE, 1, 1_000_000);
        List<com.aegisx.ws.server.auth.ChannelRule> presence = new java.util.ArrayList<>();
        presencePatterns = List.copyOf(env.list("PRESENCE_CHANNELS", List.of()));
        for (String pattern : presencePatterns) {
            try {
                presence.add(com.aegisx.ws.server.auth.ChannelRule.of(pattern, com.aegisx.ws.server.auth.Access.PUBLIC));
            } catch (IllegalArgumentException e) {
                env.error("PRESENCE_CHANNELS", e.getMessage());
            }
        }
        presenceChannels = List.copyOf(presence);
        lifecycleEvents = env.bool("LIFECYCLE_EVENTS", DEFAULT_LIFECYCLE_EVENTS);
        lifecycleEventsMaxLength = env.longValue("LIFECYCLE_EVENTS_MAXLEN",
                com.aegisx.ws.client.events.EventOptions.DEFAULT_MAX_LENGTH, 100, 100_000_000);
        presenceGrace = Duration.ofMillis(env.longValue("PRESENCE_GRACE", DEFAULT_PRESENCE_GRACE_MS, 0, 3_600_000));
        String logLevel = env.raw("LOG_LEVEL");
        if (logLevel != null && !LOG_LEVELS.contains(logLevel.toUpperCase(java.util.Locale.ROOT))) {
            env.error("LOG_LEVEL", "must be one of " + String.join(", ", LOG_LEVELS) + ", was '" + logLevel + "'");
        }
        logFormat = env.string("LOG_FORMAT", LOG_FORMAT_TEXT);
        if (!LOG_FORMAT_TEXT.equals(logFormat) && !LOG_FORMAT_JSON.equals(logFormat)) {
            env.error("LOG_FORMAT", "must be 'text' or 'json', was '" + logFormat + "'");
        }
        auth = AuthSettings.fromEnv(env);
        security = SecuritySettings.fromEnv(env);
        if (proxyProtocol && security.proxies().isEmpty()) {
            env.error("PROXY_PROTOCOL", "needs TRUSTED_PROXIES (the load balancer's own address): a PROXY header"
                    + " is believed from those peers only");
        }
        history = HistorySettings.fromEnv(env, maxOutboundBytes);
    }

    /** Reads and validates; throws {@link ConfigException} naming every bad variable. */
    public static ServerConfig fromEnv(Map<String, String> vars) {
        Env env = new Env(vars);
        ServerConfig config = new ServerConfig(env);
        env.throwIfInvalid();
        return config;
    }

    /** A builder; {@code builder().env(System.getenv())} starts from the environment. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings by the names of the configuration table, with typed shortcuts for the common ones;
     * {@link #build} parses and validates exactly as {@link #fromEnv} does (later values win).
     */
    public static final class Builder {
        private final Map<String, String> values = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /** Every variable of {@code env} (e.g. {@code System.getenv()}). */
        public Builder env(Map<String, String> env) {
            values.putAll(env);
            return this;
        }

        /** One setting by its variable name, e.g. {@code set("WEBSOCKET_MAX_PAYLOAD", "65536")}. */
        public Builder set(String name, String value) {
            values.put(name, value);
            return this;
        }

        public Builder port(int port) {
            return set("PORT", Integer.toString(port));
        }

        public Builder host(String host) {
            return set("HOST", host);
        }

        public Builder redisUrl(String url) {
            return set("REDIS_URL", url);
        }

        public Builder nodeId(String nodeId) {
            return set("NODE_ID", nodeId);
        }

        public Builder keyPrefix(String prefix) {
            return set("REDIS_KEY_PREFIX", prefix);
        }

        public Builder millis(String name, Duration value) {
            return set(name, Long.toString(value.toMillis()));
        }

        /** Throws {@link ConfigException} naming every bad setting. */
        public ServerConfig build() {
            return fromEnv(values);
        }
    }

    /**
     * An address to listen on: an IP literal or a name that resolves. Checked here so a typo stops
     * startup naming the variable, instead of a bind failure later that names none.
     */
    private static String bindAddress(Env env, String name, String defaultValue) {
        String value = env.string(name, defaultValue);
        try {
            if (value.chars().anyMatch(c -> c <= ' ' || c == '/')) {
                throw new java.net.UnknownHostException(value);
            }
            java.net.InetAddress.getByName(value);
        } catch (java.net.UnknownHostException e) {
            env.error(name, "must be an IP address or a host name of this machine, was '" + value + "'");
            return defaultValue;
        }
        return value;
    }

    private static String localHostName(String fallback) {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return fallback;
        }
    }

    private static List<String> jvmOptions(Env env) {
        String value = env.raw("NODE_JVM_OPTIONS");
        if (value == null) {
            return defaultNodeJvmOptions();
        }
        if (value.equals("none")) {
            return List.of();
        }
        List<String> options = List.of(value.split("\\s+"));
        for (String option : options) {
            if (!option.startsWith("-")) {
                env.error("NODE_JVM_OPTIONS", "must be JVM options separated by spaces (each starting with '-'),"
                        + " or none, was '" + value + "'");
                return DEFAULT_NODE_JVM_OPTIONS;
            }
        }
        return options;
    }

    /** The default JVM options, with the native heap trim when this JVM knows the option (the child is the same JVM). */
    static List<String> defaultNodeJvmOptions() {
        if (!JvmOptions.known(TRIM_NATIVE_HEAP_OPTION)) {
            return DEFAULT_NODE_JVM_OPTIONS;
        }
        List<String> options = new java.util.ArrayList<>(DEFAULT_NODE_JVM_OPTIONS);
        options.add(TRIM_NATIVE_HEAP_OPTION);
        return List.copyOf(options);
    }

    private static Duration millis(Env env, String name, long defaultMillis) {
        return Duration.ofMillis(env.longValue(name, defaultMillis, 10, 7L * 24 * 3600 * 1000));
    }

    /** The URL's form decides the mode (see {@link RedisTarget}); its message never carries the password. */
    private static RedisTarget parseRedisUrl(Env env, String url) {
        try {
            return RedisTarget.parse(url);
        } catch (IllegalArgumentException e) {
            env.error("REDIS_URL", e.getMessage());
            return null;
        }
    }

    /**
     * The TLS files and the sentinels' credentials, which Lettuce's URL cannot carry, added to the
     * target. Each must fit the URL: TLS files need an {@code s} scheme, sentinel credentials a
     * {@code redis-sentinel://} URL. Secrets are never part of a message.
     */
    private static RedisTarget redisSecurity(Env env, RedisTarget target) {
        String ca = env.raw("REDIS_TLS_CA_FILE");
        String cert = env.raw("REDIS_TLS_CERT_FILE");
        String key = env.raw("REDIS_TLS_KEY_FILE");
        String sentinelUser = env.raw("REDIS_SENTINEL_USERNAME");
        String sentinelPassword = env.raw("REDIS_SENTINEL_PASSWORD");
        if (target == null) {
            return null;
        }
        RedisTls tls = RedisTls.defaults();
        if ((ca != null || cert != null || key != null) && !target.isTls()) {
            env.error(ca != null ? "REDIS_TLS_CA_FILE" : cert != null ? "REDIS_TLS_CERT_FILE" : "REDIS_TLS_KEY_FILE",
                    "is set but REDIS_URL does not use TLS (rediss://, rediss-sentinel://, rediss-cluster://)");
        }
        if (ca != null) {
            try {
                tls = tls.trustedCa(Path.of(ca));
            } catch (IllegalArgumentException e) {
                env.error("REDIS_TLS_CA_FILE", "must name a readable PEM file of CA certificates, was '" + ca + "'");
            }
        }
        if ((cert == null) != (key == null)) {
            env.error(cert == null ? "REDIS_TLS_CERT_FILE" : "REDIS_TLS_KEY_FILE",
                    "must be set together with " + (cert == null ? "REDIS_TLS_KEY_FILE" : "REDIS_TLS_CERT_FILE"));
        } else if (cert != null) {
            try {
                tls = tls.clientCertificate(Path.of(cert), Path.of(key));
            } catch (IllegalArgumentException e) {
                env.error("REDIS_TLS_CERT_FILE", "and REDIS_TLS_KEY_FILE must name readable PEM files, were '"
                        + cert + "' and '" + key + "'");
            }
        }
        target = target.withTls(tls);
        if (sentinelUser != null && sentinelPassword == null) {
            env.error("REDIS_SENTINEL_USERNAME", "needs REDIS_SENTINEL_PASSWORD");
        }
        if (sentinelPassword != null) {
            if (target.mode() != RedisTarget.Mode.SENTINEL) {
                env.error("REDIS_SENTINEL_PASSWORD", "is set but REDIS_URL is not a redis-sentinel:// URL");
            } else {
                target = target.withSentinelCredentials(sentinelUser, sentinelPassword);
            }
        }
        return target;
    }

    public int port() { return port; }
    public String host() { return host; }
    /** MANAGEMENT_PORT: metrics, debug endpoints, probes with details (0: any free port). */
    public int managementPort() { return managementPort; }
    /** MANAGEMENT_HOST: the interface the management port listens on. */
    public String managementHost() { return managementHost; }
    /**
     * The host names the management port answers to besides loopback and the address a request
     * arrived on: MANAGEMENT_HOST, ADVERTISED_HOST and MANAGEMENT_ALLOWED_HOSTS.
     */
    public List<String> managementHosts() {
        return Stream.concat(Stream.of(managementHost, advertisedHost), managementAllowedHosts.stream())
                .filter(ManagementHosts::isValidHost).toList();
    }
    /** PROXY_PROTOCOL: the public port reads HAProxy's PROXY header (v1/v2), believed from TRUSTED_PROXIES only. */
    public boolean proxyProtocol() { return proxyProtocol; }
    /** Host name other nodes and operators see in the node registry. */
    public String advertisedHost() { return advertisedHost; }
    /** Null when unset: the launcher then starts a local Redis for a quick start. */
    public String redisUrl() { return redisUrl; }
    /** The parsed REDIS_URL (mode, hosts, credentials); null when unset. */
    public RedisTarget redisTarget() { return redisTarget; }
    /** REDIS_TOPOLOGY_REFRESH: periodic re-read of a cluster's slot map (adaptive refresh comes on top). */
    public Duration topologyRefresh() { return topologyRefresh; }
    public String nodeId() { return nodeId; }
    public KeySchema keys() { return keys; }
    public int maxPayload() { return maxPayload; }
    public Duration cleanupInterval() { return cleanupInterval; }
    public Duration connectionTimeout() { return connectionTimeout; }
    public Duration pingInterval() { return pingInterval; }
    public int maxOutboundBytes() { return maxOutboundBytes; }
    public Duration heartbeatInterval() { return heartbeatInterval; }
    public Duration heartbeatTimeout() { return heartbeatTimeout; }
    public List<String> availableChannels() { return availableChannels; }
    public int dispatchThreads() { return dispatchThreads; }
    /** How long a dispatch worker lets messages gather before a fan-out (0: it takes what is queued). */
    public int dispatchBatchMicros() { return dispatchBatchMicros; }
    /** REDIS_READ_BATCH_MICROS: while Redis's replies and messages come more often, Lettuce's loops read them this far apart (0: off). */
    public int redisReadBatchMicros() { return redisReadBatchMicros; }
    /** WEBSOCKET_SEND_SYSCALL: frames leave with {@code send(2)} where the JVM allows it; false: the JDK's {@code write(2)}. */
    public boolean sendSyscall() { return sendSyscall; }
    public boolean compression() { return compression; }
    public int dispatchQueueCapacity() { return dispatchQueueCapacity; }
    /** Local members from which a channel's fan-out is split across the dispatch workers; 0: never. */
    public int dispatchSplitMinMembers() { return dispatchSplitMinMembers; }
    public Duration redisCommandTimeout() { return redisCommandTimeout; }
    public Duration redisConnectTimeout() { return redisConnectTimeout; }
    /** REDIS_RECONNECT_MAX_DELAY: cap of the reconnect backoff (a Sentinel or standalone master back or promoted). */
    public Duration redisReconnectMaxDelay() { return redisReconnectMaxDelay; }
    public int jettyMaxThreads() { return jettyMaxThreads; }
    public int jettyMinThreads() { return jettyMinThreads; }
    public Duration slowConsumerAbort() { return slowConsumerAbort; }
    public Duration shutdownGrace() { return shutdownGrace; }
    /** LOADTEST_HOOKS: installs POST /loadtest/fanout (load-tests' ceiling scenario). Never in production. */
    public boolean loadTestHooks() { return loadTestHooks; }
    /** STATS_INTERVAL: between two samples of the node's counters in Redis (the admin console's rates). */
    public Duration statsInterval() { return statsInterval; }
    /** LOG_FORMAT: {@code text} (default) or {@code json}; logback.xml reads the variable itself. */
    public String logFormat() { return logFormat; }
    /** LIFECYCLE_EVENTS: write connected/disconnected/subscribed/... and user presence to the events stream. */
    public boolean lifecycleEvents() { return lifecycleEvents; }
    /** PRESENCE_CHANNELS: channel patterns with presence (join/leave events, the presence query); empty: none. */
    public boolean hasPresence(String channel) {
        return presenceChannels.stream().anyMatch(rule -> rule.matches(channel));
    }
    public boolean presenceEnabled() { return !presenceChannels.isEmpty(); }
    /** PRESENCE_CHANNELS as written (for the node's registry hash: a sweeper of this node publishes its leaves). */
    public List<String> presencePatterns() { return presencePatterns; }
    /** LIFECYCLE_EVENTS_MAXLEN: the stream's approximate cap (XADD MAXLEN ~). */
    public long lifecycleEventsMaxLength() { return lifecycleEventsMaxLength; }
    /** PRESENCE_GRACE: how long a user without sockets stays online (a quick reconnect is no offline/online pair). */
    public Duration presenceGrace() { return presenceGrace; }
    /** PUBLISH_API_KEY: the X-Api-Key of POST /api/v1/publish; null: the API is off (404). */
    public String publishApiKey() { return publishApiKey == null || publishApiKey.isEmpty() ? null : publishApiKey; }
    /** PUBLISH_API_RATE: messages per second (and burst) this node accepts over HTTP. */
    public int publishApiRate() { return publishApiRate; }
    public AuthSettings auth() { return auth; }
    /** JVM options a node started without a garbage collector choice re-launches itself with (empty: never). */
    public List<String> nodeJvmOptions() { return nodeJvmOptions; }
    /** Origins, proxies, limits and the admin key: see {@link SecuritySettings}. */
    public SecuritySettings security() { return security; }
    /** HISTORY_RULES, recovery bound, resume token TTL: see {@link HistorySettings}. */
    public HistorySettings history() { return history; }
}
