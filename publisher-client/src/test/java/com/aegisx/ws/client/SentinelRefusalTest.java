package com.aegisx.ws.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.AsyncCloseable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * A wrong sentinel password is named whichever sentinel failed last and how. The failures are built
 * as Lettuce 7.7 builds them: per sentinel "Cannot connect Redis Sentinel at ..." around the cause,
 * all of them gathered as suppressed on "Cannot connect to a Redis Sentinel: [...]", which
 * {@code RedisClient.connect} then passes through {@link RedisConnectionException#create(String, Throwable)}.
 */
class SentinelRefusalTest {

    private static final String SECRET = "the-sentinel-secret-42";
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final RedisTarget TARGET = RedisTarget.parse(
            "rediss-sentinel://ws-node:node-pw@127.0.0.1:26001,127.0.0.1:26002,127.0.0.1:26003/?sentinelMasterId=m")
            .withSentinelCredentials(null, SECRET);

    @Test
    void lettuceHandsOverOnlyTheLastSentinelsFailure() {
        RuntimeException thrown = connectFailure(List.of(refused(), refused(), closedPrematurely()));
        assertEquals(0, thrown.getSuppressed().length, "RedisConnectionException.create drops the suppressed");
        assertEquals(null, RedisRefusedException.explain(TARGET, thrown), "so the exception alone tells nothing");
    }

    @Test
    void aWrongSentinelPasswordIsNamedWhateverOrderTheSentinelsFailIn() {
        List<List<Throwable>> orders = List.of(
                List.of(refused(), refused(), closedPrematurely()),
                List.of(closedPrematurely(), refused(), connectionRefused()),
                List.of(refused(), connectionRefused(), closedPrematurely()),
                List.of(closedPrematurely(), connectionRefused(), refused()),
                List.of(refused(), refused(), closedDuringTlsHandshake()));
        for (List<Throwable> failures : orders) {
            RedisRefusedException refused = refusalWhen(failures);
            assertEquals(RedisRefusedException.Reason.SENTINEL_CREDENTIALS, refused.reason(), failures.toString());
            assertTrue(refused.getMessage().contains("WRONGPASS"), refused.getMessage());
            assertNoSecret(refused);
        }
    }

    @Test
    void whenNoSentinelRefusedTheCredentialsLettucesExceptionGoesOutUnchanged() {
        List<Throwable> failures = List.of(connectionRefused(), closedPrematurely(), closedDuringTlsHandshake());
        RuntimeException lettuce = connectFailure(failures);
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> RedisConnector.connectOrExplain(TARGET, () -> {
                    throw lettuce;
                }, probeAnswering(failures)));
        assertSame(lettuce, thrown);
    }

    @Test
    void aTlsFailureOfTheLastSentinelDoesNotHideTheOthersRefusal() {
        List<Throwable> failures = List.of(refused(), refused(), tlsFailure());
        RedisRefusedException refused = refusalWhen(failures);
        assertEquals(RedisRefusedException.Reason.SENTINEL_CREDENTIALS, refused.reason());
    }

    @Test
    void tlsRefusedByEverySentinelStaysATlsFailure() {
        List<Throwable> failures = List.of(tlsFailure(), tlsFailure(), tlsFailure());
        RedisRefusedException refused = refusalWhen(failures);
        assertEquals(RedisRefusedException.Reason.TLS, refused.reason());
    }

    @Test
    void theProbeClosesWhatGotThroughAndDoesNotWaitForASilentSentinel() {
        AtomicInteger closed = new AtomicInteger();
        AsyncCloseable connection = () -> {
            closed.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        };
        SentinelProbe probe = new SentinelProbe(sentinel -> switch (sentinel.getPort()) {
            case 26001 -> CompletableFuture.completedFuture(connection);
            case 26002 -> new CompletableFuture<AsyncCloseable>(); // never answers
            default -> CompletableFuture.failedFuture(probeFailure(sentinel, refused()));
        }, Duration.ofMillis(200));
        RedisRefusedException refused = probe.refusal(TARGET);
        assertEquals(RedisRefusedException.Reason.SENTINEL_CREDENTIALS, refused.reason());
        assertEquals(1, closed.get());
    }

    @Test
    void aDataNodesRefusalBehindTheSentinelsNeedsNoProbe() {
        RedisConnectionException dataNode = new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:6379",
                new RedisCommandExecutionException(WRONGPASS));
        SentinelProbe probe = new SentinelProbe(sentinel -> {
            throw new AssertionError("probed " + sentinel);
        }, BOUND);
        RedisRefusedException refused = assertThrows(RedisRefusedException.class,
                () -> RedisConnector.connectOrExplain(TARGET, () -> {
                    throw dataNode;
                }, probe));
        assertEquals(RedisRefusedException.Reason.CREDENTIALS, refused.reason());
    }

    /**
     * Redis Cluster keeps every seed's failure: RedisClusterClient wraps the topology failure
     * (CannotRetrieveClusterPartitions: each seed's error in its message and as suppressed) in
     * "Unable to establish a connection to Redis Cluster", without RedisConnectionException.create.
     */
    @Test
    void aClusterSeedsRefusalIsFoundWhicheverSeedFailedLast() {
        RedisTarget cluster = RedisTarget.parse("rediss-cluster://ws-node:" + SECRET + "@a:7000,b:7001,c:7002");
        RedisException partitions = new RedisException(String.join("\n",
                "Cannot retrieve cluster partitions from [rediss://ws-node:*******@a:7000, ...]", "", "Details:",
                "\t[rediss://ws-node:*******@a:7000]: Unable to connect to [a/<unresolved>:7000]: " + WRONGPASS,
                "\t[rediss://ws-node:*******@c:7002]: Unable to connect to [c/<unresolved>:7002]: Connection closed prematurely",
                ""));
        partitions.addSuppressed(new RedisConnectionException("Unable to connect to [a/<unresolved>:7000]: " + WRONGPASS,
                new RedisCommandExecutionException(WRONGPASS)));
        partitions.addSuppressed(new RedisConnectionException("Unable to connect to [c/<unresolved>:7002]: Connection "
                + "closed prematurely", new RedisConnectionException("Connection closed prematurely")));
        RedisConnectionException thrown = new RedisConnectionException("Unable to establish a connection to Redis Cluster",
                partitions);
        RedisRefusedException refused = assertThrows(RedisRefusedException.class,
                () -> RedisConnector.connectOrExplain(cluster, () -> {
                    throw thrown;
                }, null));
        assertEquals(RedisRefusedException.Reason.CREDENTIALS, refused.reason());
        assertNoSecret(refused);
    }

    // ---------------------------------------------------------------- Lettuce's shapes

    private static List<RedisURI> sentinels() {
        return TARGET.uri().getSentinels();
    }

    /**
     * What connecting throws when the sentinels fail so: Lettuce's exception carries the last
     * sentinel's failure only, the probe sees each sentinel's.
     */
    private static RedisRefusedException refusalWhen(List<Throwable> failures) {
        return assertThrows(RedisRefusedException.class, () -> RedisConnector.connectOrExplain(TARGET, () -> {
            throw connectFailure(failures);
        }, probeAnswering(failures)));
    }

    /** What {@code RedisClient.connect} throws when the sentinels failed with {@code failures}, in order. */
    private static RuntimeException connectFailure(List<Throwable> failures) {
        RedisConnectionException last = null;
        List<RedisConnectionException> perSentinel = new java.util.ArrayList<>();
        for (int i = 0; i < failures.size(); i++) {
            last = new RedisConnectionException("Cannot connect Redis Sentinel at " + sentinels().get(i), failures.get(i));
            perSentinel.add(last);
        }
        RedisConnectionException all = new RedisConnectionException("Cannot connect to a Redis Sentinel: " + sentinels(), last);
        for (RedisConnectionException each : perSentinel) {
            if (each != last) {
                all.addSuppressed(each);
            }
        }
        return RedisConnectionException.create((String) null, all);
    }

    /** The probe meets the same failures; each as {@code RedisClient.connectSentinelAsync(codec, uri)} reports it. */
    private static SentinelProbe probeAnswering(List<Throwable> failures) {
        return new SentinelProbe(sentinel -> CompletableFuture.failedFuture(
                probeFailure(sentinel, failures.get(sentinels().indexOf(sentinel)))), BOUND);
    }

    private static Throwable probeFailure(RedisURI sentinel, Throwable cause) {
        return RedisConnectionException.create(sentinel.toString(), new CompletionException(cause));
    }

    private static Throwable refused() {
        return new RedisCommandExecutionException(WRONGPASS);
    }

    private static Throwable closedPrematurely() {
        return new RedisConnectionException("Connection closed prematurely");
    }

    private static Throwable connectionRefused() {
        return new java.net.ConnectException("Connection refused: /127.0.0.1:26003");
    }

    /** One of the ways netty reports a peer that reset the connection during the TLS handshake. */
    private static Throwable closedDuringTlsHandshake() {
        return new io.netty.handler.ssl.SslClosedEngineException("SSLEngine closed already");
    }

    private static Throwable tlsFailure() {
        return new SSLHandshakeException("PKIX path building failed");
    }

    private static void assertNoSecret(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(SECRET), t.getMessage());
        }
        assertFalse(failure.toString().contains(SECRET));
    }
}
