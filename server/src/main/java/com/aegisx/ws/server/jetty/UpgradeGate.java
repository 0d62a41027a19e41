package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.server.auth.AuthenticationException;
import com.aegisx.ws.server.auth.BearerToken;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.auth.LogMasking;
import com.aegisx.ws.server.auth.TokenExtractor;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.server.security.ClientAddress;
import com.aegisx.ws.server.core.ConnectionLimits;
import com.aegisx.ws.server.security.SecuritySettings;
import com.aegisx.ws.server.security.UpgradeThrottle;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides every WebSocket upgrade before Jetty performs it: a disallowed Origin is refused with
 * 403, a bad token with 401, a user or address over its cluster-wide connection limit with 429
 * (checked in Redis asynchronously; no Jetty thread waits), and no socket is ever opened for any of
 * them; a draining node answers 503. What it learned travels to the endpoint as an {@link UpgradeTicket}.
 */
public final class UpgradeGate extends Handler.Wrapper {

    private static final Logger log = LoggerFactory.getLogger(UpgradeGate.class);

    private final JwtAuthenticator authenticator;
    private final boolean authRequired;
    private final UpgradeTickets tickets;
    private final BooleanSupplier draining;
    private final List<String> publicPaths;
    private final SecuritySettings security;
    private final ConnectionLimits limiter;
    private final String nodeId;
    private final UpgradeThrottle throttle;
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicInteger deciding = new AtomicInteger();

