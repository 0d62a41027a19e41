package com.aegisx.ws.server.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Port: the message bus between nodes and publishers ({@code redis/RedisBroker}: Redis pub/sub).
 *
 * <p>The core names <em>topics</em> (a channel's, a user's, a node's inbox; see
 * {@code KeySchema}) and never how a broker carries them, so an adapter may route a topic as it
 * needs: a Redis Cluster adapter maps it to its slot and uses SSUBSCRIBE/SPUBLISH on that shard's
 * connection, without the core changing. A history/recovery layer fits as a decorator around a
 * broker: it sees every delivery before the {@link Listener} (offset and epoch travel inside the
 * payload), tracks the last offset delivered per topic, and after a resubscription passes the gap
 * it read from the history stream to the same listener, in order, before new messages.
 *
 * <p>Threading: futures complete on the adapter's callback executor, never on an I/O event loop;
 * the {@link Listener} is called on a dispatch worker chosen by topic, so the messages of one
 * topic arrive in order, one batch at a time; an adapter may call it for a topic with few local
 * members (a user's) on its own I/O thread instead, in order, so the listener must never block.
 */
public interface Broker {

    /** Where a broker delivers: the node's fan-out. */
    @FunctionalInterface
    interface Listener {
        /** Messages of one topic, oldest first (more than one when the dispatch worker had a backlog). */
        void onMessages(String topic, List<String> payloads);
    }

    /**
     * Starts listening on {@code topic}; completes once the broker confirmed it, i.e. nothing
     * published afterwards can be missed. Idempotent per topic. (Reference counting across local
     * sockets is the core's job: {@link TopicSubscriptions}.)
     */
    CompletableFuture<Void> subscribe(String topic);

    /** Stops listening on {@code topic}. */
    CompletableFuture<Void> unsubscribe(String topic);

    /** Publishes to every node listening on {@code topic}; completes with how many received it (as Redis counts). */
    CompletableFuture<Long> publish(String topic, String payload);
}
