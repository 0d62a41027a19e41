package com.aegisx.ws.server.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node-local rate limit on WebSocket upgrades per client address, checked before the cluster-wide
 * connection limits touch the shared Redis: a client hammering refused upgrades costs this node a
 * map lookup, not every node a Redis round trip (issue 10, item 4). Settings
 * WEBSOCKET_UPGRADE_RATE_PER_IP (refill per second, 0 = off) and WEBSOCKET_UPGRADE_BURST_PER_IP.
 *
 * <p>Bounded: at most {@value #MAX_ADDRESSES} addresses are tracked; buckets that have refilled
 * completely are dropped by {@link #prune}, so only addresses active in the last seconds are kept.
 * When the map is full a new address is not throttled here (the Redis limits still apply): an
 * attacker with many addresses must not lock out addresses the node has not seen yet.
 */
public final class UpgradeThrottle {

    public static final int MAX_ADDRESSES = 100_000;

    private final int perSecond;
    private final int burst;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public UpgradeThrottle(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /** Whether an upgrade from {@code address} may go on to the connection limits now. */
    public boolean admit(String address, long nowNanos) {
        if (!enabled() || address == null) {
            return true;
        }
        TokenBucket bucket = buckets.get(address);
        if (bucket == null) {
            if (buckets.size() >= MAX_ADDRESSES) {
                return true;
            }
            bucket = buckets.computeIfAbsent(address, a -> new TokenBucket(perSecond, burst, nowNanos));
        }
        return bucket.tryTake(nowNanos);
    }

    /** Forgets addresses whose bucket is full again (idle long enough); the node calls it periodically. */
    public void prune(long nowNanos) {
        buckets.values().removeIf(bucket -> bucket.isFull(nowNanos));
    }

    public int trackedAddresses() {
        return buckets.size();
    }
}
