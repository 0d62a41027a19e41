package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.DeadNodeSweeper;
import com.aegisx.ws.client.NodeDeadlines;
import com.aegisx.ws.client.NodeTraits;
import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.Timestamps;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's entry in the cluster: its hash, and its heartbeat deadline in the {@code nodes}
 * zset. A heartbeat that finds the entry missing (the node was swept while cut off, or Redis lost
 * its data) asks the node to register everything again.
 */
public final class NodeRegistry {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final String nodeId;
    private final Duration heartbeatTimeout;
    private final String host;
    private final IntSupplier port;
    private final String version;
    private final String startedAt = Timestamps.now();
    private final NodeTraits traits;
    private final DeadNodeSweeper sweeper;
    private volatile long lastHeartbeatOkMillis;
    private volatile boolean healthy;

    /**
     * @param traits what this node has enabled, kept in its hash for whoever sweeps it after its death
     * @param publishMode how a sweep of a dead node publishes presence leaves
     */
    public NodeRegistry(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, String nodeId,
                        Duration heartbeatTimeout, String host, IntSupplier port, String version, NodeTraits traits,
                        PublishMode publishMode) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = nodeId;
        this.heartbeatTimeout = heartbeatTimeout;
        this.host = host;
        this.port = port;
        this.version = version;
        this.traits = traits;
        this.sweeper = new DeadNodeSweeper(redis, keys, publishMode);
    }

    /** How long the channels of a swept node's connections stay resumable (RESUME_TOKEN_TTL). */
    public void resumeTtl(java.time.Duration ttl) {
        sweeper.resumeTtl(ttl);
    }

    /**
     * Writes the node hash and pushes the deadline forward. Completes with true when the node was
     * missing from the registry, i.e. when its connections must be registered again.
     */
    public CompletableFuture<Boolean> heartbeat() {
        // The deadline is Redis' now plus the timeout: every reader compares it with Redis' clock too,
        // so hosts whose clocks disagree never take a live node for dead (NodeDeadlines).
        CompletableFuture<Boolean> added = NodeDeadlines.push(redis, keys, nodeId, heartbeatTimeout);
        Map<String, String> description = new HashMap<>(traits.toHash());
        description.putAll(Map.of("host", host, "port", String.valueOf(port.getAsInt()),
                "startedAt", startedAt, "version", version));
        CompletableFuture<Long> hash = redis.hset(keys.node(nodeId), description).toCompletableFuture();
        return added.thenCombine(hash, (wasMissing, ignored) -> wasMissing)
                .whenComplete((wasMissing, error) -> {
                    if (error == null) {
                        lastHeartbeatOkMillis = System.currentTimeMillis();
                        if (!healthy) {
                            log.info("Node {} registered in Redis", nodeId);
                        }
                        healthy = true;
                    } else if (healthy) {
                        healthy = false;
                        log.warn("Heartbeat to Redis failed: {}", error.toString());
                    }
                });
    }

    /** True while the last heartbeat succeeded and its deadline has not passed. */
    public boolean isRegistered() {
        return healthy && System.currentTimeMillis() - lastHeartbeatOkMillis < heartbeatTimeout.toMillis();
    }

    /** Sweeps dead nodes (with their sockets' events and presence leaves), then writes due user_offline events. */
    public CompletableFuture<List<String>> sweepDeadNodes() {
        return sweeper.sweep(nodeId).whenComplete((swept, error) -> {
            if (swept != null && !swept.isEmpty()) {
                log.info("Swept the state of dead nodes {}", swept);
            }
        });
    }

    /** Writes the user_offline events that are due, whoever's they are (see {@code OfflineSweep}). */
    public CompletableFuture<Integer> writeDueOfflines() {
        return sweeper.writeDueOfflines(nodeId);
    }

    /** Removes this node's own entries; its connections must have been removed before. */
    public CompletableFuture<Void> deregister() {
        healthy = false;
        return CompletableFuture.allOf(
                redis.zrem(keys.nodes(), nodeId).toCompletableFuture(),
                redis.del(keys.node(nodeId), keys.nodeConnections(nodeId)).toCompletableFuture());
    }
}
