package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.http.HostCheckHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a page in a browser on the node's host can point its own name at 127.0.0.1 and
 * read the management port as same-origin. The browser still sends that name in {@code Host}, so
 * the management port answers only to the names it serves (421 for the rest), on every path.
 */
class ManagementHostIT {

    @Test
    void aForeignHostIsRefusedOnEveryManagementPathAndServedNamesPass() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("ADMIN_API_KEY", SecretsInLogsIT.API_KEY,
                "MANAGEMENT_ALLOWED_HOSTS", "prometheus.internal, Metrics-Alias"))) {
            int port = cluster.node(0).managementPort();
            for (String path : List.of("/metrics", "/health", "/ready", "/admin/", "/api/v1/admin/nodes",
                    "/api/v1/debug/websocket/channels", "/api/v1/publish", "/nowhere")) {
                String refused = get(port, path, "evil.example");
                assertTrue(refused.startsWith("HTTP/1.1 421 "), path + ": " + refused);
                assertTrue(refused.contains(HostCheckHandler.REASON.trim()), refused);
                assertFalse(refused.contains(cluster.node(0).nodeId()), "nothing of the node leaks: " + refused);
                assertTrue(get(port, path, "evil.example:" + port).startsWith("HTTP/1.1 421 "), path);
            }
            // The rebinding page's name, however it is dressed.
            for (String host : List.of("127.0.0.1.evil.example", "localhost.evil.example", "evil.example:" + port,
                    "localhost:80@evil.example", "", "[::1", "127.0.0.1:abc", "999.0.0.1")) {
                assertTrue(get(port, "/metrics", host).startsWith("HTTP/1.1 4"), host + ": " + get(port, "/metrics", host));
                assertFalse(get(port, "/metrics", host).contains("ws_connections"), host);
            }
            for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "localhost", "localhost:" + port,
                    "LOCALHOST", "[::1]:" + port, "[::1]", "prometheus.internal:" + port, "metrics-alias")) {
                String served = get(port, "/metrics", host);
                assertTrue(served.startsWith("HTTP/1.1 200 "), host + ": " + served);
                assertTrue(served.contains("ws_connections"), host);
            }
            // HTTP/1.0 without Host (the image's HEALTHCHECK): no browser sends that.
            assertTrue(request(port, "GET /ready HTTP/1.0\r\n\r\n").startsWith("HTTP/1.1 200 "));
            // The public port is not the management port: its Host is the load balancer's business.
            assertTrue(get(cluster.node(0).port(), "/health", "evil.example").startsWith("HTTP/1.1 200 "));
        }
    }

    @Test
    void onAWildcardBindTheNodesOwnAddressAndAdvertisedNamePass() throws Exception {
        // compose with MANAGEMENT_HOST=0.0.0.0 for a Prometheus that scrapes node1:4000.
        try (TestCluster cluster = TestCluster.start(1, Map.of("MANAGEMENT_HOST", "0.0.0.0",
                "ADVERTISED_HOST", "node1"))) {
            int port = cluster.node(0).managementPort();
            String own = ownAddress();
            try (Socket socket = new Socket(own, port)) {
                assertTrue(socket.isConnected());
            }
            assertTrue(request(own, port, "GET /metrics HTTP/1.1\r\nHost: " + own + ":" + port
                    + "\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200 "), own);
            assertTrue(get(port, "/metrics", "node1:" + port).startsWith("HTTP/1.1 200 "));
            assertTrue(get(port, "/metrics", "evil.example").startsWith("HTTP/1.1 421 "));
            // The image's HEALTHCHECK, on the wildcard bind too.
            assertTrue(request(own, port, "GET /ready HTTP/1.0\r\n\r\n").startsWith("HTTP/1.1 200 "));
        }
    }

    /** A non-loopback IPv4 address of this host if it has one (a container's), else 127.0.0.1. */
    private static String ownAddress() throws IOException {
        return java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(nic -> java.util.Collections.list(nic.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .map(java.net.InetAddress::getHostAddress).findFirst().orElse("127.0.0.1");
    }

    private static String get(int port, String path, String host) throws IOException {
        return request(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    /** Raw HTTP: Java's HttpClient does not let a caller choose the Host header. */
    private static String request(int port, String raw) throws IOException {
        return request("127.0.0.1", port, raw);
    }

    private static String request(String address, int port, String raw) throws IOException {
        try (Socket socket = new Socket(address, port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }
}
