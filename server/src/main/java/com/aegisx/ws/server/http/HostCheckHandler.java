package com.aegisx.ws.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * In front of every management endpoint: a request whose {@code Host} names a host this port does
 * not serve ({@link ManagementHosts}) gets 421 Misdirected Request and a one-line plain reason,
 * before any servlet sees it (against DNS rebinding: a page that pointed its own name at this
 * host). 421 rather than 403: the request is not forbidden to its sender, it was sent under a
 * name this server does not answer to.
 */
public final class HostCheckHandler extends Handler.Wrapper {

    public static final int STATUS = 421;
    public static final String REASON =
            "Misdirected Request: this management port does not serve that Host (see MANAGEMENT_ALLOWED_HOSTS)\n";

    private final ManagementHosts hosts;

    public HostCheckHandler(ManagementHosts hosts, Handler next) {
        super(next);
        this.hosts = hosts;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (hosts.serves(request.getHeaders().get(HttpHeader.HOST), localAddress(request))) {
            return super.handle(request, response, callback);
        }
        response.setStatus(STATUS);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, BufferUtil.toBuffer(REASON, StandardCharsets.UTF_8), callback);
        return true;
    }

    private static InetAddress localAddress(Request request) {
        SocketAddress local = request.getConnectionMetaData().getLocalSocketAddress();
        return local instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
