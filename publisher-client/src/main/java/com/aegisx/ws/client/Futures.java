package com.aegisx.ws.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking on a future with a bound, rethrowing its cause rather than a wrapper. */
public final class Futures {

    private Futures() {
    }

    /**
     * Waits past {@code timeout} by this much, so that on a connection with the same command timeout
     * Lettuce's own expiry comes first: it drops a command that is still buffered (Redis down), where
     * giving up here alone would leave it to be sent, and executed, once Redis is back.
     */
    static final Duration EXPIRY_FIRST = Duration.ofMillis(250);

    public static <T> T await(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.plus(EXPIRY_FIRST).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new IllegalStateException("Redis did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new CompletionException(cause);
        }
    }
}
