package com.aegisx.ws.protocol;

import java.security.SecureRandom;

/**
 * Node ids, connection ids and user ids.
 *
 * <p>A connection id carries the id of the node that holds the socket ({@code ws_<nodeId>_<random>}),
 * so a direct send needs no lookup: it is published straight to that node's inbox.
 */
public final class Identifiers {

    public static final int MAX_USER_ID_LENGTH = 128;
    private static final int MAX_NODE_ID_LENGTH = 64;
    private static final char[] ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RESUME_TOKEN_LENGTH = 32;

    private Identifiers() {
    }

    public static boolean isValidNodeId(String nodeId) {
        if (nodeId == null || nodeId.isEmpty() || nodeId.length() > MAX_NODE_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < nodeId.length(); i++) {
            char c = nodeId.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /**
     * User ids come from token claims; they are embedded in keys and pub/sub names, so braces,
     * whitespace and control characters are refused.
     */
    public static boolean isValidUserId(String userId) {
        if (userId == null || userId.isEmpty() || userId.length() > MAX_USER_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            char c = userId.charAt(i);
            if (c <= ' ' || c == '{' || c == '}' || c == 0x7f || Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    public static String newNodeId() {
        return random(10);
    }

    public static String newConnectionId(String nodeId) {
        return "ws_" + nodeId + "_" + random(12);
    }

    /** 32 random characters of [A-Za-z0-9] (about 190 bits): secrets, unguessable ids. */
    public static String newSecret() {
        return random(RESUME_TOKEN_LENGTH);
    }

    /** The node id inside a connection id, or null when the id is not one of ours. */
    public static String nodeOf(String connectionId) {
        if (connectionId == null || !connectionId.startsWith("ws_")) {
            return null;
        }
        int last = connectionId.lastIndexOf('_');
        if (last <= 3 || last == connectionId.length() - 1) {
            return null;
        }
        String nodeId = connectionId.substring(3, last);
        return isValidNodeId(nodeId) ? nodeId : null;
    }

    private static String random(int length) {
        // One SecureRandom draw per id, not one per character: each draw takes the generator's lock
        // and, with NativePRNG, reads /dev/urandom, which showed in the connection churn profile.
        // Bytes 0-247 map evenly onto the 62 characters (248 = 4 * 62); the rare others are skipped.
        byte[] bytes = new byte[length + length / 2 + 4];
        char[] out = new char[length];
        int filled = 0;
        while (filled < length) {
            RANDOM.nextBytes(bytes);
            for (int i = 0; i < bytes.length && filled < length; i++) {
                int b = bytes[i] & 0xff;
                if (b < 248) {
                    out[filled++] = ALPHABET[b % ALPHABET.length];
                }
            }
        }
        return new String(out);
    }
}
