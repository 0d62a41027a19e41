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

    @Override
    public synchronized CompletableFuture<Void> subscribe(String topic) {
        calls.add("subscribe " + topic);
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

    public void failSubscribes(boolean fail) {
        failSubscribes = fail;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
