package com.aegisx.ws.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The generator's WebSocket side: a few event loops (one selector thread each, sockets spread
 * round-robin), each reading its sockets into one shared direct buffer and handling their frames
 * on the spot. No hand-off to a thread pool, no object per frame: the generator should cost less
 * per received message than the server it measures.
 */
public final class Clients implements AutoCloseable {

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    final BenchSocket.Shared shared = new BenchSocket.Shared();

    public Clients(int threads) throws IOException {
        loops = new Loop[Math.max(1, threads)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop("load-ws-" + i);
            loops[i].start();
        }
    }

    public BenchSocket.Shared shared() {
        return shared;
    }

    /** Connects one socket and completes once the node's {@code welcome} arrived. */
    public CompletableFuture<BenchSocket> connect(URI uri) {
        Loop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            BenchSocket socket = new BenchSocket(shared, loop, uri, channel);
            channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            loop.register(socket, channel);
            return socket.welcome.thenApply(ignored -> socket);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
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
    public void close() throws InterruptedException {
        for (Loop loop : loops) {
            loop.shutdown();
        }
        for (Loop loop : loops) {
            loop.join(5_000);
        }
    }

    /** One selector thread and the sockets registered with it. */
    static final class Loop extends Thread {
        private final Selector selector;
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        /** Every read of this loop lands here; frames are parsed in place. Room for a leftover plus a read. */
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(2 * BenchSocket.MAX_FRAME + 64);
        private volatile boolean running = true;

        Loop(String name) throws IOException {
            super(name);
            setDaemon(true);
            selector = Selector.open();
        }

        void register(BenchSocket socket, SocketChannel channel) {
            tasks.add(() -> {
                try {
                    socket.registered(channel.register(selector, 0, socket));
                } catch (IOException e) {
                    socket.fail(e);
                }
            });
            selector.wakeup();
        }

        void wakeup() {
            if (Thread.currentThread() != this) {
                selector.wakeup();
            }
        }

        void shutdown() {
            running = false;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(this::ready);
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println(getName() + " stopped: " + e);
            } finally {
                for (SelectionKey key : selector.keys()) {
                    ((BenchSocket) key.attachment()).abandon();
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // shutting down
                }
            }
        }

        private void ready(SelectionKey key) {
            BenchSocket socket = (BenchSocket) key.attachment();
            try {
                if (!key.isValid()) {
                    return;
                }
                if (key.isConnectable()) {
                    socket.onConnectable();
                    return;
                }
                if (key.isWritable()) {
                    socket.onWritable();
                }
                if (key.isValid() && key.isReadable()) {
                    socket.onReadable(readBuffer);
                }
            } catch (IOException | RuntimeException e) {
                socket.fail(e);
            }
        }
    }
}
