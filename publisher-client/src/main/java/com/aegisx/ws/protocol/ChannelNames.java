package com.aegisx.ws.protocol;

import java.util.regex.Pattern;

/**
 * Syntax of channel names, shared by the nodes and the publisher client.
 *
 * <p>Names follow the spec's convention {@code {domain}:{feature}:{specific}}: segments of
 * letters, digits and {@code _ - . @ +} separated by single colons. Braces are excluded because
 * the name is embedded in Redis Cluster hash tags; whitespace and control characters because names
 * end up in logs and redis-cli sessions.
 */
public final class ChannelNames {

    public static final int DEFAULT_MAX_LENGTH = 200;
    private static final Pattern SEGMENTED =
            Pattern.compile("[A-Za-z0-9_\\-.@+]+(:[A-Za-z0-9_\\-.@+]+)*");

    private ChannelNames() {
    }

    /** Null when valid, else a human explanation of what is wrong. */
    public static String problem(String channel, int maxLength) {
        if (channel == null || channel.isEmpty()) {
            return "channel is required";
        }
        if (channel.length() > maxLength) {
            return "channel name is longer than " + maxLength + " characters";
        }
        if (!SEGMENTED.matcher(channel).matches()) {
            return "channel name must be segments of letters, digits or _-.@+ separated by ':'";
        }
        return null;
    }

    public static boolean isValid(String channel) {
        return problem(channel, DEFAULT_MAX_LENGTH) == null;
    }

    /** Throws IllegalArgumentException naming the problem; returns the channel for chaining. */
    public static String requireValid(String channel) {
        String problem = problem(channel, DEFAULT_MAX_LENGTH);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": '" + channel + "'");
        }
        return channel;
    }
}
