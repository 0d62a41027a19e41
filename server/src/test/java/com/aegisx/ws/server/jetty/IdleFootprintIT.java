package com.aegisx.ws.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.testing.TestClient;
import java.util.Map;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketFrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an open socket no longer keeps (load-tests/README.md, idle): the HTTP upgrade request, the
 * token in its URI, the jakarta session's lists of built-in decoders and encoders and its user
 * properties, the resume token once welcome has shown it; and the socket still works.
 */
class IdleFootprintIT {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(1);

    private static LocalConnection only(String userId) {
        return cluster.node(0).hub().connections().stream()
                .filter(c -> userId.equals(c.userId())).findFirst().orElseThrow();
    }

    @Test
    void anOpenSocketKeepsNeitherTheUpgradeRequestNorTheToken() {
        String token = TestCluster.token("idle-user");
        TestClient client = TestClient.connect(cluster.uri(0, "/ws?token=" + token + "&lang=th"), Map.of());
        var welcome = client.next();
        assertEquals("welcome", welcome.path("type").asText());
        assertTrue(welcome.path("data").path("resumeToken").asText().startsWith(welcome.path("data").path("connectionId").asText() + "."),
                "welcome carries the resume token");
        assertEquals("idle-user", client.sendAndAwaitReply(Map.of("type", "get_status", "id", 1))
                .path("data").path("userId").asText());

        WebSocketCoreSession core = (WebSocketCoreSession) ((OutboundWriter) only("idle-user").outbound()).session();
        assertEquals("lang=th", core.getRequestURI().getQuery(), "the verified token is not kept in the session's URI");
        assertFalse(core.getParameterMap().containsKey("token"));
        assertEquals("/ws", core.getRequestURI().getPath());

        JakartaWebSocketFrameHandler handler = (JakartaWebSocketFrameHandler) core.getHandler();
        IllegalStateException released = assertThrows(IllegalStateException.class,
                () -> handler.getUpgradeRequest().getRequestURI());
        assertTrue(released.getMessage().contains("released"), released.getMessage());
        assertFalse(handler.getSession().getDecoders().iterator().hasNext(), "the built-in decoder list is emptied");
        assertTrue(BuiltInEncoders.supported(), "Jetty's AvailableEncoders still keeps its list in 'registeredEncoders'");
        assertEquals(0, BuiltInEncoders.count(handler.getSession()), "the built-in encoder list is emptied");
        assertTrue(handler.getSession().getUserProperties().isEmpty(),
                "the session's user properties (addresses, locales, the gate's ticket) are cleared");
        LocalConnection connection = only("idle-user");
        assertNull(connection.resumeToken(), "welcome showed the resume token; the socket no longer keeps it");
        assertTrue(connection.isResumable());

        // Text, ping and binary handling are unchanged.
        assertEquals("pong", client.sendAndAwaitReply(Map.of("type", "ping", "id", 2)).path("type").asText());
        assertEquals("subscribed", client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "idle:room", "id", 3))
                .path("type").asText());
        client.sendBinary(new byte[] {1, 2, 3});
        assertEquals(CloseCodes.UNSUPPORTED_DATA, client.awaitClose().statusCode());
    }

    @Test
    void socketsOnOneTargetShareTheirRequestUri() {
        cluster.connectAs(0, "uri-a");
        cluster.connectAs(0, "uri-b");
        WebSocketCoreSession a = (WebSocketCoreSession) ((OutboundWriter) only("uri-a").outbound()).session();
        WebSocketCoreSession b = (WebSocketCoreSession) ((OutboundWriter) only("uri-b").outbound()).session();
        assertEquals("/ws", a.getRequestURI().getPath());
        assertSame(a.getRequestURI(), b.getRequestURI(), "one URI instance for the target, not one per socket");
    }
}
