package com.aegisx.ws.load;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/** The generator's WebSocket side: one Jetty HttpClient (one selector, small shared pool) for every socket. */
public final class Clients implements AutoCloseable {

    private final HttpClient http;
    private final WebSocketCoreClient client;
    final BenchSocket.Shared shared = new BenchSocket.Shared();
    private final Configuration.ConfigurationCustomizer configuration = new Configuration.ConfigurationCustomizer();

    public Clients(int threads) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(4, threads), 2);
        pool.setName("load-ws");
        pool.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(pool);
        http.setMaxConnectionsPerDestination(100_000);
        http.setConnectTimeout(10_000);
        client = new WebSocketCoreClient(http, null);
        client.start();
        configuration.setIdleTimeout(Duration.ofMinutes(30));
        configuration.setMaxTextMessageSize(1 << 20);
        // Whole frames only: with auto-fragmenting (Jetty's default) a frame that straddles a network
        // read arrives as TEXT + CONTINUATION parts, and BenchSocket reads seq and t from a TEXT frame
        // alone, so a split frame was miscounted as lost (seen once gathered writes packed frames
        // densely and the payload put channel and timestamp before seq).
        configuration.setAutoFragment(false);
    }

    public BenchSocket.Shared shared() {
        return shared;
    }

    /** Connects one socket and completes once the node's {@code welcome} arrived. */
    public CompletableFuture<BenchSocket> connect(URI uri) {
        BenchSocket socket = new BenchSocket(shared);
        CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, uri, socket);
        request.setConfiguration(configuration);
        try {
            client.connect(request).exceptionally(error -> {
                socket.welcome.completeExceptionally(error);
                return null;
            });
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        return socket.welcome.thenApply(ignored -> socket);
    }

    /**
     * Connects {@code count} sockets, at most {@code inFlight} handshakes at a time, each to
     * {@code uris.apply(i)}, and subscribes each to {@code channel} (null: no subscribe).
     */
    public List<BenchSocket> connectAll(int count, int inFlight, IntFunction<URI> uris, String channel,
                                        Duration timeout) throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<BenchSocket>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!slots.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("connecting stalled after " + i + " sockets");
            }
            CompletableFuture<BenchSocket> ready = connect(uris.apply(i));
            if (channel != null) {
                ready = ready.thenCompose(socket -> socket.subscribe(channel).thenApply(ignored -> socket));
            }
            all.add(ready.whenComplete((s, e) -> slots.release()));
        }
        List<BenchSocket> sockets = new ArrayList<>(count);
        for (CompletableFuture<BenchSocket> future : all) {
            sockets.add(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        return sockets;
    }

    @Override
    public void close() throws Exception {
        client.stop();
        http.stop();
    }
}
