package com.aegisx.ws.client;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where Redis is, parsed from the one setting both the nodes and the publisher client take
 * ({@code REDIS_URL}). Three forms, each with credentials ({@code user:password@} or
 * {@code :password@}) and TLS (the {@code s} scheme):
 *
 * <pre>
 * redis://[[user]:password@]host:port[/db]                     standalone (cluster auto-detected)
 * rediss://...                                                 the same over TLS
 * redis-sentinel://[[user]:password@]host:port[,host:port...]/[db]?sentinelMasterId=name
 * rediss-sentinel://...                                        Sentinel (Lettuce's form), TLS
 * redis-cluster://[[user]:password@]host:port[,host:port...]   Redis Cluster seed nodes
 * rediss-cluster://...                                         the same over TLS
 * </pre>
 *
 * A {@code redis://} URL that reaches a node with {@code cluster_enabled:1} is used as a cluster
 * seed (see {@link RedisConnector}); declaring {@code redis-cluster://} skips that check and lists
 * several seeds, so startup survives one seed being down. Error messages never contain the
 * password.
 */
public final class RedisTarget {

    /** How the tier talks to Redis. */
    public enum Mode {
        STANDALONE, SENTINEL, CLUSTER
    }

    private static final String SCHEMES = "redis://, rediss://, redis-sentinel://, rediss-sentinel://,"
            + " redis-cluster:// or rediss-cluster://";

    private final Mode mode;
    private final List<RedisURI> uris;
    private final String redacted;
    private final RedisTls tls;

    private RedisTarget(Mode mode, List<RedisURI> uris, String redacted) {
        this(mode, uris, redacted, RedisTls.defaults());
    }

    private RedisTarget(Mode mode, List<RedisURI> uris, String redacted, RedisTls tls) {
        this.mode = mode;
        this.uris = List.copyOf(uris);
        this.redacted = redacted;
        this.tls = Objects.requireNonNull(tls, "tls");
    }

    /** Parses {@code url}; throws {@link IllegalArgumentException} with a message fit for an operator. */
    public static RedisTarget parse(String url) {
        Objects.requireNonNull(url, "url");
        String trimmed = url.trim();
        int schemeEnd = trimmed.indexOf("://");
        if (schemeEnd <= 0) {
            throw new IllegalArgumentException("must start with " + SCHEMES);
        }
        String scheme = trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        String rest = trimmed.substring(schemeEnd + 3);
        return switch (scheme) {
            case "redis", "rediss" -> standalone(trimmed, scheme, rest);
            case "redis-sentinel", "rediss-sentinel" -> sentinel(trimmed, scheme, rest);
            case "redis-cluster", "rediss-cluster" -> cluster(scheme, rest);
            default -> throw new IllegalArgumentException("must start with " + SCHEMES);
        };
    }

    private static RedisTarget standalone(String url, String scheme, String rest) {
        if (rest.contains(",")) {
            throw new IllegalArgumentException("lists several hosts: use redis-cluster:// for cluster seeds"
                    + " or redis-sentinel://...?sentinelMasterId=... for Sentinel");
        }
        RedisURI uri = lettuce(url);
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("has no host");
        }
        return new RedisTarget(Mode.STANDALONE, List.of(uri), scheme + "://" + hostsOf(rest));
    }

    private static RedisTarget sentinel(String url, String scheme, String rest) {
        if (!rest.contains("sentinelMasterId=")) {
            throw new IllegalArgumentException("needs ?sentinelMasterId=<name of the monitored master>");
        }
        RedisURI uri = lettuce(url);
        if (uri.getSentinels().isEmpty()) {
            throw new IllegalArgumentException("names no sentinel host");
        }
        if (uri.getSentinelMasterId() == null || uri.getSentinelMasterId().isEmpty()) {
            throw new IllegalArgumentException("needs ?sentinelMasterId=<name of the monitored master>");
        }
        return new RedisTarget(Mode.SENTINEL, List.of(uri), scheme + "://" + hostsOf(rest)
                + " (master " + uri.getSentinelMasterId() + ")");
    }

    private static RedisTarget cluster(String scheme, String rest) {
        String nodeScheme = scheme.startsWith("rediss") ? "rediss" : "redis";
        int at = rest.lastIndexOf('@');
        String userInfo = at >= 0 ? rest.substring(0, at + 1) : "";
        String afterUser = rest.substring(at + 1);
        int tail = firstOf(afterUser, '/', '?');
        String hosts = tail < 0 ? afterUser : afterUser.substring(0, tail);
        String suffix = tail < 0 ? "" : afterUser.substring(tail);
        String path = suffix.startsWith("/") ? suffix.substring(1).split("\\?", 2)[0] : "";
        if (!path.isEmpty() && !path.equals("0")) {
            throw new IllegalArgumentException("names database " + path + ": Redis Cluster has only database 0");
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hosts.split(",")) {
            if (host.isBlank()) {
                throw new IllegalArgumentException("has an empty seed host");
            }
            RedisURI uri = lettuce(nodeScheme + "://" + userInfo + host.trim() + suffix);
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("has a seed without a host");
            }
            seeds.add(uri);
        }
        return new RedisTarget(Mode.CLUSTER, seeds, scheme + "://" + hosts);
    }

    private static int firstOf(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static RedisURI lettuce(String url) {
        try {
            URI.create(url.replace(",", "%2C")); // a quick syntax check; Lettuce's parser is lenient
            return RedisURI.create(url);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
    }

    /** The host list of a URL without its credentials, for logs. */
    private static String hostsOf(String rest) {
        int at = rest.lastIndexOf('@');
        String afterUser = rest.substring(at + 1);
        int query = afterUser.indexOf('?');
        return query < 0 ? afterUser : afterUser.substring(0, query);
    }

    /** The mode declared by the URL; a standalone URL may still lead to a cluster (auto-detection). */
    public Mode mode() {
        return mode;
    }

    /** One URI for standalone and Sentinel, one per seed for a cluster. */
    public List<RedisURI> uris() {
        return uris;
    }

    /** The first (or only) URI. */
    public RedisURI uri() {
        return uris.get(0);
    }

    /** This target as a cluster seeded by its URI (after auto-detection). */
    RedisTarget asCluster() {
        return new RedisTarget(Mode.CLUSTER, uris, redacted + " (cluster detected)", tls);
    }

    /** This target with its TLS material (a private CA, a client certificate) for the {@code s} schemes. */
    public RedisTarget withTls(RedisTls tls) {
        return new RedisTarget(mode, uris, redacted, tls);
    }

    /**
     * This target with {@code timeout} on every URI, a Sentinel target's sentinels included. Lettuce
     * waits for a new connection's set-up (its handshake, after the TCP connect) as long as its
     * URI's timeout, 60 s unless set: a Redis that accepts connections but does not answer (a hung
     * process, a paused VM) then held a Cluster topology refresh, and with it a failover's re-homing,
     * for a minute.
     */
    public RedisTarget withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        List<RedisURI> copies = new ArrayList<>(uris.size());
        for (RedisURI source : uris) {
            // The builder copies credentials, TLS, database, names and address, not the sentinels.
            RedisURI.Builder copy = RedisURI.builder(source).withTimeout(timeout);
            if (source.getSentinelMasterId() != null) {
                copy.withSentinelMasterId(source.getSentinelMasterId());
            }
            for (RedisURI sentinel : source.getSentinels()) {
                copy.withSentinel(RedisURI.builder(sentinel).withTimeout(timeout).build());
            }
            copies.add(copy.build());
        }
        return new RedisTarget(mode, List.copyOf(copies), redacted, tls);
    }

    /** The TLS material; {@link RedisTls#defaults()} unless set. */
    public RedisTls tls() {
        return tls;
    }

    /** Whether the URL asks for TLS (an {@code s} scheme). */
    public boolean isTls() {
        return uri().isSsl();
    }

    /**
     * This Sentinel target with the sentinels' own credentials ({@code requirepass} or an ACL user of
     * the sentinels): Lettuce's URL carries the data nodes' password only. {@code username} may be
     * null. Throws {@link IllegalStateException} for another mode.
     */
    public RedisTarget withSentinelCredentials(String username, String password) {
        if (mode != Mode.SENTINEL) {
            throw new IllegalStateException("sentinel credentials apply to redis-sentinel:// only");
        }
        Objects.requireNonNull(password, "password");
        RedisURI source = uri();
        RedisURI.Builder builder = RedisURI.builder(source).withSentinelMasterId(source.getSentinelMasterId());
        for (RedisURI sentinel : source.getSentinels()) {
            RedisURI.Builder node = RedisURI.builder().withHost(sentinel.getHost()).withPort(sentinel.getPort())
                    .withSsl(sentinel.isSsl()).withVerifyPeer(sentinel.getVerifyMode());
            builder.withSentinel((username == null ? node.withPassword(password.toCharArray())
                    : node.withAuthentication(username, password)).build());
        }
        return new RedisTarget(mode, List.of(builder.build()), redacted, tls);
    }

    /** The URL without credentials, safe to log. */
    @Override
    public String toString() {
        return redacted;
    }
}
