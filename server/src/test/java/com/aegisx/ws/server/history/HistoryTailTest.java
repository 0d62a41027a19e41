package com.aegisx.ws.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HistoryTailTest {

    @Test
    void readsTheOffsetAndEpochTheScriptAppends() {
        String text = "{\"channel\":\"c\",\"timestamp\":\"2024-01-07T10:30:00.000Z\",\"n\":1,\"offset\":42,\"epoch\":\"1764400000123456\"}";
        assertEquals(42, HistoryTail.offset(text));
        assertEquals("1764400000123456", HistoryTail.epoch(text));
        assertEquals(7, HistoryTail.offset("{\"offset\":7,\"epoch\":\"e\"}"));
    }

    @Test
    void aMessageWithoutTheTailHasNone() {
        assertEquals(-1, HistoryTail.offset("{\"type\":\"raw\"}"));
        assertNull(HistoryTail.epoch("{\"type\":\"raw\"}"));
        assertEquals(-1, HistoryTail.offset("{\"offset\":\"7\",\"epoch\":\"e\"}"));
        assertEquals(-1, HistoryTail.offset("{\"x\":\"a,\\\"epoch\\\":\\\"e\"}"));
        assertEquals(-1, HistoryTail.offset("{\"offset\":99999999999999999999,\"epoch\":\"e\"}"));
        assertEquals(-1, HistoryTail.offset("\"}"));
    }
}
