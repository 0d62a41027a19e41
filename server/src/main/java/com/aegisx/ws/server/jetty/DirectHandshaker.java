package com.aegisx.ws.server.jetty;

import java.lang.reflect.Field;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.Negotiated;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.internal.AbstractHandshaker;
import org.eclipse.jetty.websocket.core.server.internal.RFC6455Negotiation;
import org.eclipse.jetty.websocket.core.server.internal.WebSocketNegotiation;
import org.eclipse.jetty.websocket.core.util.WebSocketUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's RFC 6455 (HTTP/1.1) upgrade, the same steps as its own {@code RFC6455Handshaker}, except
 * that the connection it makes is a {@link DirectConnection}. Other upgrades (WebSocket over
 * HTTP/2) go to Jetty's handshaker unchanged, and keep Jetty's frame flusher.
 */
final class DirectHandshaker extends AbstractHandshaker {

    private static final Logger log = LoggerFactory.getLogger(DirectHandshaker.class);

    /** At most this many distinct targets share a URI; past it the cache starts again empty. */
    static final int MAX_SHARED_URIS = 256;

    private static final HttpField UPGRADE_WEBSOCKET = new PreEncodedHttpField(HttpHeader.UPGRADE, "websocket");
    private static final HttpField CONNECTION_UPGRADE =
            new PreEncodedHttpField(HttpHeader.CONNECTION, HttpHeader.UPGRADE.asString());

    /**
     * Request URIs without a query, one instance per target. Jetty's session keeps its socket's
     * request URI for the socket's whole life ({@code Negotiated}): a {@code URI} and its strings,
     * ~430 bytes per idle socket in a heap dump, while the sockets of a route mostly share one
     * target. URIs with a query are left alone: they carry what each client chose.
     */
    private final java.util.concurrent.ConcurrentHashMap<java.net.URI, java.net.URI> sharedUris =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Frames go out with {@code send(2)} where the JVM allows it (WEBSOCKET_SEND_SYSCALL, {@link SocketSend}). */
    private final boolean useSend;

    private DirectHandshaker(boolean useSend) {
        this.useSend = useSend;
    }

    /**
     * Puts this handshaker in front of the context's: the jakarta container and Jetty's upgrade
     * filter both upgrade through the mappings' handshaker, a private field with no setter, so it
     * is replaced by reflection ({@code JettyInternalsIT} fails if a Jetty upgrade moves it).
     * Called once the jakarta container has made the mappings, before the server takes requests.
     */
    static void install(ContextHandler context, boolean useSend) {
        WebSocketMappings mappings = WebSocketMappings.getMappings(context);
        if (mappings == null) {
            throw new IllegalStateException("Jetty's WebSocket mappings are not set up yet");
        }
        try {
            Field field = WebSocketMappings.class.getDeclaredField("handshaker");
            field.setAccessible(true);
            Handshaker jetty = (Handshaker) field.get(mappings);
            if (!(jetty instanceof Selector)) {
                field.set(mappings, new Selector(new DirectHandshaker(useSend), jetty));
                if (!useSend) {
                    log.info("Frames leave with write(2): WEBSOCKET_SEND_SYSCALL=false");
                } else if (SocketSend.unavailableReason() != null) {
                    log.info("Frames leave with write(2), not send(2): {} (the server jar's manifest opens"
                            + " java.base/sun.nio.ch; a JVM started otherwise needs --add-opens"
                            + " java.base/sun.nio.ch=ALL-UNNAMED)", SocketSend.unavailableReason());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Cannot install the direct write path into Jetty " + e, e);
        }
    }

    /** HTTP/1.1 upgrades here, any other (HTTP/2) to Jetty's. */
    private record Selector(DirectHandshaker direct, Handshaker jetty) implements Handshaker {
        @Override
        public boolean isWebSocketUpgradeRequest(Request request) {
            return direct.isWebSocketUpgradeRequest(request) || jetty.isWebSocketUpgradeRequest(request);
        }

        @Override
        public boolean upgradeRequest(WebSocketNegotiator negotiator, Request request, Response response,
                                      Callback callback, WebSocketComponents components,
                                      Configuration.Customizer defaultCustomizer) {
            if (direct.isWebSocketUpgradeRequest(request)) {
                return direct.upgradeRequest(negotiator, request, response, callback, components, defaultCustomizer);
            }
            return jetty.upgradeRequest(negotiator, request, response, callback, components, defaultCustomizer);
        }
    }

    @Override
    public boolean isWebSocketUpgradeRequest(Request request) {
        return HttpMethod.GET.is(request.getMethod())
                && HttpVersion.HTTP_1_1.is(request.getConnectionMetaData().getProtocol())
                && super.isWebSocketUpgradeRequest(request);
    }

    @Override
    protected WebSocketNegotiation newNegotiation(Request request, Response response, Callback callback,
                                                  WebSocketComponents components) {
        return new RFC6455Negotiation(request, response, callback, components);
    }

    @Override
    protected boolean validateNegotiation(WebSocketNegotiation negotiation) {
        if (!super.validateNegotiation(negotiation)) {
            return false;
        }
        if (((RFC6455Negotiation) negotiation).getKey() == null) {
            throw new org.eclipse.jetty.http.HttpException.RuntimeException(HttpStatus.BAD_REQUEST_400,
                    "Missing request header 'Sec-WebSocket-Key'");
        }
        return true;
    }

    @Override
    protected WebSocketCoreSession newWebSocketCoreSession(Request request, FrameHandler handler, Negotiated negotiated,
                                                           WebSocketComponents components) {
        return super.newWebSocketCoreSession(request, handler, withSharedUri(negotiated), components);
    }

    /** {@code negotiated}, or the same with the shared instance of its request URI. */
    Negotiated withSharedUri(Negotiated negotiated) {
        java.net.URI uri = negotiated.getRequestURI();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            return negotiated;
        }
        java.net.URI shared = sharedUris.get(uri);
        if (shared == null) {
            if (sharedUris.size() >= MAX_SHARED_URIS) {
                sharedUris.clear(); // targets come from clients (a report id in the path): bounded
            }
            shared = sharedUris.computeIfAbsent(uri, first -> first);
        }
        return shared == uri ? negotiated : new Negotiated(shared, negotiated.getSubProtocol(), negotiated.isSecure(),
                negotiated.getExtensions(), negotiated.getProtocolVersion());
    }

    @Override
    protected WebSocketConnection createWebSocketConnection(Request request, WebSocketCoreSession session) {
        ConnectionMetaData metaData = request.getConnectionMetaData();
        Connector connector = metaData.getConnector();
        EndPoint endPoint = metaData.getConnection().getEndPoint();
        DirectConnection connection = new DirectConnection(endPoint, connector.getExecutor(), connector.getScheduler(),
                connector.getByteBufferPool(), session, useSend);
        session.setWebSocketConnection(connection);
        return connection;
    }

    @Override
    protected void prepareResponse(Response response, WebSocketNegotiation negotiation) {
        response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        response.getHeaders().put(UPGRADE_WEBSOCKET);
        response.getHeaders().put(CONNECTION_UPGRADE);
        response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_ACCEPT,
                WebSocketUtils.hashKey(((RFC6455Negotiation) negotiation).getKey()));
    }
}
