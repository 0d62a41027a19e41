package com.aegisx.ws.server.http;

import jakarta.servlet.Servlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The management port: {@code /metrics}, the debug endpoints, the operators' probes with details,
 * and whatever else is for operators and backends only (an admin console, an HTTP publish API). It
 * is a connector of its own on MANAGEMENT_HOST:MANAGEMENT_PORT, by default on loopback, so nothing
 * on it is reachable from where the clients are; the public port serves the WebSocket routes and
 * bare {@code /health} and {@code /ready} only.
 *
 * <p>To add an endpoint, give a servlet and its path before the node starts, e.g. from a route
 * factory: {@code services.management().add("/api/v1/publish", new PublishServlet(...))}. Being on
 * this port is the first wall, not the only one: an endpoint that changes anything should still
 * ask for the admin key ({@link AdminAuthenticator}), as the debug endpoints do. Every path here
 * answers only to the host names the port serves ({@link HostCheckHandler}, against DNS rebinding).
 */
public final class ManagementEndpoints {

    /** The Jetty connector's name, as shown in Jetty's logs and dumps. */
    public static final String CONNECTOR_NAME = "management";

    private final ServerConnector connector;
    private final ServletContextHandler context = new ServletContextHandler("/");
    private final ManagementHosts hosts;

    public ManagementEndpoints(Server server, String host, int port, ManagementHosts hosts) {
        this.hosts = hosts;
        this.connector = new ServerConnector(server);
        connector.setName(CONNECTOR_NAME);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
    }

    /** Serves {@code servlet} at {@code pathSpec} (servlet syntax: {@code /x}, {@code /x/*}) on the management port. */
    public ManagementEndpoints add(String pathSpec, Servlet servlet) {
        context.addServlet(new ServletHolder(servlet), pathSpec);
        return this;
    }

    /** The servlet context, for what {@link #add} does not cover (filters, static resources). */
    public ServletContextHandler context() {
        return context;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The handler that answers on the management connector only. */
    public Handler handler() {
        return onConnector(connector, new HostCheckHandler(hosts, context));
    }

    /** {@code handler} for requests that arrived on {@code connector}; others pass to the next handler. */
    public static Handler onConnector(Connector connector, Handler handler) {
        return new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return request.getConnectionMetaData().getConnector() == connector
                        && super.handle(request, response, callback);
            }
        };
    }
}
