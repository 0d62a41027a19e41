package com.aegisx.ws.server.reports;

import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code apply_filter} of the stream route: a point passes when every named top-level field
 * equals the given value. Values are scalars (string, number, boolean, or null meaning "absent or
 * null"); numbers compare by value ({@code 100} equals {@code 100.0}) and must be finite (a
 * {@code 1e999} is refused); strings are case-sensitive.
 * An empty object (or null) clears the filter.
 */
public final class PointFilter {

    public static final int MAX_FIELDS = 20;
    public static final int MAX_FIELD_LENGTH = 100;
    public static final int MAX_VALUE_LENGTH = 1_000;
    public static final PointFilter NONE = new PointFilter(Map.of());

    private final Map<String, JsonNode> equalities;

    private PointFilter(Map<String, JsonNode> equalities) {
        this.equalities = Collections.unmodifiableMap(equalities);
    }

    /** Parses the client's {@code filter}; throws IllegalArgumentException with a message for the client. */
    public static PointFilter parse(JsonNode filter) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return NONE;
        }
        if (!filter.isObject()) {
            throw new IllegalArgumentException("filter must be an object of field: value");
        }
        if (filter.size() > MAX_FIELDS) {
            throw new IllegalArgumentException("filter may name at most " + MAX_FIELDS + " fields");
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = filter.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = entry.getKey();
            JsonNode value = entry.getValue();
            if (field.isEmpty() || field.length() > MAX_FIELD_LENGTH) {
                throw new IllegalArgumentException("filter field names must be 1-" + MAX_FIELD_LENGTH + " characters");
            }
            if (!(value.isValueNode())) {
                throw new IllegalArgumentException("filter value of '" + abbreviate(field)
                        + "' must be a string, number, boolean or null");
            }
            if (value.isTextual() && value.asText().length() > MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("filter values must be at most " + MAX_VALUE_LENGTH + " characters");
            }
            if (value.isNumber() && !isFinite(value)) {
                // 1e999 parses to Infinity: no point can carry it, and it has no exact decimal value.
                throw new IllegalArgumentException("filter value of '" + abbreviate(field) + "' must be a finite number");
            }
            out.put(field, value);
        }
        return out.isEmpty() ? NONE : new PointFilter(out);
    }

    public boolean isEmpty() {
        return equalities.isEmpty();
    }

    public boolean matches(JsonNode point) {
        if (equalities.isEmpty()) {
            return true;
        }
        if (point == null || !point.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> entry : equalities.entrySet()) {
            if (!equal(entry.getValue(), point.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean equal(JsonNode expected, JsonNode actual) {
        if (expected.isNull()) {
            return actual == null || actual.isNull();
        }
        if (actual == null) {
            return false;
        }
        if (expected.isNumber() && actual.isNumber()) {
            if (!isFinite(expected) || !isFinite(actual)) {
                // A published 1e999 is Infinity too; decimalValue() would throw on it.
                return expected.doubleValue() == actual.doubleValue();
            }
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return expected.equals(actual);
    }

    /** Integers and decimals always are; a double or float is when it is neither infinite nor NaN. */
    private static boolean isFinite(JsonNode number) {
        return !(number.isDouble() || number.isFloat()) || Double.isFinite(number.doubleValue());
    }

    /** The filter as the client sees it in {@code filter_applied}. */
    public ObjectNode toJson() {
        ObjectNode out = Json.object();
        equalities.forEach(out::set);
        return out;
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
