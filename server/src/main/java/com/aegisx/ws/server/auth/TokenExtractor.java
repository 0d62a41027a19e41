package com.aegisx.ws.server.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the bearer token in a WebSocket upgrade request. Sources, first found wins:
 * <ol>
 *   <li>{@code Authorization: Bearer <token>} (scheme case-insensitive; other schemes are ignored);</li>
 *   <li>the query parameter {@code token} (browsers cannot set headers on a WebSocket; the value
 *       is masked in logs by {@link LogMasking#maskQuery(String)});</li>
 *   <li>the {@code Sec-WebSocket-Protocol} header, the other header a browser can set.</li>
 * </ol>
 *
 * <h2>Subprotocol convention</h2>
 * Two forms are accepted:
 * <ul>
 *   <li><b>Recommended:</b> {@code new WebSocket(url, ["bearer", token])}, i.e.
 *       {@code Sec-WebSocket-Protocol: bearer, <token>}. The token is the entry right after
 *       {@code bearer}; the server selects {@code bearer} in its response, so the token never
 *       appears in a response header.</li>
 *   <li>{@code new WebSocket(url, ["bearer." + token])}, one entry with the prefix {@code bearer.}.
 *       The server selects {@code bearer} if the client also offered it; otherwise it must select the
 *       whole {@code bearer.<token>} entry (the only value offered), which puts the token back into the
 *       101 response: prefer the first form, or offer {@code ["bearer." + token, "bearer"]}.</li>
 * </ul>
 * A JWT consists of base64url characters and dots only, so it is a valid subprotocol token either way.
 * The value to select is {@link BearerToken#subprotocol()}; the endpoint's configurator should return
 * it from {@code getNegotiatedSubprotocol}. Other offered subprotocols are left alone
 * ({@link #isTokenCarrier(String)} tells which entries are part of the token convention).
 *
 * <p>Header names are matched case-insensitively; query parameter names exactly.
 */
public final class TokenExtractor {

    public static final String AUTHORIZATION = "Authorization";
    public static final String BEARER_SCHEME = "Bearer";
    public static final String TOKEN_QUERY_PARAMETER = "token";
    public static final String SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol";
    /** The subprotocol marker: {@code bearer, <token>}. */
    public static final String BEARER_SUBPROTOCOL = "bearer";
    /** The single-entry form: {@code bearer.<token>}. */
    public static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";

    /** {@code <scheme> <credentials>}, separated by blanks (RFC 9110 §11.4). */
    private static final Pattern AUTHORIZATION_VALUE = Pattern.compile("(\\S+)[ \\t]+(\\S+)");

    private TokenExtractor() {
    }

    /**
     * @param headers     request headers, names in any case (e.g. jakarta {@code HandshakeRequest.getHeaders()})
     * @param queryParams decoded query parameters (e.g. {@code HandshakeRequest.getParameterMap()})
     */
    public static Optional<BearerToken> extract(Map<String, List<String>> headers,
                                                Map<String, List<String>> queryParams) {
        return extract(name -> headerValues(headers, name),
                name -> queryParams == null ? null : queryParams.get(name));
    }

    /**
     * @param header     header name -> its values (null or empty when absent), case-insensitive lookup
     * @param queryParam parameter name -> its values (null or empty when absent)
     */
    public static Optional<BearerToken> extract(Function<String, List<String>> header,
                                                Function<String, List<String>> queryParam) {
        Optional<String> fromHeader = fromAuthorization(header.apply(AUTHORIZATION));
        if (fromHeader.isPresent()) {
            return Optional.of(new BearerToken(fromHeader.get(), BearerToken.Source.AUTHORIZATION_HEADER, null));
        }
        List<String> query = queryParam.apply(TOKEN_QUERY_PARAMETER);
        if (query != null) {
            for (String value : query) {
                if (value != null && !value.isBlank()) {
                    return Optional.of(new BearerToken(value.trim(), BearerToken.Source.QUERY_PARAMETER, null));
                }
            }
        }
        return fromSubprotocols(offeredSubprotocols(header.apply(SEC_WEBSOCKET_PROTOCOL)));
    }

    /** Splits {@code Sec-WebSocket-Protocol} header values into the offered entries, in order. */
    public static List<String> offeredSubprotocols(List<String> headerValues) {
        List<String> offered = new ArrayList<>();
        if (headerValues != null) {
            for (String value : headerValues) {
                if (value == null) {
                    continue;
                }
                for (String entry : value.split(",")) {
                    String trimmed = entry.trim();
                    if (!trimmed.isEmpty()) {
                        offered.add(trimmed);
                    }
                }
            }
        }
        return offered;
    }

    /**
     * Finds a token in already-split offered subprotocols (e.g. jakarta's {@code requested} list in
     * {@code getNegotiatedSubprotocol}).
     */
    public static Optional<BearerToken> fromSubprotocols(List<String> offered) {
        String marker = null;
        for (String entry : offered) {
            if (entry.equalsIgnoreCase(BEARER_SUBPROTOCOL)) {
                marker = entry;
                break;
            }
        }
        for (int i = 0; i < offered.size(); i++) {
            String entry = offered.get(i);
            if (entry.equalsIgnoreCase(BEARER_SUBPROTOCOL) && i + 1 < offered.size()
                    && !isTokenCarrier(offered.get(i + 1))) {
                return Optional.of(new BearerToken(offered.get(i + 1), BearerToken.Source.SUBPROTOCOL, entry));
            }
            if (hasBearerPrefix(entry) && entry.length() > BEARER_SUBPROTOCOL_PREFIX.length()) {
                String token = entry.substring(BEARER_SUBPROTOCOL_PREFIX.length());
                return Optional.of(new BearerToken(token, BearerToken.Source.SUBPROTOCOL,
                        marker != null ? marker : entry));
            }
        }
        return Optional.empty();
    }

    /** True for entries of the token convention ({@code bearer}, {@code bearer.<token>}), not real subprotocols. */
    public static boolean isTokenCarrier(String subprotocol) {
        return subprotocol != null
                && (subprotocol.equalsIgnoreCase(BEARER_SUBPROTOCOL) || hasBearerPrefix(subprotocol));
    }

    private static boolean hasBearerPrefix(String entry) {
        return entry.regionMatches(true, 0, BEARER_SUBPROTOCOL_PREFIX, 0, BEARER_SUBPROTOCOL_PREFIX.length());
    }

    private static Optional<String> fromAuthorization(List<String> values) {
        if (values == null) {
            return Optional.empty();
        }
        for (String value : values) {
            if (value == null) {
                continue;
            }
            Matcher m = AUTHORIZATION_VALUE.matcher(value.trim());
            if (m.matches() && m.group(1).equalsIgnoreCase(BEARER_SCHEME)) {
                return Optional.of(m.group(2));
            }
        }
        return Optional.empty();
    }

    /** Case-insensitive header lookup; merges values when a map holds the name in several spellings. */
    static List<String> headerValues(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return null;
        }
        // Iterate rather than get(): works for plain and case-insensitive maps alike, without
        // counting a value twice.
        List<String> values = null;
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getValue() != null && e.getKey().equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>();
                }
                values.addAll(e.getValue());
            }
        }
        return values;
    }
}
