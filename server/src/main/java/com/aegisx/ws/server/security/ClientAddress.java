package com.aegisx.ws.server.security;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.Request;

/**
 * Where a request really comes from, as far as this node can vouch for it.
 *
 * <ul>
 *   <li>With the PROXY protocol (PROXY_PROTOCOL=true, HAProxy {@code send-proxy-v2}) the load
 *       balancer states the client's address in front of the connection. That header is believed
 *       only when the TCP peer that sent it is a trusted proxy (TRUSTED_PROXIES); from anyone else
 *       the request is refused ({@link #UNTRUSTED}), or a client reaching a node directly could
 *       name any address.</li>
 *   <li>Otherwise (or behind a chain of trusted proxies) {@code X-Forwarded-For} is read right to
 *       left through TRUSTED_PROXIES ({@link TrustedProxies#clientAddress}).</li>
 * </ul>
 */
public final class ClientAddress {

    /** Returned for a PROXY header from a peer that is not a trusted proxy. */
    public static final String UNTRUSTED = null;

    private ClientAddress() {
    }

    /** The client's address, or {@link #UNTRUSTED} (null) when the request must be refused. */
    public static String of(Request request, TrustedProxies proxies) {
        String peer = Request.getRemoteAddr(request);
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (endPoint instanceof ProxyConnectionFactory.ProxyEndPoint proxied) {
            String sender = address(proxied.unwrap().getRemoteSocketAddress());
            if (!proxies.isTrusted(sender)) {
                return UNTRUSTED;
            }
        }
        List<String> forwardedFor = request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
        return proxies.clientAddress(peer, forwardedFor);
    }

    private static String address(SocketAddress socket) {
        if (socket instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(socket);
    }
}
