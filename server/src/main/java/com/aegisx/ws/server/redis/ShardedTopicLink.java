package com.aegisx.ws.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sharded pub/sub on a Redis Cluster: each topic is SSUBSCRIBEd on the master that owns its slot,
 * through one pub/sub connection per master, so a node receives only the topics it subscribed to
 * and a message crosses only its own shard.
 *
 * <p>The link follows the topology itself rather than relying on Lettuce's re-subscription (which
 * re-subscribes on the same node, and for sharded channels not reliably: lettuce issues #2940,
 * #3213). Node connections do not reconnect on their own. Every {@value #RECONCILE_MILLIS} ms, and
 * at once when a node connection drops or Redis unsubscribes a topic (it does so for a slot that
 * migrated away), the link compares where each topic is subscribed with the slot map Lettuce keeps
 * ({@code REDIS_TOPOLOGY_REFRESH} plus adaptive refresh on redirections and reconnects) and moves
 * topics whose slot now has another master, or whose connection dropped, to the right master.
 * Subscribers' sockets never notice; messages published while a topic had no subscription (the
 * failover gap) are lost, as they are for any Redis pub/sub.
 *
 * <p>All state is owned by one thread ({@code ws-shards}); Lettuce's event loops only hand work to it.
 * That thread never waits for Redis: a master is dialled asynchronously, once for all the topics
 * that wait for it, and a dial is given up after the command timeout. A master that accepts
 * connections but does not answer (a hung process, a paused VM) would otherwise hold the thread for
 * the connection's own 60 s timeout per topic, and with it every other shard's subscriptions and
 * the re-homing of a failover.
 */
public final class ShardedTopicLink implements TopicLink {

    private static final Logger log = LoggerFactory.getLogger(ShardedTopicLink.class);
    static final long RECONCILE_MILLIS = 500;
    private static final long RETRY_MILLIS = 200;

    /** Where one wanted topic stands. */
    private static final class Wanted {
        NodeLink link;
        /** Waiting for a dial of its master (link still null). */
        boolean dialing;
        /** Bumped by every assignment: a callback of an earlier one is stale. */
        int attempt;
        boolean confirmed;
        boolean everConfirmed;
        final long deadlineNanos;
        final List<CompletableFuture<Void>> waiters = new ArrayList<>();

