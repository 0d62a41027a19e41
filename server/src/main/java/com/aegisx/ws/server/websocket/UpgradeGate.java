package com.aegisx.ws.server.websocket;

import com.aegisx.ws.server.auth.AuthenticationException;
import com.aegisx.ws.server.auth.BearerToken;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.auth.TokenExtractor;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides every WebSocket upgrade before Jetty performs it: a bad token is refused here with 401
 * and no socket is ever opened; a draining node answers 503. What it learned travels to the
 * endpoint as an {@link UpgradeTicket}.
 */
public final class UpgradeGate extends Handler.Wrapper {

    private static final Logger log = LoggerFactory.getLogger(UpgradeGate.class);

    private final JwtAuthenticator authenticator;
    private final boolean authRequired;
    private final UpgradeTickets tickets;
    private final BooleanSupplier draining;
    private final List<String> publicPaths;

    public UpgradeGate(Handler next, JwtAuthenticator authenticator, boolean authRequired, UpgradeTickets tickets,
                       BooleanSupplier draining, List<String> publicPaths) {
        super(next);
        this.authenticator = authenticator;
        this.authRequired = authRequired;
        this.tickets = tickets;
        this.draining = draining;
        this.publicPaths = publicPaths;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpFields headers = request.getHeaders();
        boolean upgrade = "websocket".equalsIgnoreCase(headers.get(HttpHeader.UPGRADE));
        if (!upgrade) {
            return super.handle(stripTicket(request), response, callback);
        }
        if (draining.getAsBoolean()) {
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "node is shutting down");
            return true;
        }
        String path = Request.getPathInContext(request);
        Identity identity;
        try {
            identity = publicPaths.contains(path) ? Identity.anonymous() : authenticate(request, headers);
        } catch (AuthenticationException e) {
            log.info("Refused upgrade on {} from {}: {}", path, Request.getRemoteAddr(request), e.getMessage());
            Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401, e.getMessage());
            return true;
        }
        UpgradeTicket ticket = new UpgradeTicket(identity, Request.getRemoteAddr(request),
                abbreviate(headers.get(HttpHeader.USER_AGENT)), System.currentTimeMillis());
        String key = tickets.issue(ticket);
        HttpFields withTicket = HttpFields.build(headers).put(UpgradeTickets.HEADER, key).asImmutable();
        return super.handle(new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return withTicket;
            }
        }, response, callback);
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
