package com.aegisx.ws.client;

import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.DefaultEndpoint;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a Sentinel target's data connections on the master the sentinels name.
 *
 * <p>Lettuce asks the sentinels for the master only when a connection reconnects, and a connection
 * to a master that hangs (a stopped process, a paused VM, a master stuck in a long script) never
 * breaks: the kernel keeps it open while nothing answers. After the sentinels promoted a replica,
 * every command timed out and the pub/sub connection stayed silent for as long as the old master
 * hung. So every {@link #INTERVAL} this asks a sentinel for the master, and disconnects a data
 * connection that is on another address in two checks running; Lettuce reconnects it, through the
 * sentinels, to the new master (and re-subscribes a pub/sub connection).
 *
 * <p>Conservative on purpose: an answer it cannot compare (a name that does not resolve) counts as
 * the same address, and nothing is done while no sentinel answers.
 */
final class SentinelMasterWatch implements RedisConnectionStateListener, AutoCloseable {

    private static final System.Logger log = System.getLogger(SentinelMasterWatch.class.getName());
    /** How often a sentinel is asked for the master. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final RedisClient client;
    private final List<RedisURI> sentinels;
    private final String masterId;
    private final Duration timeout;
    /** Lettuce's event executors: where what may resolve a host name runs (never a Redis I/O thread). */
    private final Executor events;
    private final HostResolver resolver;
    /** Data connections (not the sentinels') by the address they are connected to. */
    private final Map<RedisChannelHandler<?, ?>, InetSocketAddress> connected = new ConcurrentHashMap<>();
    /** Connections reported connected and not yet told apart from the sentinels' (see {@link #onRedisConnected}). */
    private final Map<RedisChannelHandler<?, ?>, InetSocketAddress> arriving = new ConcurrentHashMap<>();
    /** Connections found on another address than the master's in the last check. */
    private final Map<RedisChannelHandler<?, ?>, Boolean> strayed = new ConcurrentHashMap<>();
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile StatefulRedisSentinelConnection<String, String> sentinel;
    private volatile int nextSentinel;
    private volatile ScheduledFuture<?> task;
    private volatile boolean closed;

    /** {@code target}: a Sentinel URI (its sentinels and master id); {@code timeout} bounds each question. */
    SentinelMasterWatch(RedisClient client, RedisURI target, Duration timeout) {
        this(client, target, timeout, client.getResources().eventExecutorGroup(), InetAddress::getAllByName);
    }

    /** As above, with the executor for comparisons and the host name resolution given (tests). */
    SentinelMasterWatch(RedisClient client, RedisURI target, Duration timeout, Executor events, HostResolver resolver) {
        this.client = client;
        this.sentinels = List.copyOf(target.getSentinels());
        this.masterId = target.getSentinelMasterId();
        this.timeout = timeout;
        this.events = events;
        this.resolver = resolver;
    }

    /** {@link InetAddress#getAllByName}, or a stand-in. */
    @FunctionalInterface
    interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Whether {@code connection} is watched as a data connection (tests). */
    boolean watches(RedisChannelHandler<?, ?> connection) {
        return connected.containsKey(connection);
    }

    /** Starts asking, on Lettuce's event executors. */
    void start() {
        long millis = INTERVAL.toMillis();
        task = client.getResources().eventExecutorGroup()
                .scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * On the I/O thread that made the connection: telling a sentinel's connection from a data one
     * may resolve a sentinel's host name, so that is done on the event executors; until then the
     * connection waits in {@link #arriving}, and a disconnect meanwhile cancels it.
     */
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            arriving.put(connection, inet);
            try {
                events.execute(() -> arrived(connection, inet));
            } catch (RejectedExecutionException e) { // Lettuce is shutting down: nothing left to watch
                arriving.remove(connection, inet);
            }
        }
    }

    /** On the event executors: watches the connection unless it is a sentinel's, or gone or reconnected since. */
    private void arrived(RedisChannelHandler<?, ?> connection, InetSocketAddress address) {
        boolean data = !isSentinel(address);
        synchronized (arriving) { // against a disconnect between the check and the put
            if (arriving.remove(connection, address) && data) {
                connected.put(connection, address);
                strayed.remove(connection);
            }
        }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        synchronized (arriving) {
            arriving.remove(connection);
            connected.remove(connection);
            strayed.remove(connection);
        }
    }

    private boolean isSentinel(InetSocketAddress address) {
        return sentinels.stream().anyMatch(s -> s.getPort() == address.getPort()
                && sameHost(s.getHost(), address, resolver));
    }

    private void check() {
        if (closed || connected.isEmpty() || !checking.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<SocketAddress> asked;
        try {
            asked = sentinel().thenCompose(c -> c.async().getMasterAddrByName(masterId).toCompletableFuture());
        } catch (RuntimeException e) { // thrown, not failed: it must not end the periodic task
            dropSentinel();
            checking.set(false);
            return;
        }
        asked.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                // Not on the I/O thread that completed the answer: comparing addresses may resolve a name.
                .whenCompleteAsync((master, error) -> {
                    try {
                        if (error != null) {
                            log.log(System.Logger.Level.DEBUG, "Asking a sentinel for master {0} failed: {1}", masterId, error);
                            dropSentinel(); // the next check asks the next sentinel
                        } else if (master instanceof InetSocketAddress named) {
                            follow(named);
                        }
                    } finally {
                        checking.set(false);
                    }
                }, events);
    }

    /** Disconnects what was on another address than {@code master} in this check and the one before. */
    private void follow(InetSocketAddress master) {
        connected.forEach((connection, address) -> {
            if (sameAddress(master, address, resolver)) {
                strayed.remove(connection);
            } else if (strayed.putIfAbsent(connection, Boolean.TRUE) != null) {
                strayed.remove(connection);
                log.log(System.Logger.Level.WARNING, "Redis connection on {0} while the sentinels name {1} as master"
                        + " {2}: reconnecting it", address, master, masterId);
                disconnect(connection);
            }
        });
    }

    private CompletableFuture<StatefulRedisSentinelConnection<String, String>> sentinel() {
        StatefulRedisSentinelConnection<String, String> current = sentinel;
        if (current != null && current.isOpen()) {
            return CompletableFuture.completedFuture(current);
        }
        RedisURI next = sentinels.get(Math.floorMod(nextSentinel, sentinels.size()));
        return client.connectSentinelAsync(StringCodec.UTF8, next).toCompletableFuture().thenApply(c -> {
            if (closed) {
                c.closeAsync();
                throw new IllegalStateException("closed");
            }
            sentinel = c;
            return c;
        });
    }

    private void dropSentinel() {
        StatefulRedisSentinelConnection<String, String> current = sentinel;
        sentinel = null;
        nextSentinel++;
        if (current != null) {
            current.closeAsync();
        }
    }

    /** Closes the connection's channel, not the connection: Lettuce reconnects it. */
    static void disconnect(RedisChannelHandler<?, ?> connection) {
        RedisChannelWriter writer = connection.getChannelWriter();
        while (writer instanceof Delegating<?> delegating && delegating.getDelegate() instanceof RedisChannelWriter inner) {
            writer = inner;
        }
        if (writer instanceof DefaultEndpoint endpoint) {
            endpoint.disconnect();
        }
    }

    /** Whether {@code actual} is {@code named}; a name that does not resolve counts as the same. */
    static boolean sameAddress(InetSocketAddress named, InetSocketAddress actual) {
        return sameAddress(named, actual, InetAddress::getAllByName);
    }

    private static boolean sameAddress(InetSocketAddress named, InetSocketAddress actual, HostResolver resolver) {
        return named.getPort() == actual.getPort() && sameHost(named.getHostString(), actual, resolver);
    }

    private static boolean sameHost(String host, InetSocketAddress actual, HostResolver resolver) {
        InetAddress address = actual.getAddress();
        if (host.equalsIgnoreCase(actual.getHostString()) || address == null) {
            return true;
        }
        try {
            for (InetAddress resolved : resolver.resolve(host)) {
                if (resolved.equals(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> scheduled = task;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        dropSentinel();
    }
}
