package com.aegisx.ws.server.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Port: who is in a channel, read from the cluster-wide channel index ({@code redis/RedisPresenceIndex}). */
public interface PresenceIndex {

    /** One subscriber of a channel. */
    record Member(String connectionId, String userId) {
    }

    /** The channel's subscriber count and at most {@code cap} of its members. */
    record Snapshot(long count, List<Member> members) {
    }

    CompletableFuture<Snapshot> members(String channel, int cap);
}
