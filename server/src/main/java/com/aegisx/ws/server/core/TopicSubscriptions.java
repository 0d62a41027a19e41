package com.aegisx.ws.server.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The membership table: which local sockets listen on which broker topic, with reference-counted
 * {@link Broker} subscriptions: the node listens on a topic only while at least
 * one local socket needs it, so it receives no traffic for channels nobody here listens to (unlike
 * one pattern subscription for everything, the scaling wall of the Socket.IO Redis adapter).
 *
 * <p>{@link #join} completes once Redis has confirmed the SUBSCRIBE, which is what lets a node say
 * {@code subscribed} only when nothing published afterwards can be missed. SUBSCRIBE and
 * UNSUBSCRIBE for a topic are issued inside the map's per-key lock, so they reach Redis in the
 * order of the membership changes.
 */
public final class TopicSubscriptions {

    /**
     * A topic and its local members. Changed only inside the map's per-key lock; read by the
     * dispatch workers through the volatile field.
     *
     * <p>Most topics of a node are user topics with a single member (one socket of that user here),
     * so a lone member is held as it is, and a set is created for the second one: a concurrent set
     * per user topic cost ~200 bytes per idle socket (load-tests/README.md, idle).
     */
    private static final class Topic {
        /** null, one {@link LocalConnection}, or {@link Members} (kept once created). */
        private volatile Object members;
        CompletableFuture<Void> confirmed;

        void add(LocalConnection connection) {
            Object current = members;
            if (current == null) {
                members = connection;
            } else if (current instanceof LocalConnection single) {
                if (single != connection) {
                    Members set = new Members();
                    set.add(single);
                    set.add(connection);
                    members = set;
                }
            } else {
                ((Members) current).add(connection);
            }
        }

        /** Whether no member is left. */
        boolean remove(LocalConnection connection) {
            Object current = members;
            if (current == connection) {
                members = null;
            } else if (current instanceof Members set) {
                set.remove(connection);
                return set.isEmpty();
            }
            return members == null;
        }

        Collection<LocalConnection> view() {
            Object current = members;
            if (current == null) {
                return List.of();
            }
            return current instanceof LocalConnection single ? List.of(single) : ((Members) current).snapshot();
        }
    }

    /**
     * The members of a topic with more than one, and an array of them for the fan-out: a message
     * walks an array instead of a concurrent set (whose iteration was ~10% of a broadcast's user
     * CPU in a profile). The array is rebuilt on the first message after a change; a change made
     * while it is rebuilt bumps the version, so that array is never taken for current.
     */
    private static final class Members {
        private final Set<LocalConnection> set = ConcurrentHashMap.newKeySet();
        /** Bumped by every change (changes run inside the topic map's per-key lock). */
        private volatile int version;
        private volatile Snapshot snapshot;

        private record Snapshot(int version, List<LocalConnection> members) {
        }

        void add(LocalConnection connection) {
            if (set.add(connection)) {
                version++;
            }
        }

        void remove(LocalConnection connection) {
            if (set.remove(connection)) {
                version++;
            }
        }

        boolean isEmpty() {
            return set.isEmpty();
        }

        List<LocalConnection> snapshot() {
            int current = version;
            Snapshot last = snapshot;
            if (last != null && last.version == current) {
                return last.members;
            }
            List<LocalConnection> members = Arrays.asList(set.toArray(new LocalConnection[0]));
            snapshot = new Snapshot(current, members);
            return members;
        }
    }

    private final Broker broker;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    /** Told of each topic the node starts listening to (anew); null: nobody. */
    private volatile Consumer<String> listening;

    public TopicSubscriptions(Broker broker) {
        this.broker = broker;
    }

    /**
     * {@code listener} is told (inside the topic's lock, so it must be quick) whenever the node
     * starts listening to a topic it did not listen to: whatever was known of the topic's messages
     * from an earlier subscription is stale, since the node heard nothing of it in between.
     */
    public void onListening(Consumer<String> listener) {
        this.listening = listener;
    }

    public CompletableFuture<Void> join(String topic, LocalConnection connection) {
        Topic joined = topics.compute(topic, (name, existing) -> {
            Consumer<String> listener = listening;
            if (existing == null && listener != null) {
                listener.accept(name);
            }
            Topic t = existing != null ? existing : new Topic();
            if (t.confirmed == null || t.confirmed.isCompletedExceptionally()) {
                t.confirmed = broker.subscribe(name);
            }
            t.add(connection);
            return t;
        });
        return joined.confirmed;
    }

    public void leave(String topic, LocalConnection connection) {
        topics.computeIfPresent(topic, (name, t) -> {
            if (t.remove(connection)) {
                broker.unsubscribe(name);
                return null;
            }
            return t;
        });
    }

    /** The local sockets listening on a topic (weakly consistent with changes made meanwhile), empty if none. */
    public Collection<LocalConnection> members(String topic) {
        Topic t = topics.get(topic);
        return t == null ? List.of() : t.view();
    }

    /**
     * Reads what a delivery to a topic with one local member touches (the map entry, the
     * connection, its outbound state) and returns a value derived from it, so that a batch of
     * deliveries finds it in the CPU caches: the caller looks up a batch of topics in one pass, where
     * their cache misses overlap, before it delivers them one by one. A topic with several members
     * (a channel) is left alone.
     */
    public long warm(String topic) {
        Topic t = topics.get(topic);
        if (t == null) {
            return 0;
        }
        return t.members instanceof LocalConnection single && !single.isBuffering() ? single.outbound().queuedBytes() : 0;
    }

    public boolean isSubscribed(String topic) {
        return topics.containsKey(topic);
    }

    public int topicCount() {
        return topics.size();
    }

    public Set<String> topics() {
        return Set.copyOf(topics.keySet());
    }
}
