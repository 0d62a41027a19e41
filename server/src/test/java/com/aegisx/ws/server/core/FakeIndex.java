package com.aegisx.ws.server.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A {@link ConnectionIndex} for unit tests: records each call; writes succeed unless told to fail. */
public class FakeIndex implements ConnectionIndex {

    private final List<String> calls = new ArrayList<>();
    private volatile boolean failing;

    private synchronized CompletableFuture<Void> record(String call) {
        calls.add(call);
        return failing ? CompletableFuture.failedFuture(new IllegalStateException("index down"))
                : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> register(LocalConnection connection) {
        return record("register " + connection.id() + " " + connection.channels().stream().sorted().toList());
    }

    @Override
    public CompletableFuture<Void> addChannel(String connectionId, String channel) {
        return record("add " + connectionId + " " + channel);
    }

    @Override
    public CompletableFuture<Void> removeChannel(String connectionId, String channel) {
        return record("remove " + connectionId + " " + channel);
    }

    @Override
    public CompletableFuture<Boolean> remove(LocalConnection connection, Collection<String> channels, int code,
                                             String reason) {
        CompletableFuture<Boolean> removed = record("removeConnection " + connection.id()).thenApply(ignored -> true);
        CompletableFuture<Void> gate = removalGate;
        return gate == null ? removed : gate.thenCompose(ignored -> removed);
    }

    /** From now on a removal completes only once {@link #releaseRemovals()} is called (a slow Redis). */
    public void holdRemovals() {
        removalGate = new CompletableFuture<>();
    }

    public void releaseRemovals() {
        removalGate.complete(null);
    }

    @Override
    public CompletableFuture<Void> flushActivity(Collection<LocalConnection> active) {
        return record("activity " + active.size());
    }

    private volatile CompletableFuture<Void> removalGate;

    public void failing(boolean fail) {
        failing = fail;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
