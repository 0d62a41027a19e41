package com.aegisx.ws.server.testing;

import com.aegisx.ws.client.AsyncWsPublisher;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A steady stream of numbered broadcasts ({@code {"type":"tick","seq":n}}) to one channel, one
 * every {@code periodMillis}, recording what Redis answered for each: how many nodes received it,
 * or that the publish failed. Failover tests compare that with what the sockets got: a message
 * Redis acknowledged to N nodes must reach those nodes' subscribers; the gap shows as publishes
 * that failed or reached no node (the publisher is told), never as silent loss.
 */
public final class SteadyTraffic implements AutoCloseable {

    private final AsyncWsPublisher publisher;
    private final String channel;
    private final long periodNanos;
    private final AtomicLong next = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** seq -> receivers (nodes), or -1 when the publish failed. */
    private final ConcurrentSkipListMap<Long, Long> outcomes = new ConcurrentSkipListMap<>();
    private final Thread thread;

    public SteadyTraffic(AsyncWsPublisher publisher, String channel, long periodMillis) {
        this.publisher = publisher;
        this.channel = channel;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.thread = new Thread(this::run, "steady-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running.get()) {
            long seq = next.getAndIncrement();
            try {
                publisher.broadcast(channel, Map.of("type", "tick", "seq", seq))
                        .orTimeout(10, TimeUnit.SECONDS)
                        .whenComplete((receivers, error) -> outcomes.put(seq, error == null ? receivers : -1L));
            } catch (RuntimeException e) {
                outcomes.put(seq, -1L);
            }
            LockSupport.parkNanos(periodNanos); // a publishing cadence, not a wait for a condition
        }
    }

    /** The next sequence number to be published. */
    public long nextSeq() {
        return next.get();
    }

    /** Seqs Redis acknowledged to at least {@code nodes} nodes. */
    public Set<Long> acknowledgedTo(long nodes) {
        return outcomes.entrySet().stream().filter(e -> e.getValue() >= nodes).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    public long failed() {
        return outcomes.values().stream().filter(v -> v < 0).count();
    }

    public long reachedNoNode() {
        return outcomes.values().stream().filter(v -> v == 0).count();
    }

    public int published() {
        return outcomes.size();
    }

    /** The seqs of the ticks a socket received, in arrival order. */
    public static List<Long> ticks(TestClient client) {
        return client.received().stream().filter(m -> "tick".equals(m.path("type").asText()))
                .map(m -> m.path("seq").asLong()).collect(Collectors.toList());
    }

    /**
     * Samples {@code probe} every 20 ms on a daemon thread until the returned flag is set; the
     * returned counter holds how many samples were false (e.g. /ready during a failover gap).
     */
    public static java.util.concurrent.atomic.AtomicLong countFalse(java.util.function.BooleanSupplier probe,
                                                                    AtomicBoolean stop) {
        java.util.concurrent.atomic.AtomicLong falses = new java.util.concurrent.atomic.AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                if (!probe.getAsBoolean()) {
                    falses.incrementAndGet();
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a sampling cadence
            }
        }, "ready-sampler");
        sampler.setDaemon(true);
        sampler.start();
        return falses;
    }

    /** Waits until each socket got more than {@code count} ticks (traffic is flowing). */
    public static void awaitTicks(int count, TestClient... sockets) {
        org.awaitility.Awaitility.await("traffic flowing").atMost(java.time.Duration.ofSeconds(60)).until(() ->
                java.util.Arrays.stream(sockets).allMatch(s -> ticks(s).size() > count));
    }

    /**
     * After a disruption: waits until every socket receives ticks published 20 after
     * {@code fromSeq} (delivery resumed), stops the traffic, checks that every tick Redis
     * acknowledged to all the sockets' nodes reached every socket (nothing lost silently), and
     * returns the account of the gap for the test log.
     */
    public String awaitResumedAndComplete(long fromSeq, TestClient... sockets) {
        org.awaitility.Awaitility.await("delivery resumes").atMost(java.time.Duration.ofSeconds(60)).until(() ->
                java.util.Arrays.stream(sockets).allMatch(s -> ticks(s).stream().anyMatch(seq -> seq > fromSeq + 20)));
        close();
        Set<Long> acknowledged = acknowledgedTo(sockets.length);
        org.awaitility.Awaitility.await("acknowledged ticks delivered").atMost(java.time.Duration.ofSeconds(10)).until(() ->
                java.util.Arrays.stream(sockets).allMatch(s -> ticks(s).containsAll(acknowledged)));
        StringBuilder account = new StringBuilder();
        for (int i = 0; i < sockets.length; i++) {
            account.append(i == 0 ? "" : "; ").append("socket ").append(i).append(": ").append(summary(ticks(sockets[i])));
        }
        return account.toString();
    }

    /** A one-line account for the test log: what the gap cost. */
    public String summary(List<Long> received) {
        Set<Long> got = new TreeSet<>(received);
        long missing = outcomes.keySet().stream().filter(seq -> !got.contains(seq)).count();
        return "sent " + next.get() + ", answered " + published() + ", failed " + failed() + ", reached no node " + reachedNoNode()
                + ", not received by this socket " + missing;
    }

    /** Stops publishing and waits for Redis's answers (idempotent). */
    @Override
    public void close() {
        if (!running.getAndSet(false)) {
            return;
        }
        try {
            thread.join(5000);
            // Publishes still waiting for Redis end within their timeout: count them too.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (outcomes.size() < next.get() && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling futures owned by the publisher, no condition to wait on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
