package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.core.Route;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/** Installs the WebSocket routes of a node into its servlet context. */
public final class WebSocketRoutes {

    public static final String HEALTH_PATH = "/ws/health";

    private WebSocketRoutes() {
    }

    public static void install(ServletContextHandler context, NodeContext node, UpgradeTickets tickets,
                               List<Route> routes) {
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            // Here, after Jetty has put its WebSocketUpgradeFilter first, so this one goes before it.
            UpgradeRequestRelease.install(context);
            DirectHandshaker.install(context, node.config().sendSyscall());
            configureContainer(container, node);
            for (Route route : routes) {
                container.addEndpoint(ServerEndpointConfig.Builder.create(WsEndpoint.class, route.path())
                        .configurator(new EndpointConfigurator(() -> new WsEndpoint(node, route), tickets,
                                node.config().compression()))
                        .build());
            }
            addHealth(container, node, tickets);
        });
    }

    private static void configureContainer(ServerContainer container, NodeContext node) {
        container.setDefaultMaxTextMessageBufferSize(node.config().maxPayload());
        // Binary frames are refused at their first frame (the endpoint's binary handler is partial and
        // buffers nothing); this bound applies only to a whole-message binary handler.
        container.setDefaultMaxBinaryMessageBufferSize(1024);
        container.setDefaultMaxSessionIdleTimeout(
                node.config().connectionTimeout().plus(node.config().pingInterval()).toMillis());
    }

    private static void addHealth(ServerContainer container, NodeContext node, UpgradeTickets tickets)
            throws DeploymentException {
        container.addEndpoint(ServerEndpointConfig.Builder.create(HealthEndpoint.class, HEALTH_PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public void modifyHandshake(ServerEndpointConfig config, jakarta.websocket.server.HandshakeRequest request,
                                                jakarta.websocket.HandshakeResponse response) {
                        List<String> values = request.getHeaders().get(UpgradeTickets.HEADER);
                        tickets.take(values == null || values.isEmpty() ? null : values.get(0));
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return (T) new HealthEndpoint(node);
                    }
                })
                .build());
    }
}