        Wanted(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** The pub/sub connection to one master. */
    private final class NodeLink extends RedisPubSubAdapter<String, String> {
        final String nodeId;
        final StatefulRedisPubSubConnection<String, String> connection;

        NodeLink(String nodeId, StatefulRedisPubSubConnection<String, String> connection) {
            this.nodeId = nodeId;
            this.connection = connection;
        }

        @Override
        public void sunsubscribed(String topic, long count) {
            // Ours are requested after the topic left `wanted` or moved to another link; one still
            // assigned here was unsubscribed by Redis: its slot migrated.
            executor.execute(() -> {
                Wanted w = wanted.get(topic);
                if (w != null && w.link == this) {
                    log.info("Redis unsubscribed topic {} on node {} (slot moved); following it", topic, nodeId);
                    w.link = null;
                    if (w.confirmed) {
                        w.confirmed = false;
                        unconfirmed++;
                    }
                    resubscriptions.incrementAndGet();
                    // Re-read the slot map first, so the topic goes to the slot's new master.
                    cluster.refreshPartitionsAsync().whenComplete((ok, error) -> executor.execute(() -> {
                        if (wanted.get(topic) == w && unassigned(w)) {
                            assign(topic, w);
                        }
                    }));
                }
            });
        }
    }

    private final RedisClusterClient cluster;
    private final RedisURI seed;
    private final RedisClient nodeClient;
    private final RedisPubSubListener<String, String> listener;
    private final Duration timeout;
    private final Runnable onMastersChanged;
    /** How long re-confirmations gather before one {@link #onResubscribed} run (a failover moves many topics). */
    public static final long RESUBSCRIBED_CHECK_MILLIS = 100;
    private volatile Runnable resubscribedHandler = () -> { };
    private boolean resubscribedCheckScheduled;
    private final ScheduledExecutorService executor;
    private final Map<String, Wanted> wanted = new HashMap<>();
    private final Map<String, NodeLink> links = new HashMap<>();
    /** Dials under way, by master node id: the topics waiting for one master share its dial. */
    private final Map<String, CompletableFuture<NodeLink>> dials = new HashMap<>();
    private final AtomicLong resubscriptions = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private volatile int unconfirmed;
    private Set<String> masters = Set.of();
    private volatile boolean closed;

    /**
     * @param cluster          the node's cluster client (its slot map is followed)
     * @param seed             a seed URI: its credentials and TLS settings are used for every master
     * @param ssl              the TLS material (CA, client certificate) for an {@code s} scheme
     * @param resources        shared client resources for the per-master connections
     * @param listener         gets every sharded message ({@code smessage})
     * @param timeout          how long a first subscription may wait for its master
     * @param onMastersChanged run (on the link's thread) when a new master appeared: a failover
     */
    public ShardedTopicLink(RedisClusterClient cluster, RedisURI seed, SslOptions ssl, ClientResources resources,
                            RedisPubSubListener<String, String> listener, Duration timeout,
                            Runnable onMastersChanged) {
        this.cluster = cluster;
        this.seed = seed;
        this.listener = listener;
        this.timeout = timeout;
        this.onMastersChanged = onMastersChanged;
        this.nodeClient = RedisClient.create(resources);
        nodeClient.setOptions(ClientOptions.builder()
                .sslOptions(ssl)
                .autoReconnect(false) // a dropped master is replaced by reconciling, never re-dialled blindly
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                .build());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ws-shards");
            t.setDaemon(true);
            return t;
        });
        executor.execute(() -> masters = currentMasters());
        executor.scheduleWithFixedDelay(this::reconcileQuietly, RECONCILE_MILLIS, RECONCILE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        executor.execute(() -> {
            Wanted w = wanted.get(topic);
            if (w == null) {
                w = new Wanted(System.nanoTime() + timeout.toNanos());
                wanted.put(topic, w);
                unconfirmed++;
            }
            if (w.confirmed && w.link != null && w.link.connection.isOpen()) {
                result.complete(null);
                return;
            }
            w.waiters.add(result);
            if (unassigned(w)) {
                assign(topic, w);
            }
        });
        return result;
    }

    @Override
    public void unsubscribe(String topic) {
        executor.execute(() -> {
            Wanted w = wanted.remove(topic);
            if (w == null) {
                return;
            }
            if (!w.confirmed) {
                unconfirmed--;
            }
            w.waiters.forEach(f -> f.completeExceptionally(new CancellationException("unsubscribed")));
            if (w.link != null && w.link.connection.isOpen()) {
                w.link.connection.async().sunsubscribe(topic);
            }
        });
    }

