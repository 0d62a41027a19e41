package com.aegisx.ws.server.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Port: channel history (HISTORY_RULES). A subscription to a channel it {@link #covers} goes
 * through {@link #subscribe}, which answers {@code subscribed} with the channel's position and
 * replays what followed {@code since} before live messages ({@code history/HistoryRecovery}).
 */
public interface Recovery {

    boolean covers(String channel);

    /**
     * Subscribes (as {@link ConnectionHub#subscribe} does) and sends {@code subscribed} (completed
     * by {@code decorate}), the replay after {@code since} (null: none) and the live messages held
     * meanwhile. Completes with whether the socket was newly subscribed; exceptionally when the
     * broker or the history failed (then nothing is left subscribed and nothing was sent).
     */
    CompletableFuture<Boolean> subscribe(LocalConnection connection, String channel, Position since, JsonNode id,
                                         Consumer<ObjectNode> decorate);
}
