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

    private final Map<String, UpgradeTicket> tickets = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    public String issue(UpgradeTicket ticket) {
        // The key only has to be unique: the gate sets the header itself and strips any value a
        // client sends, so no client can present a key; a counter is enough (no SecureRandom).
        String key = Long.toString(sequence.incrementAndGet(), 36);
        tickets.put(key, ticket);
        return key;
    }

    public UpgradeTicket take(String key) {
        return key == null ? null : tickets.remove(key);
    }

    /** Drops tickets of upgrades that never reached the endpoint (failed handshakes). */
    public void prune() {
        long oldest = System.currentTimeMillis() - MAX_AGE_MILLIS;
        tickets.values().removeIf(ticket -> ticket.issuedAtMillis() < oldest);
    }

    public int size() {
        return tickets.size();
    }
}
