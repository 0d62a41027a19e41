package com.aegisx.ws.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, items 5 and 6, on the shipped {@code docker/compose.yaml}: Redis is not published and
 * wants credentials, the nodes carry theirs in REDIS_URL, and only HAProxy's own address is trusted
 * to state a client's address (with the PROXY protocol between them).
 */
class ComposeFileTest {

    private static final Map<String, String> ENV = Map.of("REDIS_NODE_PASSWORD", "np", "REDIS_PUBLISHER_PASSWORD", "pp",
            "JWT_SECRET", "s", "ALLOWED_ORIGINS", "o");

    @Test
    void redisIsNotPublishedAndHasNoPasswordlessUser() throws Exception {
        ComposeFile compose = ComposeFile.read();
        assertFalse(compose.has("redis", "ports"), "Redis must not be published on the host");
        List<String> command = compose.command("redis", ENV);
        List<List<String>> users = compose.redisUsers(ENV);
        assertTrue(users.contains(List.of("default", "off")), "the default user is off: " + command);
        for (List<String> user : users) {
            if (user.contains("on")) {
                assertTrue(user.stream().anyMatch(rule -> rule.startsWith(">") && rule.length() > 1),
                        "every enabled user has a password: " + user);
                assertFalse(user.contains("nopass") || user.contains("+@all") || user.contains("allkeys"),
                        "no user may do everything: " + user);
            }
        }
        List<String> nodeUser = users.stream().filter(u -> u.get(0).equals("ws-node")).findFirst().orElseThrow();
        assertEquals(com.aegisx.ws.server.testing.NodeAcl.rules("ws"), nodeUser.subList(3, nodeUser.size()),
                "the compose file grants the nodes exactly the rights the TLS/ACL ITs run them with");
        String redisUrl = ComposeFile.substitute(compose.value("node1", "REDIS_URL"), ENV);
        assertEquals("redis://ws-node:np@redis:6379", redisUrl, "the nodes authenticate as their ACL user");
    }

    @Test
    void onlyTheLoadBalancerStatesClientAddresses() throws Exception {
        ComposeFile compose = ComposeFile.read();
        String haproxyAddress = compose.value("haproxy", "ipv4_address");
        assertTrue(haproxyAddress != null && haproxyAddress.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"),
                "HAProxy has a fixed address: " + haproxyAddress);
        assertEquals(haproxyAddress, compose.value("node1", "TRUSTED_PROXIES"),
                "the nodes trust HAProxy alone, not whole private ranges a client may sit in");
        assertEquals("true", compose.value("node1", "PROXY_PROTOCOL"));
        assertEquals("true", compose.value("haproxy", "PROXY_PROTOCOL"), "HAProxy sends the PROXY header");
        assertFalse(compose.has("node1", "ports"), "the nodes are reached through HAProxy only");
    }
}
