package com.aegisx.ws.client;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.AsyncCloseable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * After a Sentinel connect failed, asks every sentinel on its own whether it takes the sentinels'
 * credentials, so that a wrong REDIS_SENTINEL_PASSWORD is reported as such whichever sentinel
 * failed last and how.
 *
 * <p>Why: Lettuce (7.7) tries the sentinels in turn and adds each one's failure as suppressed to
 * "Cannot connect to a Redis Sentinel: [...]" ({@code RedisClient.connectSentinelAsync}), but
 * {@code RedisClient.connect} hands that to {@code RedisConnectionException.create(null, e)}, which
 * rebuilds it from its message and cause only. What reaches the caller is the LAST sentinel's
 * failure: when that one reset the connection or timed out, the other sentinels' WRONGPASS is gone.
 *
 * <p>The probe connects the way Lettuce connects to a sentinel (same client: TLS, credentials,
 * handshake), to all sentinels at once, and waits at most {@code bound} in all; connections that
 * get through are closed.
 */
final class SentinelProbe {

    /** Connects to one sentinel, handshake (TLS, HELLO/AUTH) included. */
    @FunctionalInterface
    interface Connect {
        CompletableFuture<? extends AsyncCloseable> to(RedisURI sentinel);
    }

    private final Connect connect;
    private final Duration bound;

    SentinelProbe(Connect connect, Duration bound) {
        this.connect = Objects.requireNonNull(connect, "connect");
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /**
     * The first sentinel's refusal of the credentials, else the first TLS refusal, else null (every
     * sentinel took the credentials, or none answered within the bound).
     */
    RedisRefusedException refusal(RedisTarget target) {
        List<CompletableFuture<? extends AsyncCloseable>> probes = new ArrayList<>();
        for (RedisURI sentinel : target.uri().getSentinels()) {
            CompletableFuture<? extends AsyncCloseable> probe;
            try {
                probe = connect.to(sentinel);
            } catch (RuntimeException e) {
                probe = CompletableFuture.failedFuture(e);
            }
            // Also a connection that gets through after the bound is closed.
            probe.thenAccept(AsyncCloseable::closeAsync);
            probes.add(probe);
        }
        awaitSettled(probes);
        RedisRefusedException tls = null;
        for (CompletableFuture<? extends AsyncCloseable> probe : probes) {
            RedisRefusedException refused = probe.isCompletedExceptionally()
                    ? RedisRefusedException.explainSentinel(target, failureOf(probe)) : null;
            if (refused != null && refused.reason() == RedisRefusedException.Reason.SENTINEL_CREDENTIALS) {
                return refused;
            }
            tls = tls == null ? refused : tls;
        }
        return tls;
    }

    private void awaitSettled(List<CompletableFuture<? extends AsyncCloseable>> probes) {
        try {
            CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Failures are what is looked at; a sentinel that does not answer in time tells nothing.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Throwable failureOf(CompletableFuture<?> probe) {
        try {
            probe.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }
}
