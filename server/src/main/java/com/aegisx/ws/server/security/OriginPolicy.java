package com.aegisx.ws.server.security;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Which browser origins may open a WebSocket: the defence against cross-site WebSocket hijacking
 * (a page on another site opening a socket that carries the victim's cookies or cached credentials).
 *
 * <p>{@code ALLOWED_ORIGINS} is a comma list of origins, {@code scheme://host[:port]}; a host may start
 * with {@code *.} to allow every subdomain ({@code https://*.hospital.example}); {@code *} alone allows
 * every origin. Unset, the default is <em>same host</em>: a request whose Origin names the same
 * host and port as its Host header is allowed, any other Origin is refused. A request without an
 * Origin header is always allowed: browsers always send one on a WebSocket upgrade, so its absence
 * means a server-side client (which could forge any Origin anyway, and is held off by its token).
 * The literal Origin {@code null} (sandboxed frames, file: pages) is refused unless {@code *}.
 */
public final class OriginPolicy {

    private final boolean any;
    private final List<String> exact;
    /** Subdomain wildcards as (scheme://, .suffix[:port]). */
    private final List<String[]> wildcards;

    private OriginPolicy(boolean any, List<String> exact, List<String[]> wildcards) {
        this.any = any;
        this.exact = List.copyOf(exact);
        this.wildcards = List.copyOf(wildcards);
    }

    public static OriginPolicy sameHostOnly() {
        return new OriginPolicy(false, List.of(), List.of());
    }

    public static OriginPolicy parse(List<String> entries, Consumer<String> problems) {
        boolean any = false;
        List<String> exact = new ArrayList<>();
        List<String[]> wildcards = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.equals("*")) {
                any = true;
                continue;
            }
            String normalized = normalize(entry.replace("://*.", "://wildcard."));
            if (normalized == null) {
                problems.accept("has an entry that is not scheme://host[:port]: '" + raw + "'");
                continue;
            }
            if (entry.contains("://*.")) {
                int schemeEnd = normalized.indexOf("://") + 3;
                wildcards.add(new String[] {normalized.substring(0, schemeEnd),
                        normalized.substring(schemeEnd + "wildcard".length())});
            } else {
                exact.add(normalized);
            }
        }
        return new OriginPolicy(any, exact, wildcards);
    }

    /**
     * @param origin the Origin header, or null when absent
     * @param host   the Host header (host[:port]) of the request, or null
     */
    public boolean allows(String origin, String host) {
        if (origin == null) {
            return true;
        }
        if (any) {
            return true;
        }
        String normalized = normalize(origin.trim().toLowerCase(Locale.ROOT));
        if (normalized == null) {
            return false;
        }
        if (exact.contains(normalized)) {
            return true;
        }
        for (String[] wildcard : wildcards) {
            if (normalized.startsWith(wildcard[0]) && normalized.endsWith(wildcard[1])
                    && normalized.length() > wildcard[0].length() + wildcard[1].length()) {
                return true;
            }
        }
        return exact.isEmpty() && wildcards.isEmpty() && sameHost(normalized, host);
    }

    private static boolean sameHost(String normalizedOrigin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String authority = normalizedOrigin.substring(normalizedOrigin.indexOf("://") + 3);
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (authority.equals(h)) {
            return true;
        }
        // The Host header may omit a default port that the normalized origin carries.
        return authority.equals(h + ":80") || authority.equals(h + ":443");
    }

    /** scheme://host:port with the default port filled in; null when not an origin. */
    static String normalize(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null || uri.getRawUserInfo() != null
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null) {
                return null;
            }
            int port = uri.getPort();
            if (port < 0) {
                port = switch (scheme) {
                    case "https", "wss" -> 443;
                    case "http", "ws" -> 80;
                    default -> -1;
                };
            }
            return scheme + "://" + host + (port < 0 ? "" : ":" + port);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public String toString() {
        if (any) {
            return "*";
        }
        if (exact.isEmpty() && wildcards.isEmpty()) {
            return "same-host";
        }
        List<String> all = new ArrayList<>(exact);
        wildcards.forEach(w -> all.add(w[0] + "*" + w[1]));
        return String.join(",", all);
    }
}
