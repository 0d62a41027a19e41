package com.aegisx.ws.server.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagementHostsTest {

    private final ManagementHosts hosts = new ManagementHosts(List.of("0.0.0.0", "Node1", "10.1.2.3", "fd00::7"));

    @Test
    void servesLoopbackTheLocalAddressAndTheGivenNames() throws Exception {
        InetAddress local = InetAddress.getByName("172.28.0.5");
        for (String host : List.of("localhost", "localhost:4000", "127.0.0.1", "127.0.0.1:4000", "127.1.2.3",
                "[::1]", "[::1]:4000", "[0:0:0:0:0:0:0:1]", "node1", "NODE1:4000", "10.1.2.3:4000",
                "[fd00:0::7]:4000", "172.28.0.5:4000")) {
            assertTrue(hosts.serves(host, local), host);
        }
        assertTrue(hosts.serves(null, local), "no Host (HTTP/1.0): no browser");
    }

    @Test
    void refusesEveryOtherName() throws Exception {
        InetAddress local = InetAddress.getByName("127.0.0.1");
        for (String host : List.of("evil.example", "evil.example:4000", "localhost.evil.example", "node1.evil.example",
                "0.0.0.0", "172.28.0.5", "", ":4000", "localhost:x", "[::1", "[::1]x", "::1",
                "999.0.0.1", "localhost.", "user@localhost", "localhost:4000:1", "node 1")) {
            assertFalse(hosts.serves(host, local), host);
        }
    }

    @Test
    void literalsNeverAskDns() {
        assertNull(ManagementHosts.literal("example.com"));
        assertNull(ManagementHosts.literal("256.1.1.1"));
        assertTrue(ManagementHosts.isValidHost("prometheus.internal"));
        assertTrue(ManagementHosts.isValidHost("[::1]"));
        assertFalse(ManagementHosts.isValidHost("host:9090"));
        assertFalse(ManagementHosts.isValidHost("*"));
    }
}
