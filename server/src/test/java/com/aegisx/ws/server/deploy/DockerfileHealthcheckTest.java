package com.aegisx.ws.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The image's HEALTHCHECK follows GET /ready's status, not merely whether the port answers. */
class DockerfileHealthcheckTest {

    @Test
    void onlyA200FromReadyIsHealthy() throws Exception {
        AtomicInteger readyStatus = new AtomicInteger(503);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            int status = exchange.getRequestURI().getPath().equals("/ready") ? readyStatus.get() : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        try {
            Map<String, String> env = Map.of("MANAGEMENT_PORT", Integer.toString(server.getAddress().getPort()));
            assertNotEquals(0, DockerHealthcheck.run(env), "503 from /ready (the node alive but not ready) is unhealthy");
            readyStatus.set(200);
            assertEquals(0, DockerHealthcheck.run(env));
            // Unset, the management port is PORT + 1000, as in the node.
            int port = server.getAddress().getPort();
            if (port > 1000) {
                assertEquals(0, DockerHealthcheck.run(Map.of("PORT", Integer.toString(port - 1000))));
            }
        } finally {
            server.stop(0);
        }
    }
}
