package com.aegisx.ws.server.redis;

import com.aegisx.ws.server.core.Broker;
import com.aegisx.ws.server.core.DispatchWorkers;
import com.aegisx.ws.server.metrics.NodeMetrics;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes pub/sub messages off Lettuce's event loop, which must never block, and hands each to a
 * worker chosen by topic, so messages of one channel keep their order while different channels
 * fan out in parallel.
 *
 * <p>A worker that finds a backlog takes all of it (up to {@value #MAX_BATCH} messages) and hands
 * the messages of one topic over together, in their order: the fan-out can then give each socket
 * all its new frames at once, and Jetty writes them in one gathered write instead of one write per
 * frame. Messages of different topics in one batch may be handled in another order than they
 * arrived; only the order within a topic was ever promised.
 *
 * <p><b>Bounded queues.</b> Each worker queues at most {@code queueCapacity} messages
 * (DISPATCH_QUEUE_CAPACITY). When a worker is that far behind, a new message for it is dropped,
 * counted ({@code ws_pubsub_dropped_total}) and logged, and the event loop moves on: blocking it
 * instead would stall every channel and every Redis reply of the node, and the backlog would then
 * pile up in Redis until its pub/sub output-buffer limit disconnects the node, losing more. Pub/sub
 * is at-most-once already; a worker this far behind means its sockets are seconds to minutes late.
 *
 * <p><b>Inline topics.</b> Topics the {@code inline} predicate names (a user's topic: a message for
 * one user's few sockets) skip the hand-off and are handled on the calling thread, Lettuce's event
 * loop: the hand-off cost a queue entry and a thread wake-up per message, and on this VM the
 * wake-up (futex, a sleeping worker scheduled in, then parked again) cost more CPU than the
 * delivery itself (load-tests/README.md, personal). The handler must not block for such topics:
 * a socket write that cannot finish at once stays queued in the socket's writer, so sending to a
 * few sockets qualifies. Their order is the event loop's, which is Redis's.
 *
 * <p><b>An inline topic's messages wait for the end of their read.</b> Inside a read of the pub/sub
 * connection ({@link ReadBoundaries}), inline messages are held in their order and delivered when
 * the read ends (a paced read holds ~15-25 of them at 5,000 messages/s). Before they are delivered,
 * the {@link #warmBeforeDelivery warmer} looks up each one's sockets: what a delivery touches per
 * user (the topic's map entry, the connection, its writer) is cold in the CPU caches by the time
 * that user's next message comes, and looked up one message at a time those cache misses follow one
 * another; looked up for the whole read in one pass they overlap, and the deliveries then find them
 * cached. A message outside a read (no boundaries installed) is delivered at once.
 *
 * <p><b>Split fan-outs.</b> As {@link DispatchWorkers}, the workers also run parts of one message's
 * fan-out that the fan-out split across them (a channel with many local members, see
 * {@code core/FanOutSplit}). A part waits in the worker's queue like a message, behind what was
 * queued before it, and is dropped and counted like one when that queue is full.
 */
public final class PubSubDispatcher extends RedisPubSubAdapter<String, String>
        implements DispatchWorkers, ReadBoundaries.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PubSubDispatcher.class);
    static final int MAX_BATCH = 64;
    /** A pub/sub message, or (topic and payload null) a task: a part of a fan-out another thread split. */
    private record Message(String topic, String payload, long enqueuedNanos, Runnable task) {
        boolean isTask() {
            return task != null;
        }
    }

    private static final Message STOP = new Message("", "", 0, null);

    private final Worker[] workers;
    private final Broker.Listener handler;
    private final Predicate<String> inline;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final long batchNanos;
    private final int queueCapacity;
    private volatile LongConsumer dispatchObserver = nanos -> { };
    /**
     * Inline messages seen, for {@link NodeMetrics#SAMPLED_EVERY}: written by the event loop(s) without
     * synchronization; two loops racing only move which of their messages are timed.
     */
    private int inlineSeen;
    /** Per event loop thread: the inline messages of the read under way there. */
    private final ThreadLocal<HeldRead> held = ThreadLocal.withInitial(HeldRead::new);
    private volatile ToLongFunction<String> warmer = topic -> 0;
    /** Where the warmer's results go, so its reads are kept (a plain field: only the event loops write it). */
    private long warmed;

    /** The inline messages of one read, in their order, until it ends; one per thread, reused. */
    private static final class HeldRead {
        boolean reading;
        final List<String> topics = new ArrayList<>();
        final List<String> payloads = new ArrayList<>();
    }

    /**
     * {@code handler} gets a topic and one or more of its payloads, oldest first. With
     * {@code batchMicros} above 0, a worker whose messages of one topic come often waits until the
     * oldest message it took is that old before it fans out, so messages arriving meanwhile leave with it (fewer,
     * larger writes per socket, at up to that much added latency); it sleeps meanwhile, so
     * publishers do not wake it per message.
     */
    public PubSubDispatcher(int threads, int batchMicros, int queueCapacity, Broker.Listener handler) {
        this(threads, batchMicros, queueCapacity, handler, topic -> false);
    }

    /** As above; {@code inline}: the topics handled on the caller's thread, without a hand-off (see the class comment). */
    public PubSubDispatcher(int threads, int batchMicros, int queueCapacity, Broker.Listener handler,
                            Predicate<String> inline) {
        this.handler = handler;
        this.inline = inline;
        this.queueCapacity = queueCapacity;
        this.batchNanos = TimeUnit.MICROSECONDS.toNanos(batchMicros);
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
    }

    @Override
    public void message(String topic, String payload) {
        if (inline.test(topic)) {
            HeldRead read = held.get();
            if (read.reading) {
                read.topics.add(topic);
                read.payloads.add(payload);
            } else {
                deliverInline(topic, payload);
            }
            return;
        }
        int index = Math.floorMod(topic.hashCode(), workers.length);
        pending.incrementAndGet();
        if (!workers[index].queue.offer(new Message(topic, payload, System.nanoTime(), null))) {
            pending.decrementAndGet();
            long count = dropped.incrementAndGet();
            if (count <= 10 || count % 1000 == 0) {
                log.warn("Dispatch worker {} is {} messages behind: dropped a message on {} ({} dropped so far)",
                        index, queueCapacity, topic, count);
            }
        }
    }

    /** A read of a Redis connection began on this thread: its inline messages wait for its end. */
    @Override
    public void readStarted() {
        held.get().reading = true;
    }

    /**
     * The read on this thread ended: its inline messages are warmed, all of them, then delivered,
     * in their order.
     */
    @Override
    public void readEnded() {
        HeldRead read = held.get();
        read.reading = false;
        int count = read.topics.size();
        if (count == 0) {
            return;
        }
        try {
            warm(read.topics, count);
            for (int i = 0; i < count; i++) {
                deliverInline(read.topics.get(i), read.payloads.get(i));
            }
        } finally {
            read.topics.clear();
            read.payloads.clear();
        }
    }

    /** Only a speed-up: a warmer that fails is logged and the messages are delivered all the same. */
    private void warm(List<String> topics, int count) {
        ToLongFunction<String> warm = warmer;
        long sum = 0;
        try {
            for (int i = 0; i < count; i++) {
                sum += warm.applyAsLong(topics.get(i));
            }
        } catch (RuntimeException e) {
            log.error("Looking up the sockets of a read's messages failed; delivering them anyway", e);
        }
        warmed += sum;
    }

    /**
     * Looks up, before a read's held messages are delivered, what the delivery to a topic will
     * touch (see the class comment); returns any value derived from what it read.
     */
    public void warmBeforeDelivery(ToLongFunction<String> warmer) {
        this.warmer = warmer;
    }

    private void deliverInline(String topic, String payload) {
        if (++inlineSeen % NodeMetrics.SAMPLED_EVERY != 0) {
            deliver(topic, List.of(payload));
            return;
        }
        long start = System.nanoTime();
        deliver(topic, List.of(payload));
        dispatchObserver.accept(System.nanoTime() - start);
    }

    @Override
    public int count() {
        return workers.length;
    }

    @Override
    public int current() {
        return Thread.currentThread() instanceof Worker worker && worker.owner() == this ? worker.index : -1;
    }

    @Override
    public boolean submit(int worker, Runnable task) {
        return workers[worker].queue.offer(new Message(null, null, 0, task));
    }

    /** Messages dropped because their worker's queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Bytes the dispatch workers have allocated since they started (the JVM's per-thread count,
     * exact to a TLAB refill), -1 when the JVM cannot tell. Divided by the deliveries of a load-test
     * step, it is the broadcast path's allocation per delivered frame.
     */
    public long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        return sumOverWorkers(threads.getThreadAllocatedBytes(workerIds()));
    }

    /**
     * CPU nanoseconds the dispatch workers have used since they started, -1 when the JVM cannot
     * tell. Beside the wall time of their fan-outs ({@code ws_pubsub_dispatch_seconds}) it shows
     * whether a fan-out ran on a core the whole time or waited (descheduled, or idle gaps).
     */
    public long cpuNanos() {
        var threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
            return -1;
        }
        long[] ids = workerIds();
        long[] nanos = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            nanos[i] = threads.getThreadCpuTime(ids[i]);
        }
        return sumOverWorkers(nanos);
    }

    private long[] workerIds() {
        long[] ids = new long[workers.length];
        for (int i = 0; i < workers.length; i++) {
            ids[i] = workers[i].getId();
        }
        return ids;
    }

    private static long sumOverWorkers(long[] perWorker) {
        long total = 0;
        for (long value : perWorker) {
            if (value > 0) { // -1: a worker that has ended
                total += value;
            }
        }
        return total;
    }

    /** A sharded message (SSUBSCRIBE on a Redis Cluster) is handled exactly like a classic one. */
    @Override
    public void smessage(String topic, String payload) {
        message(topic, payload);
    }

    /** Messages handed to the workers and not yet handled. */
    public long pending() {
        return pending.get();
    }

    /**
     * Told the nanoseconds from leaving the event loop to the end of its handling (metrics), for
     * one message in {@value NodeMetrics#SAMPLED_EVERY} of each thread's (the event loop's inline ones, each worker's).
     */
    public void dispatchObserver(LongConsumer observer) {
        this.dispatchObserver = observer;
    }

    @Override
    public void close() {
        for (Worker worker : workers) {
            try {
                worker.queue.put(STOP); // after what is queued, as ExecutorService.shutdown did
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Worker worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void deliver(String topic, List<String> payloads) {
        try {
            handler.onMessages(topic, payloads);
        } catch (RuntimeException e) {
            log.error("Delivery failed on topic {}", topic, e);
        }
    }

    private final class Worker extends Thread {
        private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>(queueCapacity);
        private final List<Message> batch = new ArrayList<>(MAX_BATCH);
        private final Map<String, List<String>> byTopic = new LinkedHashMap<>();
        private long lastArrival = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
        private String lastTopic = "";
        private final int index;
        /** Messages this worker handled, for {@link NodeMetrics#SAMPLED_EVERY}. */
        private int handled;

        Worker(int index) {
            super("ws-dispatch-" + index);
            this.index = index;
            setDaemon(true);
        }

        PubSubDispatcher owner() {
            return PubSubDispatcher.this;
        }

        @Override
        public void run() {
            while (true) {
                Message first;
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                batch.add(first);
                // Lingers only while one topic's messages come often (the previous message was of
                // the same topic, less than four windows ago): then more of it are about to arrive
                // and each socket can take them in one write. A quiet topic, or a stream of
                // messages to different users (nothing to gather per socket), is not delayed.
                if (batchNanos > 0 && first != STOP && !first.isTask() && first.topic().equals(lastTopic)
                        && first.enqueuedNanos() - lastArrival < 4 * batchNanos) {
                    long wait = first.enqueuedNanos() + batchNanos - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                queue.drainTo(batch, MAX_BATCH - 1);
                Message newest = batch.get(batch.size() - 1);
                if (!newest.isTask()) {
                    lastArrival = newest.enqueuedNanos();
                    lastTopic = newest.topic();
                }
                boolean stop = handle();
                batch.clear();
                if (stop) {
                    return;
                }
            }
        }

        /**
         * Handles the batch; true when it ended with the stop marker. Messages between two tasks
         * are grouped by topic; a task runs after everything queued before it was handled.
         */
        private boolean handle() {
            if (batch.size() == 1) {
                Message only = batch.get(0);
                if (only == STOP) {
                    return true;
                }
                if (only.isTask()) {
                    runTask(only.task());
                    return false;
                }
                deliver(only.topic(), List.of(only.payload()));
                done(only);
                return false;
            }
            boolean stop = false;
            int grouped = 0;
            for (int i = 0; i < batch.size(); i++) {
                Message message = batch.get(i);
                if (message == STOP) {
                    stop = true;
                    break;
                }
                if (message.isTask()) {
                    deliverGrouped(grouped, i);
                    grouped = i + 1;
                    runTask(message.task());
                    continue;
                }
                byTopic.computeIfAbsent(message.topic(), t -> new ArrayList<>()).add(message.payload());
            }
            int end = stop ? batch.indexOf(STOP) : batch.size();
            deliverGrouped(grouped, end);
            return stop;
        }

        /** Delivers what {@link #byTopic} gathered from the batch's messages {@code from} to {@code to} (exclusive). */
        private void deliverGrouped(int from, int to) {
            if (byTopic.isEmpty()) {
                return;
            }
            for (Map.Entry<String, List<String>> topic : byTopic.entrySet()) {
                deliver(topic.getKey(), topic.getValue());
            }
            byTopic.clear();
            for (int i = from; i < to; i++) {
                Message message = batch.get(i);
                if (!message.isTask()) {
                    done(message);
                }
            }
        }

        private void runTask(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("A part of a split fan-out failed", e);
            }
        }

        private void done(Message message) {
            pending.decrementAndGet();
            if (++handled % NodeMetrics.SAMPLED_EVERY == 0) {
                dispatchObserver.accept(System.nanoTime() - message.enqueuedNanos());
            }
        }
    }
}
