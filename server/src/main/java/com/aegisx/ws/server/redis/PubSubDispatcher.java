package com.aegisx.ws.server.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes pub/sub messages off Lettuce's event loop, which must never block, and hands each to a
 * worker chosen by topic, so messages of one channel keep their order while different channels
 * fan out in parallel.
 */
public final class PubSubDispatcher extends RedisPubSubAdapter<String, String> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PubSubDispatcher.class);

    private final ExecutorService[] workers;
    private final BiConsumer<String, String> handler;
    private final AtomicLong pending = new AtomicLong();
    private volatile LongConsumer dispatchObserver = nanos -> { };

    public PubSubDispatcher(int threads, BiConsumer<String, String> handler) {
        this.handler = handler;
        this.workers = new ExecutorService[threads];
        for (int i = 0; i < threads; i++) {
            int index = i;
            workers[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ws-dispatch-" + index);
                t.setDaemon(true);
                return t;
            });
        }
    }

    @Override
    public void message(String topic, String payload) {
        int index = Math.floorMod(topic.hashCode(), workers.length);
        long enqueued = System.nanoTime();
        pending.incrementAndGet();
        workers[index].execute(() -> {
            try {
                handler.accept(topic, payload);
            } catch (RuntimeException e) {
                log.error("Delivery failed on topic {}", topic, e);
            } finally {
                pending.decrementAndGet();
                dispatchObserver.accept(System.nanoTime() - enqueued);
            }
        });
    }

    /** Messages handed to the workers and not yet handled. */
    public long pending() {
        return pending.get();
    }

    /** Told, per message, the nanoseconds from leaving the event loop to the end of its handling (metrics). */
    public void dispatchObserver(LongConsumer observer) {
        this.dispatchObserver = observer;
    }

    @Override
    public void close() {
        for (ExecutorService worker : workers) {
            worker.shutdown();
        }
        for (ExecutorService worker : workers) {
            try {
                worker.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
