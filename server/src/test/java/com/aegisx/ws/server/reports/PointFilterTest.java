package com.aegisx.ws.server.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PointFilterTest {

    private static JsonNode json(String text) {
        return Json.parseObject(text);
    }

    @Test
    void specExampleKeepsOnlyPointsWhoseFieldsAllMatch() {
        PointFilter filter = PointFilter.parse(json("{\"status\":\"active\",\"department\":\"sales\"}"));
        assertTrue(filter.matches(json("{\"status\":\"active\",\"department\":\"sales\",\"value\":3}")));
        assertFalse(filter.matches(json("{\"status\":\"active\",\"department\":\"hr\"}")));
        assertFalse(filter.matches(json("{\"status\":\"active\"}")));
        assertFalse(filter.matches(json("{\"status\":\"Active\",\"department\":\"sales\"}")));
    }

    @Test
    void numbersCompareByValueAndNullMeansAbsentOrNull() {
        PointFilter filter = PointFilter.parse(json("{\"value\":100,\"note\":null}"));
        assertTrue(filter.matches(json("{\"value\":100.0}")));
        assertTrue(filter.matches(json("{\"value\":100,\"note\":null}")));
        assertFalse(filter.matches(json("{\"value\":100,\"note\":\"x\"}")));
        assertFalse(filter.matches(json("{\"value\":\"100\"}")));
    }

    @Test
    void emptyOrNullClearsTheFilter() {
        assertSame(PointFilter.NONE, PointFilter.parse(null));
        assertSame(PointFilter.NONE, PointFilter.parse(json("{}")));
        assertTrue(PointFilter.NONE.matches(json("{\"a\":1}")));
        assertEquals("{}", PointFilter.NONE.toJson().toString());
    }

    @Test
    void nonScalarValuesAndNonObjectsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PointFilter.parse(json("{\"a\":{\"b\":1}}")));
        assertThrows(IllegalArgumentException.class, () -> PointFilter.parse(json("{\"a\":[1]}")));
        assertThrows(IllegalArgumentException.class, () -> PointFilter.parse(Json.MAPPER.valueToTree("text")));
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i <= PointFilter.MAX_FIELDS; i++) {
            many.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":1");
        }
        assertThrows(IllegalArgumentException.class, () -> PointFilter.parse(json(many.append("}").toString())));
    }

    @Test
    void nonFiniteNumbersAreRefusedAndComparedWithoutThrowing() {
        assertThrows(IllegalArgumentException.class, () -> PointFilter.parse(json("{\"value\":1e999}")));
        assertThrows(IllegalArgumentException.class, () -> PointFilter.parse(json("{\"value\":-1e999}")));
        // A published point may carry an overflowing number too: it matches nothing finite, and never throws.
        PointFilter filter = PointFilter.parse(json("{\"value\":1}"));
        assertFalse(filter.matches(json("{\"value\":1e999}")));
        assertTrue(filter.matches(json("{\"value\":1.0}")));
    }
}
