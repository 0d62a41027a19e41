package com.aegisx.ws.server.core;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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
        /** null, one {@link LocalConnection}, or a concurrent {@code Set<LocalConnection>} (kept once created). */
        private volatile Object members;
        CompletableFuture<Void> confirmed;

        @SuppressWarnings("unchecked")
        void add(LocalConnection connection) {
            Object current = members;
            if (current == null) {
                members = connection;
            } else if (current instanceof LocalConnection single) {
                if (single != connection) {
                    Set<LocalConnection> set = ConcurrentHashMap.newKeySet();
                    set.add(single);
                    set.add(connection);
                    members = set;
                }
            } else {
                ((Set<LocalConnection>) current).add(connection);
            }
        }

        /** Whether no member is left. */
        @SuppressWarnings("unchecked")
        boolean remove(LocalConnection connection) {
            Object current = members;
            if (current == connection) {
                members = null;
            } else if (current instanceof Set<?> set) {
                ((Set<LocalConnection>) set).remove(connection);
                return set.isEmpty();
            }
            return members == null;
        }

        @SuppressWarnings("unchecked")
        Collection<LocalConnection> view() {
            Object current = members;
            if (current == null) {
                return List.of();
            }
            return current instanceof LocalConnection single ? List.of(single) : (Set<LocalConnection>) current;
        }
    }

    private final Broker broker;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();

    public TopicSubscriptions(Broker broker) {
        this.broker = broker;
    }

    public CompletableFuture<Void> join(String topic, LocalConnection connection) {
        Topic joined = topics.compute(topic, (name, existing) -> {
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

    /** The local sockets listening on a topic (a live, weakly consistent view), empty if none. */
    public Collection<LocalConnection> members(String topic) {
        Topic t = topics.get(topic);
        return t == null ? List.of() : t.view();
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
