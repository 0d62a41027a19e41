package com.aegisx.ws.server.http;

import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading and writing the JSON of the HTTP APIs (admin, publish, auth check). */
public final class JsonHttp {

    private JsonHttp() {
    }

    /** The request body as text; IllegalArgumentException when it is longer than {@code maxBytes}. */
    public static String readBody(HttpServletRequest request, int maxBytes) throws IOException {
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IllegalArgumentException("body larger than " + maxBytes + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** The body as a JSON object; null after answering 400 when it is not one (or too long). */
    public static ObjectNode readObject(HttpServletRequest request, HttpServletResponse response, int maxBytes)
            throws IOException {
        try {
            return Json.parseObject(readBody(request, maxBytes));
        } catch (IllegalArgumentException e) {
            reply(response, HttpServletResponse.SC_BAD_REQUEST, problem("bad_request", e.getMessage()));
            return null;
        }
    }

    /** A non-empty string field of a JSON object, or null. */
    public static String text(com.fasterxml.jackson.databind.JsonNode object, String field) {
        com.fasterxml.jackson.databind.JsonNode node = object.get(field);
        return node == null || !node.isTextual() || node.asText().isEmpty() ? null : node.asText();
    }

    public static ObjectNode problem(String code, String message) {
        return Json.object().put("error", code).put("message", message);
    }

    /** Writes {@code body} with {@code status}; never cached. */
    public static void reply(HttpServletResponse response, int status, ObjectNode body) throws IOException {
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
