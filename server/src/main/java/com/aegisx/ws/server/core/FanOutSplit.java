package com.aegisx.ws.server.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which topics have their fan-out split across the dispatch workers, and into which parts.
 *
 * <p>One worker writing a message to a channel's thousands of local sockets leaves the other cores
 * idle while the last socket waits for all the others (about 7 µs of CPU each on this machine).
 * A topic with at least {@code minMembers} local members is therefore delivered in parts, one per
 * worker, which write in parallel. A socket always falls in the same part (by its id), and each
 * worker runs its queue in order, so every socket still gets the topic's messages in order.
 *
 * <p>A topic goes back to one thread only when it has shrunk below half the threshold (so one
 * member more or less does not switch it each time) and none of its parts is still queued: a
 * message written whole on one thread must not overtake a part of an earlier one still waiting on
 * another worker. {@link Split#queued} says so; a topic's deliveries are made by one thread at a
 * time (its dispatch worker, or the history gap filler under the topic's lock), so only the
 * workers change it concurrently, and only downwards.
 *
 * <p>The keep-alive's {@link #retain} drops the split of a topic the node no longer listens to from
 * another thread. It does so only while holding the split, as the delivering thread does from the
 * look-up until its parts are queued: otherwise it could drop a split that looks idle because a
 * message's parts are being cut but not queued yet, and the next message, written whole, would
 * overtake them. A thread that finds the split it looked up dropped looks again.
 */
final class FanOutSplit {

    /** A topic delivered in parts. */
    static final class Split {
        /** Per worker, parts handed to it and not yet written. */
        final AtomicIntegerArray queued;
        /** Dropped from the topics (under this split's monitor): look again. */
        private boolean dropped;
        /** The members list the parts were cut from (a new list after every membership change). */
        private Collection<LocalConnection> source;
        private List<List<LocalConnection>> parts;

        Split(int workers) {
            queued = new AtomicIntegerArray(workers);
        }

        List<List<LocalConnection>> parts() {
            return parts;
        }

        /** Whether no part waits on any worker. */
        boolean idle() {
            for (int i = 0; i < queued.length(); i++) {
                if (queued.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private final DispatchWorkers workers;
    private final int minMembers;
    private final ConcurrentHashMap<String, Split> splits = new ConcurrentHashMap<>();

    /** {@code minMembers}: 0 never splits. */
    FanOutSplit(DispatchWorkers workers, int minMembers) {
        this.workers = workers;
        this.minMembers = minMembers;
    }

    DispatchWorkers workers() {
        return workers;
    }

    /**
     * Cuts {@code topic}'s fan-out into parts, one per worker (some may be empty), and has
     * {@code queue} hand them out while the split is held, so {@link #retain} cannot drop it in
     * between; returns what {@code queue} returned (the part the calling thread writes itself).
     * Returns null without calling {@code queue} when the topic is written whole on the calling
     * thread. Called by the thread delivering the topic.
     */
    List<LocalConnection> queueParts(String topic, Collection<LocalConnection> members,
                                     Function<Split, List<LocalConnection>> queue) {
        while (true) {
            Split split = splits.get(topic);
            if (split == null) {
                if (minMembers == 0 || workers.count() < 2 || members.size() < minMembers) {
                    return null;
                }
                Split fresh = new Split(workers.count());
                Split earlier = splits.putIfAbsent(topic, fresh);
                split = earlier == null ? fresh : earlier;
            }
            synchronized (split) {
                if (split.dropped) {
                    continue;
                }
                if (members.size() < minMembers / 2 && split.idle()) {
                    drop(topic, split);
                    return null;
                }
                if (split.source != members) {
                    split.parts = partition(members, workers.count());
                    split.source = members;
                }
                return queue.apply(split);
            }
        }
    }

    /** Forgets topics the node no longer listens to, once nothing of theirs is queued (called now and then). */
    void retain(Predicate<String> subscribed) {
        splits.forEach((topic, split) -> {
            if (!subscribed.test(topic)) {
                synchronized (split) {
                    if (!split.dropped && split.idle()) {
                        drop(topic, split);
                    }
                }
            }
        });
    }

    /** Under the split's monitor. */
    private void drop(String topic, Split split) {
        split.dropped = true;
        splits.remove(topic, split);
    }

    /** Topics delivered in parts now (tests, gauges). */
    int splitTopics() {
        return splits.size();
    }

    /** The part a socket always falls in. */
    static int partOf(LocalConnection connection, int parts) {
        return Math.floorMod(connection.id().hashCode(), parts);
    }

    private static List<List<LocalConnection>> partition(Collection<LocalConnection> members, int count) {
        List<List<LocalConnection>> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parts.add(new ArrayList<>(members.size() / count + 16));
        }
        for (LocalConnection member : members) {
            parts.get(partOf(member, count)).add(member);
        }
        return parts.stream().map(List::copyOf).toList();
    }
}
