package com.aegisx.ws.server.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Broker} for unit tests: records what it is asked; subscriptions confirm at once unless
 * the test made them fail or hold.
 */
public class FakeBroker implements Broker {

    private final List<String> calls = new ArrayList<>();
    private final List<String> published = new ArrayList<>();
    private volatile boolean failSubscribes;
    private volatile boolean holdSubscribes;
    private final List<CompletableFuture<Void>> held = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Void> subscribe(String topic) {
        calls.add("subscribe " + topic);
        if (holdSubscribes) {
            CompletableFuture<Void> confirmation = new CompletableFuture<>();
            held.add(confirmation);
            return confirmation;
        }
        return failSubscribes ? CompletableFuture.failedFuture(new IllegalStateException("broker down"))
                : CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> unsubscribe(String topic) {
        calls.add("unsubscribe " + topic);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Long> publish(String topic, String payload) {
        published.add(topic + " " + payload);
        return CompletableFuture.completedFuture(1L);
    }

    /** From now on subscriptions wait for {@link #confirmHeld()}, as a slow broker's would. */
    public void holdSubscribes(boolean hold) {
        holdSubscribes = hold;
    }

    /** Confirms every held subscription, oldest first. */
    public void confirmHeld() {
        List<CompletableFuture<Void>> due;
        synchronized (this) {
            due = List.copyOf(held);
            held.clear();
        }
        due.forEach(confirmation -> confirmation.complete(null));
    }

    public void failSubscribes(boolean fail) {
        failSubscribes = fail;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
