package com.aegisx.ws.server.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * IP address literals, read without ever asking DNS: the trusted-proxy list and its
 * {@code X-Forwarded-For} hops, and the management port's {@code Host} check.
 *
 * <p>Why the octets are checked here: {@code InetAddress.getByName} takes a dotted quad it cannot
 * read as an address ({@code 999.0.0.1}) for a host name and looks it up, which blocks the calling
 * thread for as long as DNS takes.
 */
public final class IpLiteral {

    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Colons, hex digits and dots, and a scope after '%'; getByName refuses what is not IPv6 without a lookup. */
    private static final Pattern V6 = Pattern.compile("[0-9A-Za-z:.%]+");

    private IpLiteral() {
    }

    /**
     * {@code text} (without brackets) as an address if it is an IPv4 dotted quad or an IPv6
     * literal, else null.
     */
    public static InetAddress parse(String text) {
        boolean v4 = V4.matcher(text).matches() && octetsInRange(text);
        boolean v6 = text.contains(":") && V6.matcher(text).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException | RuntimeException e) {
            return null; // a malformed literal (the trusted-proxy hops come from a header): not an address
        }
    }

    private static boolean octetsInRange(String quad) {
        for (String octet : quad.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
