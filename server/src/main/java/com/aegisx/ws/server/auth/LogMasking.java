package com.aegisx.ws.server.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes secrets from text headed for logs: request URIs, header values, tokens. Every log line
 * that may carry a request URI (access log, upgrade log, error log) should pass it through
 * {@link #maskQuery(String)}; every token or key that must be mentioned through {@link #maskToken(String)}.
 */
public final class LogMasking {

    /** What replaces a secret. */
    public static final String MASK = "***";
    /** Visible head of a masked long token: enough to tell two tokens apart, too little to use one. */
    public static final int VISIBLE_PREFIX = 6;
    /** Tokens shorter than this are fully masked: a prefix of a short secret is a real share of it. */
    public static final int MIN_LENGTH_FOR_PREFIX = 20;

    /**
     * Query parameters whose value is a secret. Beyond the ones this server reads ({@code token}) and
     * the debug API key, the usual names other clients use by habit are masked too.
     */
    public static final Set<String> SENSITIVE_PARAMETERS = Set.of(
            "token", "access_token", "refresh_token", "id_token", "jwt",
            "api_key", "apikey", "api-key", "password", "secret");

    private static final Set<String> SECRET_HEADERS = Set.of(
            "cookie", "set-cookie", "x-api-key", "api-key", "x-auth-token");

    private LogMasking() {
    }

    /**
     * Replaces the values of {@link #SENSITIVE_PARAMETERS} in a URI, path-and-query or bare query:
     * {@code /ws?token=eyJ...&x=1} becomes {@code /ws?token=***&x=1}. Names are compared decoded and
     * case-insensitively, as a server reads them: {@code %74oken=...} is a {@code token} too (a
     * review found a whole JWT in the access log that way). Null stays null.
     */
    public static String maskQuery(String uriOrQuery) {
        if (uriOrQuery == null || uriOrQuery.indexOf('=') < 0) {
            return uriOrQuery;
        }
        int question = uriOrQuery.indexOf('?');
        int start = question + 1; // 0 for a bare query
        int end = start; // the query ends at a fragment or a blank (a whole request line may be given)
        while (end < uriOrQuery.length() && uriOrQuery.charAt(end) != '#' && !Character.isWhitespace(uriOrQuery.charAt(end))) {
            end++;
        }
        StringBuilder out = new StringBuilder(uriOrQuery.length()).append(uriOrQuery, 0, start);
        boolean changed = false;
        int from = start;
        while (from <= end) {
            int next = nextSeparator(uriOrQuery, from, end);
            String part = uriOrQuery.substring(from, next);
            int eq = part.indexOf('=');
            if (eq >= 0 && isSensitiveName(part.substring(0, eq))) {
                out.append(part, 0, eq + 1).append(MASK);
                changed = true;
            } else {
                out.append(part);
            }
            if (next < end) {
                out.append(uriOrQuery.charAt(next));
            }
            from = next + 1;
        }
        out.append(uriOrQuery, end, uriOrQuery.length());
        return changed ? out.toString() : uriOrQuery;
    }

    private static int nextSeparator(String text, int from, int end) {
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            if (c == '&' || c == ';') {
                return i;
            }
        }
        return end;
    }

    private static boolean isSensitiveName(String rawName) {
        String name = rawName;
        // Decoded until stable (at most a few rounds): %2574oken is still someone's token to a
        // server that decodes twice, and masking a harmless parameter costs nothing.
        for (int round = 0; round < 3 && name.indexOf('%') >= 0; round++) {
            String decoded;
            try {
                decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                break;
            }
            if (decoded.equals(name)) {
                break;
            }
            name = decoded;
        }
        return SENSITIVE_PARAMETERS.contains(name.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * A token as it may appear in a log: the first {@value #VISIBLE_PREFIX} characters and an
     * ellipsis for long tokens (a JWT's first characters are its public header), {@value #MASK} for
     * short ones, {@code (none)} for null.
     */
    public static String maskToken(String token) {
        if (token == null) {
            return "(none)";
        }
        if (token.length() < MIN_LENGTH_FOR_PREFIX) {
            return MASK;
        }
        return token.substring(0, VISIBLE_PREFIX) + "…";
    }

    /** {@code Bearer eyJ...} becomes {@code Bearer ***}; the scheme stays visible for debugging. */
    public static String maskAuthorization(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        int space = v.indexOf(' ');
        return space > 0 ? v.substring(0, space) + " " + MASK : MASK;
    }

    /**
     * Masks the token entries of a {@code Sec-WebSocket-Protocol} value per the
     * {@link TokenExtractor} convention: {@code bearer, eyJ...} becomes {@code bearer, ***} and
     * {@code bearer.eyJ...} becomes {@code bearer.***}; real subprotocols stay.
     */
    public static String maskSubprotocols(String value) {
        if (value == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean afterMarker = false;
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.equalsIgnoreCase(TokenExtractor.BEARER_SUBPROTOCOL)) {
                out.add(entry);
                afterMarker = true;
                continue;
            }
            if (entry.regionMatches(true, 0, TokenExtractor.BEARER_SUBPROTOCOL_PREFIX, 0,
                    TokenExtractor.BEARER_SUBPROTOCOL_PREFIX.length())) {
                out.add(entry.substring(0, TokenExtractor.BEARER_SUBPROTOCOL_PREFIX.length()) + MASK);
            } else {
                out.add(afterMarker ? MASK : entry);
            }
            afterMarker = false;
        }
        return String.join(", ", out);
    }

    /** A header value fit for a log line: credentials masked, anything else unchanged. */
    public static String maskHeader(String name, String value) {
        if (name == null || value == null) {
            return value;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("authorization") || lower.equals("proxy-authorization")) {
            return maskAuthorization(value);
        }
        if (lower.equals("sec-websocket-protocol")) {
            return maskSubprotocols(value);
        }
        if (SECRET_HEADERS.contains(lower)) {
            return MASK;
        }
        if (lower.equals("referer") || lower.equals("location")) {
            return maskQuery(value);
        }
        return value;
    }
}
