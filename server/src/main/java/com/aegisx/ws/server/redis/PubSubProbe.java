package com.aegisx.ws.server.redis;

import com.aegisx.ws.server.core.Broker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node that stops hearing Redis notices: every interval it publishes to its own probe topic
 * through the command connection and expects the message back on its pub/sub connection. When
 * nothing came back for the timeout while the publishes themselves succeed, the pub/sub connection
 * is silent or half-open (Lettuce sees no error and would wait forever): it is replaced by a new
 * one, subscribed to every topic in pipelined batches. Meanwhile {@code /ready} says not ready;
 * the metrics count the replacements. When Redis itself does not answer, Lettuce reconnects both
 * connections on its own and nothing is replaced.
 */
public final class PubSubProbe implements Broker.Listener {

    private static final Logger log = LoggerFactory.getLogger(PubSubProbe.class);

    private final Broker.Listener next;
    private final RedisResources redis;
    private final RedisBroker broker;
    private final String topic;
    private final long timeoutNanos;
    private final Executor callbacks;
    private final Runnable afterReplacement;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong replacements = new AtomicLong();
    private volatile long lastHeard = System.nanoTime();
    private volatile long lastPublished = System.nanoTime();
    private volatile boolean replacing;

    public PubSubProbe(Broker.Listener next, RedisResources redis, RedisBroker broker, String topic,
                       Duration timeout, Executor callbacks, Runnable afterReplacement) {
        this.next = next;
        this.redis = redis;
        this.broker = broker;
        this.topic = topic;
        this.timeoutNanos = timeout.toNanos();
        this.callbacks = callbacks;
        this.afterReplacement = afterReplacement;
    }

    @Override
    public void onMessages(String deliveredTopic, List<String> payloads) {
        if (deliveredTopic.equals(topic)) {
            lastHeard = System.nanoTime();
            return;
        }
        next.onMessages(deliveredTopic, payloads);
    }

    public String topic() {
        return topic;
    }

    /** Starts probing every {@code interval} on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler, Duration interval) {
        lastHeard = System.nanoTime();
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            if (!replacing && now - lastHeard > timeoutNanos && now - lastPublished < timeoutNanos / 2) {
                replace();
            }
            broker.publish(topic, Long.toString(sequence.incrementAndGet())).whenComplete((receivers, error) -> {
                if (error == null) {
                    lastPublished = System.nanoTime();
                }
            });
        } catch (RuntimeException e) {
            log.warn("Pub/sub probe failed: {}", e.toString());
        }
    }

    private void replace() {
        replacing = true;
        replacements.incrementAndGet();
        log.warn("The pub/sub connection heard nothing for {} ms while Redis answers: replacing it and"
                + " subscribing {} topics again", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeard),
                broker.topicCount());
        CompletableFuture<Void> renewed;
        try {
            renewed = broker.resubscribeAll();
        } catch (RuntimeException e) {
            log.warn("Could not open a new pub/sub connection: {}", e.toString());
            replacing = false;
            return;
        }
        renewed.whenCompleteAsync((ignored, error) -> {
            if (error != null) {
                log.warn("Opening or subscribing the new pub/sub connection failed: {}", error.toString());
            } else {
                log.info("New pub/sub connection subscribed to {} topics", broker.topicCount());
                lastHeard = System.nanoTime();
                afterReplacement.run();
            }
            replacing = false;
        }, callbacks);
    }

    /** True while the pub/sub connection is silent past the timeout or being replaced (not ready). */
    public boolean isStale() {
        return replacing || System.nanoTime() - lastHeard > timeoutNanos;
    }

    public long replacements() {
        return replacements.get();
    }
}
