package com.aegisx.ws.server.redis;

import java.util.concurrent.CompletableFuture;

/**
 * The node's pub/sub link to Redis: subscribe to a topic (completing once Redis confirmed it),
 * unsubscribe, and say whether every wanted topic is currently subscribed. Classic SUBSCRIBE on a
 * standalone Redis or behind Sentinel ({@link ClassicTopicLink}); sharded SSUBSCRIBE on the
 * master that owns each topic's slot on a Redis Cluster ({@link ShardedTopicLink}).
 *
 * <p>Messages go to the listener given at construction, on a Lettuce event loop (which must not
 * block: the {@link PubSubDispatcher} hands them over to its workers).
 */
public interface TopicLink extends AutoCloseable {

    /** Subscribes; completes once Redis confirmed, so nothing published afterwards is missed. */
    CompletableFuture<Void> subscribe(String topic);

    /** Unsubscribes (fire and forget: a late message for it finds no local member). */
    void unsubscribe(String topic);

    /**
     * Replaces the connection(s) by new ones and subscribes {@code topics} there (the probe found
     * the link silent); completes once Redis confirmed them all.
     */
    CompletableFuture<Void> renew(java.util.Collection<String> topics);

    /** Sends a PING on the (classic) pub/sub connection: answered after its pending subscriptions. */
    CompletableFuture<Void> ping();

    /** True while every wanted topic is subscribed on an open connection. */
    boolean isConnected();

    /** Topics re-subscribed after a reconnect, failover or slot move, since start (metrics). */
    long resubscriptions();

    /**
     * Messages a replaced pub/sub connection still delivered after the swap, dropped so nothing is
     * delivered twice (metrics). Only the classic link replaces a connection that may still be alive.
     */
    default long droppedFromReplaced() {
        return 0;
    }

    /**
     * Runs {@code handler} (on the link's thread, at most every {@link ShardedTopicLink#RESUBSCRIBED_CHECK_MILLIS}
     * ms) after topics that were subscribed before were confirmed again elsewhere (a failover or a
     * slot move on a cluster): what was published meanwhile never came through. The classic link's
     * reconnects are watched through Lettuce's connection events instead (no-op here).
     */
    default void onResubscribed(Runnable handler) {
    }

    @Override
    void close();
}
