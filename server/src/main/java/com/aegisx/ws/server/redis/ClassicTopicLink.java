package com.aegisx.ws.server.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Classic pub/sub over one connection (standalone Redis, or the master Sentinel names). Lettuce
 * reconnects it by itself, to the new master after a Sentinel failover, and re-issues every
 * SUBSCRIBE; {@link #reconnected()} counts those.
 *
 * <p>Only the current connection delivers. {@link #renew} subscribes a fresh connection before it
 * closes the old one; if the old one was not dead after all (a probe that timed out behind a
 * backlog), both would hand over every message published until the old one is closed, and a
 * plain channel, which has no offsets to drop repeats by, would deliver those twice. So from the
 * moment of the swap the old connection's messages are dropped and counted: at most once holds;
 * what only a live old connection would have delivered in the swap is lost, as at most once allows.
 *
 * <p>{@link #renew} never waits for Redis: it dials the replacement asynchronously (at most the
 * command timeout) and swaps once it is open, so the thread that asked (the node's scheduler, which
 * also runs pings and liveness) goes on at once, even while Redis accepts and does not answer.
 * Subscribes and unsubscribes asked while the dial is under way wait for it, in the order asked, and
 * go to the new connection with the renewed topics (to the old one, if the dial failed): no
 * subscription is lost to the swap, none revived after its unsubscribe.
 */
public final class ClassicTopicLink implements TopicLink {

    /** Topics per SUBSCRIBE when a whole connection is subscribed again. */
    static final int RESUBSCRIBE_BATCH = 500;

    private final Supplier<? extends CompletionStage<StatefulRedisPubSubConnection<String, String>>> opener;
    private final RedisPubSubListener<String, String> listener;
    private final long dialTimeoutMillis;
    /** Replaced by {@link #renew}; written under {@link #lock}. */
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    /**
     * Guards the swap and {@link #waiting}: a command is issued on the connection that is current
     * when it is asked, so none goes to a connection after it was replaced.
     */
    private final Object lock = new Object();
    /** While a replacement is dialled: topic -> its subscribe (to confirm) or null (an unsubscribe), last asked wins. */
    private Map<String, CompletableFuture<Void>> waiting;
    /** The renewal under way (a second request joins it), or null. */
    private CompletableFuture<Void> renewing;
    private boolean closed;
    private final AtomicLong resubscriptions = new AtomicLong();
    private final AtomicLong droppedFromReplaced = new AtomicLong();

    /**
     * {@code first}: the connection to start with; {@code opener}: opens a replacement without
     * blocking (Lettuce's {@code connectPubSubAsync}), given up after {@code dialTimeout}.
     */
    public ClassicTopicLink(StatefulRedisPubSubConnection<String, String> first,
                            Supplier<? extends CompletionStage<StatefulRedisPubSubConnection<String, String>>> opener,
                            RedisPubSubListener<String, String> listener, Duration dialTimeout) {
        this.opener = opener;
        this.listener = listener;
        this.dialTimeoutMillis = dialTimeout.toMillis();
        this.connection = first;
        first.addListener(onlyWhileCurrent(first));
    }

    /** Forwards the messages of {@code own} only while it is the current connection. */
    private RedisPubSubListener<String, String> onlyWhileCurrent(StatefulRedisPubSubConnection<String, String> own) {
        return new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (connection == own) {
                    listener.message(channel, message);
                } else {
                    droppedFromReplaced.incrementAndGet();
                }
            }
        };
    }

    /** Messages a replaced connection still delivered after the swap, dropped (not delivered twice). */
    @Override
    public long droppedFromReplaced() {
        return droppedFromReplaced.get();
    }

    /** The current connection (to recognise its reconnects). */
    public StatefulRedisPubSubConnection<String, String> connection() {
        return connection;
    }

    /**
     * Dials a new connection and, once it is open, makes it the current one and subscribes it to
     * {@code topics} (and to what was subscribed meanwhile); the old one is closed once Redis
     * confirmed them all. Returns at once.
     */
    @Override
    public CompletableFuture<Void> renew(Collection<String> topics) {
        CompletableFuture<Void> renewed;
        synchronized (lock) {
            if (renewing != null) {
                return renewing;
            }
            renewed = new CompletableFuture<>();
            renewing = renewed;
            waiting = new LinkedHashMap<>();
        }
        List<String> wanted = List.copyOf(topics);
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> opened = new CompletableFuture<>();
        try {
            opener.get().whenComplete((fresh, error) -> {
                if (error != null) {
                    opened.completeExceptionally(error);
                } else if (!opened.complete(fresh)) {
                    fresh.closeAsync(); // came after the dial was given up
                }
            });
        } catch (RuntimeException e) {
            opened.completeExceptionally(e);
        }
        opened.orTimeout(dialTimeoutMillis, TimeUnit.MILLISECONDS)
                .whenComplete((fresh, error) -> dialed(fresh, error, wanted, renewed));
        return renewed;
    }

    /** The dial ended: swap to {@code fresh} and subscribe it, or stay on the old connection. */
    private void dialed(StatefulRedisPubSubConnection<String, String> fresh, Throwable error, List<String> wanted,
                        CompletableFuture<Void> renewed) {
        StatefulRedisPubSubConnection<String, String> old;
        CompletableFuture<Void> confirmed;
        synchronized (lock) {
            Map<String, CompletableFuture<Void>> asked = waiting;
            waiting = null;
            renewing = null;
            if (error != null || closed) {
                if (fresh != null) {
                    fresh.closeAsync();
                }
                asked.forEach(this::issue); // what was asked meanwhile goes to the connection kept
                renewed.completeExceptionally(error != null ? error : new IllegalStateException("link closed"));
                return;
            }
            fresh.addListener(onlyWhileCurrent(fresh));
            old = connection;
            connection = fresh; // from here on the old connection's messages are dropped
            Set<String> all = new LinkedHashSet<>(wanted);
            asked.forEach((topic, subscribe) -> {
                if (subscribe == null) {
                    all.remove(topic);
                } else {
                    all.add(topic);
                }
            });
            List<String> topics = List.copyOf(all);
            List<CompletableFuture<?>> batches = new ArrayList<>();
            for (int from = 0; from < topics.size(); from += RESUBSCRIBE_BATCH) {
                String[] batch = topics.subList(from, Math.min(topics.size(), from + RESUBSCRIBE_BATCH))
                        .toArray(String[]::new);
                batches.add(fresh.async().subscribe(batch).toCompletableFuture());
            }
            resubscriptions.addAndGet(topics.size());
            confirmed = CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new));
            asked.forEach((topic, subscribe) -> {
                if (subscribe != null) {
                    confirmed.whenComplete((ok, failure) -> settle(subscribe, failure));
                }
            });
        }
        confirmed.whenComplete((ok, failure) -> {
            old.closeAsync();
            settle(renewed, failure);
        });
    }

    /** Under {@link #lock}: issues what was asked during a dial that failed, on the current connection. */
    private void issue(String topic, CompletableFuture<Void> subscribe) {
        if (subscribe == null) {
            connection.async().unsubscribe(topic);
        } else {
            connection.async().subscribe(topic).whenComplete((ok, failure) -> settle(subscribe, failure));
        }
    }

    private static void settle(CompletableFuture<Void> future, Throwable failure) {
        if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            future.complete(null);
        }
    }

    @Override
    public CompletableFuture<Void> ping() {
        return connection.async().ping().toCompletableFuture().thenApply(pong -> null);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        synchronized (lock) {
            if (waiting != null) {
                CompletableFuture<Void> confirmed = new CompletableFuture<>();
                CompletableFuture<Void> before = waiting.remove(topic); // re-inserted last: the order asked
                waiting.put(topic, confirmed);
                if (before != null) {
                    confirmed.whenComplete((ok, failure) -> settle(before, failure));
                }
                return confirmed;
            }
            return connection.async().subscribe(topic).toCompletableFuture();
        }
    }

    @Override
    public void unsubscribe(String topic) {
        synchronized (lock) {
            if (waiting != null) {
                CompletableFuture<Void> before = waiting.remove(topic);
                waiting.put(topic, null);
                if (before != null) {
                    before.complete(null); // unsubscribed again before Redis was asked: nothing to confirm
                }
                return;
            }
            connection.async().unsubscribe(topic);
        }
    }

    @Override
    public boolean isConnected() {
        return connection.isOpen();
    }

    /** Called when the connection came back: Lettuce re-subscribes {@code topics} topics. */
    void reconnected(int topics) {
        resubscriptions.addAndGet(topics);
    }

    @Override
    public long resubscriptions() {
        return resubscriptions.get();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true; // a dial under way closes what it opens
        }
        connection.close();
    }
}
