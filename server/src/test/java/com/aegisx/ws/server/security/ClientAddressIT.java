package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.HaproxyProcess;
import com.aegisx.ws.server.testing.RawWsClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 6: the recorded client address is the real one, whatever a client writes in
 * X-Forwarded-For. Through the shipped HAProxy config, with and without the PROXY protocol. On
 * loopback the client connects from 127.0.0.2, so it is not the load balancer (127.0.0.1), which
 * alone is trusted.
 */
class ClientAddressIT {

    private static final String CLIENT = "127.0.0.2";
    private static final String LOAD_BALANCER = "127.0.0.1";

    private static String recordedAddress(TestCluster cluster, URI uri) throws IOException {
        try (RawWsClient client = RawWsClient.builder(uri).localAddress(CLIENT)
                .header("X-Forwarded-For", "203.0.113.66").connect()) {
            String connectionId = client.readTextJson().path("data").path("connectionId").asText();
            return cluster.redis().hget(cluster.keys().connection(connectionId), "ip");
        }
    }

    @Test
    void throughHaproxyWithTheProxyProtocolTheRealClientAddressIsRecorded() throws Exception {
        HaproxyProcess.requireInstalled();
        try (TestCluster cluster = TestCluster.start(1, Map.of("PROXY_PROTOCOL", "true",
                "TRUSTED_PROXIES", LOAD_BALANCER));
             HaproxyProcess haproxy = HaproxyProcess.start(List.of(cluster.node(0).port()),
                     Map.of("PROXY_PROTOCOL", "true"))) {
            URI balanced = URI.create("ws://127.0.0.1:" + haproxy.port() + "/ws");
            assertEquals(CLIENT, recordedAddress(cluster, balanced), "the PROXY header's address, not the forged one");
        }
    }

    @Test
    void throughHaproxyWithForwardedForOnlyTheLoadBalancerIsTrusted() throws Exception {
        HaproxyProcess.requireInstalled();
        try (TestCluster cluster = TestCluster.start(1, Map.of("TRUSTED_PROXIES", LOAD_BALANCER));
             HaproxyProcess haproxy = HaproxyProcess.start(List.of(cluster.node(0).port()))) {
            URI balanced = URI.create("ws://127.0.0.1:" + haproxy.port() + "/ws");
            assertEquals(CLIENT, recordedAddress(cluster, balanced), "HAProxy's entry, not the client's own");
        }
    }

    @Test
    void aProxyHeaderFromAPeerThatIsNotTheLoadBalancerIsRefused() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("PROXY_PROTOCOL", "true",
                "TRUSTED_PROXIES", LOAD_BALANCER))) {
            int port = cluster.node(0).port();
            // A client reaching the node directly names an address of its choice in a PROXY v1 header.
            String request = "PROXY TCP4 198.51.100.1 127.0.0.1 40000 " + port + "\r\n"
                    + "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.bind(new java.net.InetSocketAddress(CLIENT, 0));
                socket.connect(new java.net.InetSocketAddress(LOAD_BALANCER, port));
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 403", status);
            }
            // Without a PROXY header the same client is served, under its own address.
            assertEquals(CLIENT, recordedAddress(cluster, cluster.uri(0, "/ws")));
        }
    }
}
