package com.aegisx.ws.server.http;

import com.aegisx.ws.server.security.IpLiteral;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The host names the management port answers to, judged on a request's {@code Host} header.
 *
 * <p>Why: DNS rebinding. A page a browser on this host opened can point its own name at 127.0.0.1
 * and then read {@code /metrics} and the probes' details as a same-origin request; the browser
 * still sends the page's own name in {@code Host}, so a port that answers only to names it serves
 * gives that page nothing. Always served: {@code localhost}, any loopback address literal, the
 * address the request arrived on (the node's own address, also under a wildcard bind), and the
 * names given here (the bound address, ADVERTISED_HOST, MANAGEMENT_ALLOWED_HOSTS).
 *
 * <p>A request without {@code Host} (HTTP/1.0, as the image's HEALTHCHECK sends) passes: browsers
 * always send one, so it cannot be a rebinding page.
 */
public final class ManagementHosts {

    /** A DNS name: letters, digits, '-', '.', and '_' (some container names have one); no trailing dot. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");
    /** The IPv6 literals a Host may name: hex digits, colons and dots, no scope. */
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

    private final Set<String> names;
    private final Set<InetAddress> addresses;

    /** {@code hosts}: names and address literals served besides loopback and the local address. */
    public ManagementHosts(Collection<String> hosts) {
        this.names = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.addresses = hosts.stream().map(ManagementHosts::literal).filter(a -> a != null && !a.isAnyLocalAddress())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether {@code hostHeader} (null: none sent) names this port, for a request that arrived on {@code local}. */
    public boolean serves(String hostHeader, InetAddress local) {
        if (hostHeader == null) {
            return true;
        }
        String host = hostOf(hostHeader.trim().toLowerCase(Locale.ROOT));
        if (host == null) {
            return false;
        }
        InetAddress address = literal(host);
        if (address != null) {
            return address.isLoopbackAddress() || address.equals(local) || addresses.contains(address);
        }
        return host.equals("localhost") || names.contains(host);
    }

    /** The host part of {@code host[:port]} or {@code [v6][:port]}; null when malformed. */
    static String hostOf(String authority) {
        String host;
        String port;
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            if (end < 0) {
                return null;
            }
            host = authority.substring(0, end + 1);
            String rest = authority.substring(end + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return null;
            }
            port = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5) {
            return null;
        }
        return host.startsWith("[") || NAME.matcher(host).matches() ? host : null;
    }

    /**
     * {@code host} as an IP address if it is a literal (IPv4 dotted quad, IPv6 with or without
     * brackets, no scope), else null. Never asks DNS: anything else is a name.
     */
    public static InetAddress literal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        boolean bracketed = h.startsWith("[") && h.endsWith("]");
        String bare = bracketed ? h.substring(1, h.length() - 1) : h;
        if (bare.contains(":")) {
            return IPV6.matcher(bare).matches() ? IpLiteral.parse(bare) : null;
        }
        return bracketed ? null : IpLiteral.parse(bare); // only IPv6 goes in brackets
    }

    /** Whether {@code host} (no port) is a name or an address literal this class can match. */
    public static boolean isValidHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return literal(h) != null || (!h.startsWith("[") && NAME.matcher(h).matches());
    }
}
