package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.CloseReasons;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.server.core.ConnectionHub;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.aegisx.ws.server.core.Resume;
import com.aegisx.ws.server.core.Route;
import com.aegisx.ws.server.logging.ConnectionLog;
import com.aegisx.ws.server.metrics.InternalErrors;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.ee10.websocket.jakarta.common.decoders.RegisteredDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket's jakarta endpoint, on any route: registers the connection, sends {@code welcome}
 * once Redis has confirmed everything, feeds frames to the {@link ClientProtocol}, and cleans up
 * on close.
 */
public final class WsEndpoint extends Endpoint implements MessageHandler.Whole<String>, MessageHandler.Partial<ByteBuffer> {

    private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);

    private final NodeContext node;
    private final Route route;
    private volatile LocalConnection connection;

    WsEndpoint(NodeContext node, Route route) {
        this.node = node;
        this.route = route;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // Removed, not read: the endpoint config copy lives as long as the socket, the ticket need not.
        Map<String, Object> properties = config.getUserProperties();
        UpgradeTicket ticket = (UpgradeTicket) properties.remove(EndpointConfigurator.TICKET_PROPERTY);
        // Jetty fills this per-socket map (it is also the session's) with the remote and local
        // addresses and the request's locales; nothing reads them (the ticket carries the client's
        // address), and they would stay as long as the socket (~150 bytes of map entries).
        properties.clear();
        JakartaWebSocketSession jakartaSession = (JakartaWebSocketSession) session;
        if (ticket == null) {
            // Only reachable if the gate was bypassed; refuse rather than run unauthenticated.
            log.error("Upgrade without a gate ticket on {}; closing", route.path());
            jakartaSession.getCoreSession().close(CloseCodes.POLICY_VIOLATION, "not authorized", org.eclipse.jetty.util.Callback.NOOP);
            return;
        }
        session.setMaxTextMessageBufferSize(node.config().maxPayload());
        session.setMaxIdleTimeout(node.config().connectionTimeout().plus(node.config().pingInterval()).toMillis());
        // The gate chose the id: it may already hold this connection's places under the connection limits.
        String id = ticket.connectionId() != null ? ticket.connectionId() : Identifiers.newConnectionId(node.hub().nodeId());
        OutboundWriter outbound = new OutboundWriter(jakartaSession.getCoreSession(),
                node.config().maxOutboundBytes(), this::onSlowConsumer);
        LocalConnection local = new LocalConnection(id, route.name(), outbound, ticket.identity(), ticket.ip(),
                ticket.userAgent());
        this.connection = local;
        node.counters().opened.incrementAndGet();

        // The endpoint is its own text and binary handler: no handler object per socket.
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this);
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> local.touch());
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this);
        dropUnusedDecoders(jakartaSession);
        BuiltInEncoders.drop(jakartaSession);

        if (node.hub().isDraining()) {
            // Upgraded while the node began to drain: a restart close, never a welcome cut off later.
            node.protocol().guard().abandoned(local);
            local.close(CloseCodes.SERVICE_RESTART, "service restart");
            return;
        }
        Map<String, String> pathParameters = session.getPathParameters();
        ObjectNode pathError = route.handler().rejectPath(pathParameters);
        if (pathError != null) {
            local.send(pathError);
            node.protocol().guard().abandoned(local);
            // A route's message may be longer than a close frame carries (the full text went in the error above).
            local.close(CloseCodes.POLICY_VIOLATION,
                    CloseReasons.truncate(pathError.path("message").asText("invalid path")));
            return;
        }

        // Welcome is sent inside the chained step, so frames the client sent early (queued behind
        // it by ClientProtocol) are answered only after it.
        local.serially(() -> node.hub().open(local)
                .thenCompose(ignored -> route.handler().onRegistered(local, pathParameters))
                .thenRun(() -> {
                    if (node.protocol().resume() != null) {
                        node.protocol().resume().issue(local);
                    }
                })
                .handle((ignored, error) -> {
                    if (error != null && (error instanceof ConnectionHub.DrainingException
                            || error.getCause() instanceof ConnectionHub.DrainingException)) {
                        local.close(CloseCodes.SERVICE_RESTART, "service restart");
                        return null;
                    }
                    if (error != null) {
                        log.warn("Could not register connectionId={} on {}: {}", id, route.path(), error.toString());
                        local.send(Replies.error(ErrorCodes.UNAVAILABLE, "Service unavailable, retry later", null));
                        local.close(CloseCodes.TRY_AGAIN_LATER, "registration failed");
                        return null;
                    }
                    // INFO as the spec asks, but rate-limited: a synchronous line per connect was a
                    // measurable part of the node's cost per connection (load-tests/README.md, churn).
                    ConnectionLog.established(log, node.hub().nodeId(), id, local.userId(), route.name(),
                            node.hub().size());
                    local.send(Replies.welcome(local, availableTo(local)));
                    local.markWelcomed();
                    node.protocol().guard().opened(local);
                    route.handler().afterWelcome(local, pathParameters);
                    return null;
                })).whenComplete(InternalErrors.of("opening a socket"));
    }

    /** WEBSOCKET_AVAILABLE_CHANNELS without the channels this connection may not subscribe to. */
    private java.util.List<String> availableTo(LocalConnection local) {
        var policy = node.config().auth().channelPolicy();
        return node.config().availableChannels().stream()
                .filter(channel -> policy.canSubscribe(local.identity(), channel).allowed())
                .toList();
    }

    /**
     * Jetty's jakarta session builds, for every socket, a list of its 21 built-in decoders (one
     * {@code RegisteredDecoder} each, ~0.9 KiB per socket in a heap dump). The list is read when a
     * message handler is added, and each handler keeps the decoders it uses; this endpoint adds all
     * of its handlers in {@code onOpen}, so the list is emptied (through its iterator) right after.
     * The decoders left out are no longer {@code destroy()}ed at close: the built-in ones do nothing there.
     */
    static void dropUnusedDecoders(JakartaWebSocketSession session) {
        try {
            for (Iterator<RegisteredDecoder> it = session.getDecoders().iterator(); it.hasNext(); ) {
                it.next();
                it.remove();
            }
        } catch (UnsupportedOperationException e) {
            // A Jetty whose list cannot be changed: the socket works the same, it only keeps the list.
        }
    }

    /** A text message (Jetty has put its frames together, up to WEBSOCKET_MAX_PAYLOAD). */
    @Override
    public void onMessage(String text) {
        node.counters().messagesIn.increment();
        node.counters().bytesIn.add(text.length());
        LocalConnection local = connection;
        ConnectionLog.enter(node.hub().nodeId(), local.id(), local.userId());
        try {
            node.protocol().onText(local, route.handler(), text);
        } finally {
            ConnectionLog.clear();
        }
    }

    /**
     * A binary frame: refused. Partial, not whole: the first frame is refused as it arrives (nothing
     * is buffered), and a partial handler takes no decoders (a whole one held ~150 bytes more per socket).
     */
    @Override
    public void onMessage(ByteBuffer bytes, boolean last) {
        LocalConnection local = connection;
        if (!local.isOpen()) {
            return; // a later frame of the message that was refused, or the socket is closing anyway
        }
        node.counters().binaryRejected.incrementAndGet();
        log.info("Binary frame from connectionId={}; closing with {}", local.id(), CloseCodes.UNSUPPORTED_DATA);
        local.close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported, send JSON text");
    }

    private void onSlowConsumer() {
        node.counters().slowConsumers.incrementAndGet();
        LocalConnection local = connection;
        if (local == null) {
            return; // cannot happen: nothing is sent before the connection is set
        }
        log.warn("Slow consumer connectionId={} userId={}: outbound queue over {} bytes; closing with {}",
                local.id(), local.userId(), node.config().maxOutboundBytes(), CloseCodes.SLOW_CONSUMER);
        local.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
        // A consumer this slow may never read the close frame either.
        node.scheduler().schedule(local::abort, node.config().slowConsumerAbort().toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        LocalConnection local = connection;
        if (local == null) {
            return;
        }
        node.counters().closed.incrementAndGet();
        ((OutboundWriter) local.outbound()).refuseFrames();
        route.handler().onClose(local);
        node.protocol().guard().closed(local);
        Resume resume = node.protocol().resume();
        if (resume != null) {
            // What the socket had, for a client that resumes elsewhere (before the indexes forget it).
            local.serially(() -> resume.closed(local));
        }
        // After registration, so a socket closing while it registers is still removed from Redis.
        int code = reason.getCloseCode().getCode();
        String phrase = reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase();
        local.serially(() -> node.hub().closed(local, code, phrase)).whenComplete(InternalErrors.of("closing a socket"));
        ConnectionLog.enter(node.hub().nodeId(), local.id(), local.userId());
        try {
            log.info("WebSocket connection closed connectionId={} userId={} code={} reason={} totalConnections={}",
                    local.id(), LogSafe.text(local.userId()), code, LogSafe.text(phrase), node.hub().size());
        } finally {
            ConnectionLog.clear();
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        LocalConnection local = connection;
        if (local == null) {
            ConnectionLog.error(log, null, error);
            return;
        }
        ConnectionLog.enter(node.hub().nodeId(), local.id(), local.userId());
        try {
            ConnectionLog.error(log, local.id(), error);
        } finally {
            ConnectionLog.clear();
        }
    }
}
