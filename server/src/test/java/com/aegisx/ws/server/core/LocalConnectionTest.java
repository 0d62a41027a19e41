package com.aegisx.ws.server.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.Identity;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalConnectionTest {

    private static LocalConnection socket() {
        return new LocalConnection("ws_test", "main", null, Identity.anonymous(), "127.0.0.1", "", 1 << 20, () -> { });
    }

    @Test
    void channelsAreASnapshotChangedOnlyThroughAddAndRemove() {
        LocalConnection connection = socket();
        assertEquals(Set.of(), connection.channels());
        assertTrue(connection.addChannel("a"));
        assertFalse(connection.addChannel("a"));
        Set<String> before = connection.channels();
        assertTrue(connection.addChannel("b"));
        assertTrue(connection.addChannel("c"));
        assertEquals(Set.of("a"), before, "a snapshot does not change afterwards");
        assertEquals(Set.of("a", "b", "c"), connection.channels());
        assertThrows(UnsupportedOperationException.class, () -> connection.channels().add("d"));

        assertTrue(connection.removeChannel("b"));
        assertFalse(connection.removeChannel("b"));
        assertEquals(Set.of("a", "c"), connection.channels());
        assertTrue(connection.removeChannel("a"));
        assertTrue(connection.removeChannel("c"));
        assertEquals(Set.of(), connection.channels());
    }
}