    /** Closes every master connection and subscribes every wanted topic again on fresh ones. */
    @Override
    public CompletableFuture<Void> renew(java.util.Collection<String> topics) {
        return CompletableFuture.supplyAsync(() -> {
            links.values().forEach(l -> l.connection.closeAsync());
            links.clear();
            dials.clear(); // a dial under way completes stale: its connection is closed
            List<CompletableFuture<Void>> confirmations = new ArrayList<>();
            for (Map.Entry<String, Wanted> entry : wanted.entrySet()) {
                Wanted w = entry.getValue();
                w.link = null;
                w.dialing = false;
                if (w.confirmed) {
                    w.confirmed = false;
                    unconfirmed++;
                }
                CompletableFuture<Void> confirmed = new CompletableFuture<>();
                w.waiters.add(confirmed);
                confirmations.add(confirmed);
                resubscriptions.incrementAndGet();
                assign(entry.getKey(), w);
            }
            return CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new));
        }, executor).thenCompose(all -> all);
    }

    /** Sharded links have no single connection to ping: answered at once. */
    @Override
    public CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isConnected() {
        return !closed && unconfirmed == 0;
    }

    @Override
    public long resubscriptions() {
        return resubscriptions.get();
    }

    /** Times the set of masters changed (a replica took over), since start. */
    public long failovers() {
        return failovers.get();
    }

    /** Topics subscribed per master node id (tests and the debug view). */
    public CompletableFuture<Map<String, Integer>> topicsPerNode() {
        return CompletableFuture.supplyAsync(() -> {
            Map<String, Integer> counts = new HashMap<>();
            wanted.values().forEach(w -> {
                if (w.link != null) {
                    counts.merge(w.link.nodeId, 1, Integer::sum);
                }
            });
            return counts;
        }, executor);
    }

    // ---------------------------------------------------------------- on the link's thread

    /** Neither subscribed somewhere nor waiting for a dial or a retry's turn. */
    private static boolean unassigned(Wanted w) {
        return w.link == null && !w.dialing;
    }

    /**
     * Subscribes {@code topic} on its slot's master, once a connection to it is open (dialled
     * first if need be); on failure retries until the topic's deadline.
     */
    private void assign(String topic, Wanted w) {
        int attempt = ++w.attempt;
        RedisClusterNode owner = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(topic));
        if (owner == null) {
            retryLater(topic, w);
            return;
        }
        NodeLink open = links.get(owner.getNodeId());
        if (open != null && open.connection.isOpen()) {
            subscribeOn(open, topic, w);
            return;
        }
        w.dialing = true;
        // A dial completes on this thread, right after its link was added: subscribing here, before
        // anything else runs, keeps a reconcile from closing the new link as unused.
        dial(owner).thenAccept(link -> {
            if (wanted.get(topic) != w || w.attempt != attempt) {
                return; // unsubscribed, or assigned again (renew) meanwhile
            }
            w.dialing = false;
            if (link == null) {
                retryLater(topic, w);
            } else {
                subscribeOn(link, topic, w);
            }
        });
    }

    private void subscribeOn(NodeLink link, String topic, Wanted w) {
        w.link = link;
        link.connection.async().ssubscribe(topic).whenComplete((ok, error) -> executor.execute(() -> {
            if (wanted.get(topic) != w || w.link != link) {
                return; // unsubscribed or moved meanwhile
            }
            if (error == null) {
                if (!w.confirmed) {
                    unconfirmed--;
                }
                if (w.everConfirmed && !w.confirmed) {
                    scheduleResubscribedCheck();
                }
                w.confirmed = true;
                w.everConfirmed = true;
                w.waiters.forEach(f -> f.complete(null));
                w.waiters.clear();
            } else {
                log.warn("SSUBSCRIBE {} on {} failed: {}", topic, link.nodeId, error.toString());
                w.link = null;
                cluster.refreshPartitionsAsync();
                retryLater(topic, w);
            }
        }));
    }

    @Override
    public void onResubscribed(Runnable handler) {
        this.resubscribedHandler = handler;
    }

    private void scheduleResubscribedCheck() {
        if (!resubscribedCheckScheduled) {
            resubscribedCheckScheduled = true;
            executor.schedule(() -> {
                resubscribedCheckScheduled = false;
                resubscribedHandler.run();
            }, RESUBSCRIBED_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void retryLater(String topic, Wanted w) {
        if (!w.everConfirmed && System.nanoTime() > w.deadlineNanos) {
            wanted.remove(topic);
            unconfirmed--;
            IllegalStateException failure = new IllegalStateException("no master took the subscription of " + topic);
            w.waiters.forEach(f -> f.completeExceptionally(failure));
            return;
        }
        executor.schedule(() -> {
            if (wanted.get(topic) == w && unassigned(w)) {
                assign(topic, w);
            }
        }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * The master's new pub/sub connection, or null when it could not be opened within the timeout;
     * completed on the link's thread. One dial per master at a time; the thread never waits for it.
     */
    private CompletableFuture<NodeLink> dial(RedisClusterNode owner) {
        String nodeId = owner.getNodeId();
        CompletableFuture<NodeLink> under = dials.get(nodeId);
        if (under != null) {
            return under;
        }
        CompletableFuture<NodeLink> result = new CompletableFuture<>();
        dials.put(nodeId, result);
        RedisURI address = owner.getUri();
        RedisURI uri = RedisURI.builder(seed).withHost(address.getHost()).withPort(address.getPort())
                .withTimeout(timeout).build();
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> opened = new CompletableFuture<>();
        nodeClient.connectPubSubAsync(StringCodec.UTF8, uri).whenComplete((connection, error) -> {
            if (error != null) {
                opened.completeExceptionally(error);
            } else if (!opened.complete(connection)) {
                connection.closeAsync(); // came after the dial was given up
            }
        });
        opened.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((connection, error) -> {
            try {
                executor.execute(() -> dialed(nodeId, address, result, connection, error));
            } catch (RejectedExecutionException e) { // closed meanwhile
                if (connection != null) {
                    connection.closeAsync();
                }
            }
        });
        return result;
    }

    /**
     * On the link's thread: the dial of {@code nodeId} ended with {@code connection} or
     * {@code error}. Completes {@code result} here, so the topics waiting for it subscribe at once.
     */
    private void dialed(String nodeId, RedisURI address, CompletableFuture<NodeLink> result,
                        StatefulRedisPubSubConnection<String, String> connection, Throwable error) {
        boolean current = dials.remove(nodeId, result); // not after renew() or close()
        if (error != null || !current || closed) {
            if (connection != null) {
                connection.closeAsync();
            }
            if (error != null) {
                log.debug("Cannot open a pub/sub connection to cluster node {}: {}", address,
                        error.getCause() != null ? error.getCause().toString() : error.toString());
                cluster.refreshPartitionsAsync();
            }
            result.complete(null);
            return;
        }
        NodeLink created = new NodeLink(nodeId, connection);
        connection.addListener(listener);
        connection.addListener(created);
        links.put(nodeId, created);
        result.complete(created);
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("Following the cluster topology failed (retried): {}", e.toString());
        }
    }

    /** Moves every topic whose master changed or whose connection dropped; closes links no topic uses. */
    private void reconcile() {
        if (closed) {
            return;
        }
        boolean dropped = false;
        for (NodeLink link : links.values()) {
            dropped |= !link.connection.isOpen();
        }
        if (dropped) {
            cluster.refreshPartitionsAsync(); // the next round sees the promoted replica, if any yet
        }
        Set<String> now = currentMasters();
        if (!now.equals(masters)) {
            // A master that was not one before: a replica took over (or a shard was added). Its data
            // may lack the last writes of the old master (asynchronous replication).
            if (!masters.isEmpty() && !masters.containsAll(now)) {
                failovers.incrementAndGet();
                log.warn("Redis Cluster masters changed from {} to {}: re-homing subscriptions", masters, now);
                onMastersChanged.run();
            }
            masters = now;
        }
        Partitions partitions = cluster.getPartitions();
        for (Map.Entry<String, Wanted> entry : wanted.entrySet()) {
            Wanted w = entry.getValue();
            if (w.link == null) {
                continue; // waiting for a dial or a retry
            }
            RedisClusterNode owner = partitions.getMasterBySlot(SlotHash.getSlot(entry.getKey()));
            boolean moved = owner != null && !owner.getNodeId().equals(w.link.nodeId);
            if (moved || !w.link.connection.isOpen()) {
                NodeLink old = w.link;
                log.info("Topic {} {}: re-subscribing on {}", entry.getKey(), moved ? "moved from " + old.nodeId
                        : "lost its connection to " + old.nodeId, owner == null ? "its slot's master" : owner.getNodeId());
                w.link = null;
                if (w.confirmed) {
                    w.confirmed = false;
                    unconfirmed++;
                }
                if (old.connection.isOpen()) {
                    old.connection.async().sunsubscribe(entry.getKey());
                }
                resubscriptions.incrementAndGet();
                assign(entry.getKey(), w);
            }
        }
        closeUnused();
    }

    private void closeUnused() {
        Set<NodeLink> used = new java.util.HashSet<>();
        wanted.values().forEach(w -> {
            if (w.link != null) {
                used.add(w.link);
            }
        });
        for (Iterator<NodeLink> it = links.values().iterator(); it.hasNext(); ) {
            NodeLink link = it.next();
            if (!used.contains(link)) {
                it.remove();
                link.connection.closeAsync();
            }
        }
    }

    private Set<String> currentMasters() {
        Set<String> ids = new TreeSet<>();
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.getRole().isUpstream() && !node.getSlots().isEmpty()
                    && !node.is(RedisClusterNode.NodeFlag.FAIL)) {
                ids.add(node.getNodeId());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            links.values().forEach(l -> l.connection.close());
            links.clear();
        }, executor);
        try {
            done.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Closing the shard links: {}", e.toString());
        }
        executor.shutdownNow();
        nodeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
