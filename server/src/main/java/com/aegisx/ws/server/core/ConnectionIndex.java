package com.aegisx.ws.server.core;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Port: the cluster-wide record of this node's sockets ({@code redis/RedisConnectionIndex}): the
 * connection hash and its place in the node, user, address and channel indexes that other nodes,
 * the manager and the publisher client read. With lifecycle events on, the adapter writes each event
 * in the same atomic step as the index change it reports. Every method completes once all its
 * writes are applied, on the adapter's callback executor.
 */
public interface ConnectionIndex {

    /** Writes the connection and every index entry it has, its current channels included (idempotent). */
    CompletableFuture<Void> register(LocalConnection connection);

    CompletableFuture<Void> addChannel(String connectionId, String channel);

    CompletableFuture<Void> removeChannel(String connectionId, String channel);

    /**
     * Removes the connection and its index entries ({@code channels}: those it had at close), with
     * the close code and reason for the lifecycle event. Completes with true when this call removed
     * the connection's record, false when someone else (a sweeper) already had: only the remover
     * reports the disconnection.
     */
    CompletableFuture<Boolean> remove(LocalConnection connection, Collection<String> channels, int code, String reason);

    /** Publishes lastActivity of sockets active since the previous flush, without re-creating removed ones. */
    CompletableFuture<Void> flushActivity(Collection<LocalConnection> active);
}
