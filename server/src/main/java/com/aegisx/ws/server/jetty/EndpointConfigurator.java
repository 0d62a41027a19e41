package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.auth.BearerToken;
import com.aegisx.ws.server.auth.TokenExtractor;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.function.Supplier;

/**
 * Creates one endpoint instance per socket and carries the gate's ticket into its user
 * properties. Origin and authentication were already decided by the {@link UpgradeGate}.
 */
final class EndpointConfigurator extends ServerEndpointConfig.Configurator {

    static final String TICKET_PROPERTY = "ws.ticket";

    private final Supplier<WsEndpoint> factory;
    private final UpgradeTickets tickets;
    private final boolean compression;

    EndpointConfigurator(Supplier<WsEndpoint> factory, UpgradeTickets tickets, boolean compression) {
        this.factory = factory;
        this.tickets = tickets;
        this.compression = compression;
    }

    /** Extensions (permessage-deflate) only when WEBSOCKET_COMPRESSION is on. */
    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return compression ? super.getNegotiatedExtensions(installed, requested) : List.of();
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        List<String> values = request.getHeaders().get(UpgradeTickets.HEADER);
        UpgradeTicket ticket = tickets.take(values == null || values.isEmpty() ? null : values.get(0));
        if (ticket != null) {
            config.getUserProperties().put(TICKET_PROPERTY, ticket);
        }
    }

    /**
     * A token sent as a subprotocol ({@code bearer, <token>} or {@code bearer.<token>}) must be
     * answered with the carrier value, or browsers fail the handshake; other offers are declined.
     */
    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        String echo = TokenExtractor.fromSubprotocols(requested).flatMap(BearerToken::echoSubprotocol).orElse(null);
        if (echo != null) {
            return echo;
        }
        for (String offered : requested) {
            if (supported.contains(offered)) {
                return offered;
            }
        }
        return "";
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return (T) factory.get();
    }
}
