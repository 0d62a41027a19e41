package com.aegisx.ws.server.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Moves the completion of a Lettuce future off Lettuce's event loop, onto the node's callback executor. */
final class Callbacks {

    private Callbacks() {
    }

    /** A future with the same outcome, completed on {@code executor}. */
    static <T> CompletableFuture<T> on(Executor executor, CompletionStage<T> stage) {
        return stage.toCompletableFuture().whenCompleteAsync((result, error) -> { }, executor);
    }
}
