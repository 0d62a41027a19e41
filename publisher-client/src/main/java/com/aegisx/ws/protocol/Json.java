package com.aegisx.ws.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shared Jackson mapper. Reading is constrained (nesting depth, number and string length)
 * because the nodes parse frames from untrusted clients with it.
 */
public final class Json {

    public static final int MAX_NESTING_DEPTH = 32;
    public static final int MAX_NUMBER_LENGTH = 100;

    public static final ObjectMapper MAPPER = createMapper();

    private Json() {
    }

    private static ObjectMapper createMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .build())
                .build();
        return new ObjectMapper(factory)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .findAndRegisterModules();
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses text that must be a JSON object; throws IllegalArgumentException otherwise. */
    public static ObjectNode parseObject(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("message must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * Turns a message given by a caller into a JSON object: a String is taken as JSON text, a
     * JsonNode as is (copied), anything else (Map, record, POJO) is converted by Jackson.
     */
    public static ObjectNode toObject(Object message) {
        if (message == null) {
            throw new IllegalArgumentException("message is required");
        }
        if (message instanceof String text) {
            return parseObject(text);
        }
        if (message instanceof ObjectNode node) {
            return node.deepCopy();
        }
        JsonNode node = MAPPER.valueToTree(message);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("message must serialize to a JSON object");
        }
        return (ObjectNode) node;
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }
}
