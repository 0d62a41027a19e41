package com.aegisx.ws.server.jetty;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands the gate's verdict to the WebSocket endpoint. The jakarta handshake API exposes headers
 * but not request attributes, so the gate stores the ticket here and passes only a random key in
 * an internal header (stripped from what clients send); the endpoint configurator takes it back.
 */
public final class UpgradeTickets {

    /** Internal header carrying the ticket key from the gate to the endpoint configurator. */
    public static final String HEADER = "X-Ws-Upgrade-Ticket";
    private static final long MAX_AGE_MILLIS = 60_000;
    /**
     * Upgrades in flight at once on one node. A ticket lives only while its HTTP exchange does (the
     * gate takes it back when the exchange ends, on every path), so this is far above any real
     * burst of handshakes; it bounds what a flood of pipelined upgrade requests can hold.
     */
    public static final int DEFAULT_MAX_PENDING = 10_000;

    private final Map<String, UpgradeTicket> tickets = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final int maxPending;

    public UpgradeTickets() {
        this(DEFAULT_MAX_PENDING);
    }

    public UpgradeTickets(int maxPending) {
        this.maxPending = maxPending;
    }

    /** Stores the ticket; null when {@code maxPending} upgrades are in flight already (refuse with 503). */
    public String issue(UpgradeTicket ticket) {
        if (tickets.size() >= maxPending) {
            return null; // a racy check: a few concurrent issues may pass it, which a bound allows
        }
        // The key only has to be unique: the gate sets the header itself and strips any value a
        // client sends, so no client can present a key; a counter is enough (no SecureRandom).
        String key = Long.toString(sequence.incrementAndGet(), 36);
        tickets.put(key, ticket);
        return key;
    }

    public UpgradeTicket take(String key) {
        return key == null ? null : tickets.remove(key);
    }

    /** A safety net only: the gate takes every ticket back when its exchange ends. */
    public void prune() {
        long oldest = System.currentTimeMillis() - MAX_AGE_MILLIS;
        tickets.values().removeIf(ticket -> ticket.issuedAtMillis() < oldest);
    }

    public int size() {
        return tickets.size();
    }
}
