package com.aegisx.ws.server.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What one WebSocket route adds to the common protocol ({@code subscribe}, {@code unsubscribe},
 * {@code ping}, {@code get_status}, handled by {@link ClientProtocol} on every route).
 */
public interface RouteHandler {

    /**
     * Checks the path parameters before anything is registered; a non-null result is sent as an
     * error and the socket is closed with {@link com.aegisx.ws.protocol.CloseCodes#POLICY_VIOLATION}.
     */
    default ObjectNode rejectPath(Map<String, String> pathParameters) {
        return null;
    }

    /**
     * Runs after the connection is registered and before {@code welcome}: automatic subscriptions
     * belong here, so that whatever is published after {@code welcome} reaches the client.
     */
    default CompletableFuture<Void> onRegistered(LocalConnection connection, Map<String, String> pathParameters) {
        return CompletableFuture.completedFuture(null);
    }

    /** Runs right after {@code welcome} was queued (e.g. to send the current state). */
    default void afterWelcome(LocalConnection connection, Map<String, String> pathParameters) {
    }

    /** Handles a route-specific message type; false when the type is not one of the route's. */
    default boolean onMessage(LocalConnection connection, String type, ObjectNode message, JsonNode id) {
        return false;
    }

    default void onClose(LocalConnection connection) {
    }
}