    public UpgradeGate(Handler next, JwtAuthenticator authenticator, boolean authRequired, UpgradeTickets tickets,
                       BooleanSupplier draining, List<String> publicPaths, SecuritySettings security,
                       ConnectionLimits limiter, String nodeId) {
        super(next);
        this.security = security;
        this.limiter = limiter;
        this.nodeId = nodeId;
        this.throttle = new UpgradeThrottle(security.upgradeRatePerIp(), security.upgradeBurstPerIp());
        this.authenticator = authenticator;
        this.authRequired = authRequired;
        this.tickets = tickets;
        this.draining = draining;
        this.publicPaths = publicPaths;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpFields headers = request.getHeaders();
        List<String> upgrades = headers.getValuesList(HttpHeader.UPGRADE);
        if (upgrades.size() > 1) {
            // Jetty's upgrade reads the last value, a check on the first would let "h2c" then
            // "websocket" past every check below: refuse what no client needs to send.
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400, "repeated Upgrade header");
            return true;
        }
        if (!isWebSocketUpgrade(upgrades.isEmpty() ? null : upgrades.get(0))) {
            return super.handle(stripTicket(request), response, callback);
        }
        if (draining.getAsBoolean()) {
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "node is shutting down");
            return true;
        }
        String path = Request.getPathInContext(request);
        String ip = ClientAddress.of(request, security.proxies());
        if (ip == null) {
            log.warn("Refused upgrade on {}: PROXY protocol header from {}, which is not in TRUSTED_PROXIES",
                    masked(request), Request.getRemoteAddr(request));
            Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403, "untrusted proxy");
            return true;
        }
        boolean publicPath = publicPaths.contains(path);
        // A trusted proxy's own address means "client unknown" (no forwarding header): throttling it
        // would throttle everyone behind it.
        if (!publicPath && !security.proxies().isTrusted(ip) && !throttle.admit(ip, System.nanoTime())) {
            // Before any token check or Redis round trip: hammering costs this node a map lookup.
            throttled.incrementAndGet();
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            Response.writeError(request, response, callback, HttpStatus.TOO_MANY_REQUESTS_429,
                    "too many upgrades from this address, retry later");
            return true;
        }
        if (!security.origins().allows(headers.get(HttpHeader.ORIGIN), headers.get(HttpHeader.HOST))) {
            log.info("Refused upgrade on {} from {}: origin {} not allowed", masked(request), ip,
                    LogSafe.text(headers.get(HttpHeader.ORIGIN)));
            Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403, "origin not allowed");
            return true;
        }
        Identity identity;
        try {
            identity = publicPath ? Identity.anonymous() : authenticate(request, headers);
        } catch (AuthenticationException e) {
            log.info("Refused upgrade on {} from {}: {} ({})", masked(request), ip, e.reason(), LogSafe.text(e.getMessage()));
            Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401, e.getMessage());
            return true;
        }
        // Interned: every open socket keeps its user agent and most share one of a few browser
        // versions, so each distinct value is stored once, not once per socket (an interned string
        // is collected once nothing holds it).
        UpgradeTicket ticket = new UpgradeTicket(identity, ip,
                abbreviate(headers.get(HttpHeader.USER_AGENT)).intern(), System.currentTimeMillis(),
                Identifiers.newConnectionId(nodeId));
        if (publicPath || limiter == null || !limiter.enabled()) {
            return upgrade(request, response, callback, ticket, false);
        }
        deciding.incrementAndGet();
        limiter.reserve(ticket.connectionId(), identity.userId(), ip).whenComplete((refusal, error) ->
                // Continue on a Jetty thread: the limiter completes on the node's callback thread,
                // which must not write HTTP responses.
                request.getContext().execute(() -> decided(request, response, callback, ticket, ip, refusal, error)));
        return true;
    }

    private void decided(Request request, Response response, Callback exchange, UpgradeTicket ticket, String ip,
                         ConnectionLimits.Refusal refusal, Throwable error) {
        if (error == null && refusal == null && !draining.getAsBoolean()) {
            try {
                if (!upgrade(request, response, exchange, ticket, true)) {
                    Response.writeError(request, response, exchange, HttpStatus.NOT_FOUND_404);
                }
            } catch (Throwable t) {
                release(ticket);
                exchange.failed(t);
            } finally {
                deciding.decrementAndGet();
            }
            return;
        }
        // A refusal counts as deciding until its response is written.
        AtomicBoolean counted = new AtomicBoolean(true);
        Callback callback = new Callback.Nested(exchange) {
            @Override
            public void succeeded() {
                done();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                done();
                super.failed(x);
            }

            private void done() {
                if (counted.getAndSet(false)) {
                    deciding.decrementAndGet();
                }
            }
        };
        if (error != null) {
            log.warn("Refused upgrade on {} from {}: connection limits unavailable: {}", masked(request), ip,
                    error.toString());
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                    "service unavailable, retry later");
        } else if (refusal != null) {
            log.info("Refused upgrade on {} from {} userId={}: {}", masked(request), ip,
                    LogSafe.text(ticket.identity().userId()), refusal.message());
            Response.writeError(request, response, callback, HttpStatus.TOO_MANY_REQUESTS_429, refusal.message());
        } else {
            // The drain began while the limits were checked: no socket may open any more.
            release(ticket);
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                    "node is shutting down");
        }
    }

    /**
     * Upgrades whose connection-limit check is still under way. A draining node waits for them
     * (within SHUTDOWN_GRACE) before it stops Jetty, so their 503 is written, not cut off.
     */
    public int deciding() {
        return deciding.get();
    }

    /**
     * Hands the request on with the ticket. Whatever ends the exchange without the endpoint having
     * taken the ticket (not a valid handshake, unknown path, public path) takes it back, and with a
     * reservation in Redis gives the places back: on every path, so no ticket outlives its request.
     */
    private boolean upgrade(Request request, Response response, Callback callback, UpgradeTicket ticket,
                            boolean reserved) throws Exception {
        HttpFields headers = request.getHeaders();
        String key = tickets.issue(ticket);
        if (key == null) {
            if (reserved) {
                release(ticket);
            }
            log.warn("Refused upgrade on {} from {}: {} upgrades in flight already", masked(request),
                    ticket.ip(), tickets.size());
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                    "too many upgrades in flight, retry later");
            return true;
        }
        Runnable releaseUnused = () -> {
            if (tickets.take(key) != null && reserved) {
                release(ticket);
            }
        };
        Callback done = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                releaseUnused.run();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                releaseUnused.run();
                super.failed(x);
            }
        };
        HttpFields withTicket = HttpFields.build(headers).put(UpgradeTickets.HEADER, key).asImmutable();
        // The token has been verified: what follows (servlet request, jakarta handshake, the socket's
        // session, which keeps its request URI and parameters for its whole life) gets the URI without it.
        HttpURI uri = request.getHttpURI();
        String query = uri.getQuery();
        String stripped = queryWithout(query, TokenExtractor.TOKEN_QUERY_PARAMETER);
        HttpURI withoutToken = Objects.equals(query, stripped) ? uri : HttpURI.build(uri).query(stripped).asImmutable();
        boolean handled = super.handle(new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return withTicket;
            }

            @Override
            public HttpURI getHttpURI() {
                return withoutToken;
            }
        }, response, done);
        if (!handled) {
            releaseUnused.run();
        }
        return handled;
    }

    private void release(UpgradeTicket ticket) {
        limiter.release(ticket.connectionId(), ticket.identity().userId(), ticket.ip());
    }

    /** Upgrades refused by the per-address throttle (WEBSOCKET_UPGRADE_RATE_PER_IP) since the start. */
    public long throttledUpgrades() {
        return throttled.get();
    }

    /** Forgets idle addresses of the per-address throttle; the node calls it periodically. */
    public void pruneThrottle() {
        throttle.prune(System.nanoTime());
    }

    /** The request target for a log line, with token and key parameters masked. */
    private static String masked(Request request) {
        return LogSafe.text(LogMasking.maskQuery(request.getHttpURI().getPathQuery()));
    }

    private Identity authenticate(Request request, HttpFields headers) throws AuthenticationException {
        Fields query = Request.extractQueryParameters(request);
        Optional<BearerToken> token = TokenExtractor.extract(
                name -> headers.getValuesList(name),
                name -> query.getValues(name));
        if (token.isEmpty()) {
            if (authRequired) {
                throw new AuthenticationException(com.aegisx.ws.server.auth.AuthFailure.TOKEN_REQUIRED,
                        "authentication required");
            }
            return Identity.anonymous();
        }
        return authenticator.authenticate(token.get().token());
    }

    /**
     * {@code query} without the parameters named {@code name} (names compared decoded, as
     * {@link Request#extractQueryParameters} reads them); null when nothing is left.
     */
    static String queryWithout(String query, String name) {
        if (query == null || query.isEmpty()) {
            return query;
        }
        StringBuilder kept = new StringBuilder(query.length());
        boolean removed = false;
        for (String part : query.split("&", -1)) {
            int eq = part.indexOf('=');
            String rawName = eq < 0 ? part : part.substring(0, eq);
            if (name.equals(decode(rawName))) {
                removed = true;
                continue;
            }
            if (kept.length() > 0) {
                kept.append('&');
            }
            kept.append(part);
        }
        if (!removed) {
            return query;
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    private static String decode(String component) {
        try {
            return URLDecoder.decode(component, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return component;
        }
    }

    /**
     * Whether an Upgrade header value asks for a WebSocket: {@code websocket} alone or anywhere in a
     * list ({@code h2c, websocket}). The gate and everything after it must agree on this, or a
     * request could be an upgrade to Jetty and not to the gate.
     */
    static boolean isWebSocketUpgrade(String upgradeHeader) {
        if (upgradeHeader == null) {
            return false;
        }
        for (String token : upgradeHeader.split(",")) {
            if ("websocket".equalsIgnoreCase(token.trim())) {
                return true;
            }
        }
        return false;
    }

    /** A client must never be able to forge the internal ticket header. */
    private static Request stripTicket(Request request) {
        if (!request.getHeaders().contains(UpgradeTickets.HEADER)) {
            return request;
        }
        HttpFields without = HttpFields.build(request.getHeaders()).remove(UpgradeTickets.HEADER).asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return without;
            }
        };
    }

    private static String abbreviate(String userAgent) {
        if (userAgent == null) {
            return "";
        }
        return userAgent.length() > 256 ? userAgent.substring(0, 256) : userAgent;
    }
}
