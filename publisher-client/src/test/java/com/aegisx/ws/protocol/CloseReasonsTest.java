package com.aegisx.ws.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CloseReasonsTest {

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void cutsMultiByteTextOnACodePointBoundary() {
        assertEquals("€".repeat(41), CloseReasons.truncate("€".repeat(50)), "41 × 3 = 123 bytes");
        assertEquals("a" + "€".repeat(40), CloseReasons.truncate("a" + "€".repeat(41)), "never half a character");
        String emoji = "ab" + "€".repeat(40) + "😀tail";
        assertEquals("ab" + "€".repeat(40), CloseReasons.truncate(emoji), "never half a surrogate pair");
        assertEquals("é".repeat(61), CloseReasons.truncate("é".repeat(100)));
        assertTrue(bytes(CloseReasons.truncate("x\uD800".repeat(100))) <= CloseReasons.MAX_BYTES, "lone surrogates");
    }

    @Test
    void leavesWhatFits() {
        assertEquals("a".repeat(123), CloseReasons.truncate("a".repeat(123)));
        assertEquals("a".repeat(123), CloseReasons.truncate("a".repeat(200)));
        assertNull(CloseReasons.truncate(null));
        assertTrue(CloseReasons.fits("€".repeat(41)));
        assertTrue(!CloseReasons.fits("€".repeat(42)));
    }

    @Test
    void aDisconnectCommandCarriesAtMost123Bytes() {
        NodeCommand sent = NodeCommand.disconnect("ws_n1_abc", 4010, "€".repeat(50));
        assertEquals("€".repeat(41), sent.reason());
        String longOnTheWire = "{\"op\":\"disconnect\",\"connectionId\":\"ws_n1_abc\",\"code\":4010,\"reason\":\""
                + "😀".repeat(40) + "\"}";
        assertEquals("😀".repeat(30), NodeCommand.decode(longOnTheWire).reason(), "from any Redis writer too");
    }
}
