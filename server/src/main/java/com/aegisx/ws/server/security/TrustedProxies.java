package com.aegisx.ws.server.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds the real client address behind load balancers. {@code TRUSTED_PROXIES} lists the IPs or
 * CIDR blocks of our own proxies (HAProxy); only when the TCP peer is one of them is
 * {@code X-Forwarded-For} read, right to left, skipping further trusted hops: the first untrusted
 * address is the client. The leftmost entries are whatever the client wrote and are never trusted.
 * Unset (the default), the header is ignored entirely, so a client cannot dodge the per-IP limit
 * by sending one. Without it behind a proxy, every connection appears to come from the proxy.
 */
public final class TrustedProxies {

    private final List<Cidr> blocks;

    private TrustedProxies(List<Cidr> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    public static TrustedProxies parse(List<String> entries, Consumer<String> problems) {
        List<Cidr> blocks = new ArrayList<>();
        for (String entry : entries) {
            Cidr cidr = Cidr.parse(entry.trim());
            if (cidr == null) {
                problems.accept("has an entry that is not an IP address or CIDR block: '" + entry + "'");
            } else {
                blocks.add(cidr);
            }
        }
        return new TrustedProxies(blocks);
    }

    /** True when no proxy is trusted (TRUSTED_PROXIES unset). */
    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean isTrusted(String address) {
        byte[] bytes = Cidr.literal(address);
        return bytes != null && blocks.stream().anyMatch(b -> b.contains(bytes));
    }

    /**
     * @param peer          the TCP peer address
     * @param forwardedFor  every X-Forwarded-For header value, in order (may be empty)
     */
    public String clientAddress(String peer, List<String> forwardedFor) {
        if (blocks.isEmpty() || !isTrusted(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (Cidr.literal(hop) == null) {
                break; // garbage: stop at the last address we could vouch for
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client;
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "none" : blocks.toString();
    }

    private record Cidr(byte[] network, int bits, String text) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                return null;
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    return null;
                }
                if (bits < 0 || bits > address.length * 8) {
                    return null;
                }
            }
            return new Cidr(address, bits, text);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** The bytes of an IP literal (brackets allowed), never a DNS lookup; null when not a literal. */
        static byte[] literal(String text) {
            if (text == null || text.isEmpty()) {
                return null;
            }
            String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            InetAddress address = IpLiteral.parse(t);
            return address == null ? null : address.getAddress();
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
