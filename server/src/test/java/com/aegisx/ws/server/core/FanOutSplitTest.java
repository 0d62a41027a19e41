package com.aegisx.ws.server.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.metrics.FanoutMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A large channel's fan-out split across workers: every socket gets every message once, in order. */
class FanOutSplitTest {

    private static final String NODE = "node-a";
    private static final int WORKERS = 2;
    private static final int MIN_MEMBERS = 8;
    private final KeySchema keys = new KeySchema("t");
    private final TopicSubscriptions topics = new TopicSubscriptions(new FakeBroker());
    private final ConnectionHub hub = new ConnectionHub(NODE, keys, new FakeIndex(), topics, Duration.ofMinutes(5));
    private final AtomicInteger delivered = new AtomicInteger();
    private final FanOut fanOut = new FanOut(keys, NODE, topics, new NodeCommands(hub), new FanoutMetrics() {
        @Override
        public void onDelivered(int sockets, int frameBytes) {
            delivered.addAndGet(sockets);
        }
    });
    private final Workers workers = new Workers(WORKERS, 1024);
    private final String topic = keys.channelTopic("news");

    /** Single-thread executors standing in for the dispatch workers: in order, one thing at a time. */
    private static final class Workers implements DispatchWorkers {
        final List<ExecutorService> threads = new ArrayList<>();
        final ThreadLocal<Integer> index = new ThreadLocal<>();
        final AtomicInteger[] submitted;
        final int capacity;
        final AtomicInteger[] waiting;
        /** Run once, by the next {@link #current()} call (the fan-out asks it right after the look-up of its split). */
        volatile Runnable onCurrent;

        Workers(int count, int capacity) {
            this.capacity = capacity;
            submitted = new AtomicInteger[count];
            waiting = new AtomicInteger[count];
            for (int i = 0; i < count; i++) {
                int worker = i;
                submitted[i] = new AtomicInteger();
                waiting[i] = new AtomicInteger();
                threads.add(Executors.newSingleThreadExecutor(r -> new Thread(() -> {
                    index.set(worker);
                    r.run();
                }, "test-worker-" + worker)));
            }
        }

        @Override
        public int count() {
            return threads.size();
        }

        @Override
        public int current() {
            Runnable hook = onCurrent;
            if (hook != null) {
                onCurrent = null;
                hook.run();
            }
            Integer i = index.get();
            return i == null ? -1 : i;
        }

        @Override
        public boolean submit(int worker, Runnable task) {
            if (waiting[worker].get() >= capacity) {
                return false;
            }
            submitted[worker].incrementAndGet();
            waiting[worker].incrementAndGet();
            threads.get(worker).execute(() -> {
                waiting[worker].decrementAndGet();
                task.run();
            });
            return true;
        }

        /** Runs {@code work} on worker {@code i}, as a message of a topic that worker is home to. */
        void runOn(int i, Runnable work) {
            threads.get(i).execute(work);
        }

        void awaitIdle() throws Exception {
            for (ExecutorService thread : threads) {
                thread.submit(() -> { }).get(5, TimeUnit.SECONDS);
            }
        }
    }

    @AfterEach
    void stop() {
        workers.threads.forEach(ExecutorService::shutdownNow);
    }

    private LocalConnection open(String id) {
        LocalConnection connection = new LocalConnection(id, "main", new FakeOutbound(), new Identity(id, Set.of(), null),
                "127.0.0.1", "");
        hub.open(connection).join();
        hub.subscribe(connection, "news").join();
        return connection;
    }

    private List<LocalConnection> open(int count) {
        List<LocalConnection> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(open("ws_" + i));
        }
        return members;
    }

    private static String message(int n) {
        return FanOutTest.message("m", n);
    }

    private static List<Integer> numbers(LocalConnection connection) {
        return FanOutTest.numbers(connection);
    }

    private void publishOnHomeWorker(int from, int to) {
        for (int n = from; n <= to; n++) {
            int number = n;
            workers.runOn(0, () -> fanOut.onMessages(topic, List.of(message(number))));
        }
    }

    @Test
    void aLargeChannelIsWrittenByEveryWorkerAndEachSocketGetsEveryMessageOnceInOrder() throws Exception {
        fanOut.splitAcross(workers, MIN_MEMBERS);
        List<LocalConnection> members = open(40);
        publishOnHomeWorker(1, 200);
        workers.awaitIdle();
        workers.awaitIdle(); // parts queued by the last message
        List<Integer> expected = IntStream.rangeClosed(1, 200).boxed().toList();
        for (LocalConnection member : members) {
            assertEquals(expected, numbers(member), member.id());
        }
        assertEquals(40 * 200, delivered.get());
        assertEquals(200, workers.submitted[1].get(), "the other worker got one part per message");
        assertEquals(0, workers.submitted[0].get(), "the home worker wrote its own part itself");
        assertTrue(members.stream().anyMatch(m -> FanOutSplit.partOf(m, WORKERS) == 0)
                && members.stream().anyMatch(m -> FanOutSplit.partOf(m, WORKERS) == 1), "both parts have sockets");
    }

    @Test
    void aSmallChannelIsWrittenWholeOnTheCallingThread() throws Exception {
        fanOut.splitAcross(workers, MIN_MEMBERS);
        List<LocalConnection> members = open(MIN_MEMBERS - 1);
        publishOnHomeWorker(1, 5);
        workers.awaitIdle();
        for (LocalConnection member : members) {
            assertEquals(List.of(1, 2, 3, 4, 5), numbers(member));
        }
        assertEquals(0, workers.submitted[0].get() + workers.submitted[1].get());
    }

    @Test
    void aCallerThatIsNoWorkerHandsEveryPartToItsWorker() throws Exception {
        fanOut.splitAcross(workers, MIN_MEMBERS);
        List<LocalConnection> members = open(20);
        fanOut.onMessages(topic, List.of(message(1), message(2))); // e.g. the history gap filler's thread
        fanOut.onMessages(topic, List.of(message(3)));
        workers.awaitIdle();
        for (LocalConnection member : members) {
            assertEquals(List.of(1, 2, 3), numbers(member));
        }
        assertEquals(2, workers.submitted[0].get());
        assertEquals(2, workers.submitted[1].get());
    }

    @Test
    void aShrunkChannelGoesBackToOneThreadOnlyOnceNoPartOfItWaits() throws Exception {
        fanOut.splitAcross(workers, MIN_MEMBERS);
        List<LocalConnection> members = open(12);
        List<LocalConnection> staying = new ArrayList<>(); // 3 < MIN_MEMBERS / 2, from both parts
        staying.addAll(members.stream().filter(m -> FanOutSplit.partOf(m, WORKERS) == 1).limit(2).toList());
        staying.addAll(members.stream().filter(m -> FanOutSplit.partOf(m, WORKERS) == 0).limit(1).toList());
        assertEquals(3, staying.size());
        CountDownLatch release = blockWorker(1);
        publishOnHomeWorker(1, 1); // part 1 of message 1 now waits behind the blocked worker 1
        syncWorker0();
        for (LocalConnection member : members) {
            if (!staying.contains(member)) {
                hub.unsubscribe(member, "news").join();
            }
        }
        publishOnHomeWorker(2, 2); // still in parts: written whole now, it would overtake message 1
        syncWorker0();
        syncWorker0(); // the home worker's own part of message 2, queued behind it
        for (LocalConnection member : staying) {
            if (FanOutSplit.partOf(member, WORKERS) == 1) {
                assertEquals(List.of(), numbers(member), "worker 1 is blocked: nothing yet");
            }
        }
        release.countDown();
        workers.awaitIdle();
        publishOnHomeWorker(3, 3); // nothing waits now: written whole by the home worker
        workers.awaitIdle();
        for (LocalConnection member : staying) {
            assertEquals(List.of(1, 2, 3), numbers(member), member.id());
        }
        assertEquals(2, workers.submitted[1].get(), "message 3 was not split");
        assertEquals(0, splitTopics());
    }

    /**
     * The keep-alive's {@code retain} runs on its own thread. Had it dropped the topic's split while a
     * message was being cut into parts (all members gone from its view, nothing queued yet), that
     * message's part would wait on a worker of a split nobody knew any more, and the next message,
     * written whole by the home worker, would overtake it.
     */
    @Test
    void retainRacingAFanOutNeverLetsALaterMessageOvertakeAQueuedPart() throws Exception {
        fanOut.splitAcross(workers, MIN_MEMBERS);
        List<LocalConnection> members = open(12);
        LocalConnection staying = members.stream()
                .filter(m -> FanOutSplit.partOf(m, WORKERS) == 1).findFirst().orElseThrow();
        CountDownLatch release = blockWorker(1);
        Thread retain = new Thread(() -> fanOut.retain(t -> false), "test-retain");
        workers.onCurrent = () -> {
            retain.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> retain.getState() == Thread.State.BLOCKED
                    || retain.getState() == Thread.State.TERMINATED);
        };
        publishOnHomeWorker(1, 1); // its part 1 waits behind the blocked worker 1
        syncWorker0();
        for (LocalConnection member : members) {
            if (member != staying) {
                hub.unsubscribe(member, "news").join();
            }
        }
        publishOnHomeWorker(2, 2); // one member left: written whole now, it would overtake message 1
        syncWorker0();
        syncWorker0();
        release.countDown();
        workers.awaitIdle();
        retain.join(TimeUnit.SECONDS.toMillis(5));
        assertEquals(List.of(1, 2), numbers(staying));
        workers.awaitIdle();
        fanOut.retain(t -> false);
        assertEquals(0, splitTopics(), "dropped once nothing of it waits");
    }

    /** Blocks worker {@code i} until the returned latch is counted down: what is handed to it waits. */
    private CountDownLatch blockWorker(int i) {
        CountDownLatch release = new CountDownLatch(1);
        workers.runOn(i, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    private void syncWorker0() throws Exception {
        workers.threads.get(0).submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPartForAFullWorkerIsDroppedAndCountedWhileTheOtherSocketsGetTheMessage() throws Exception {
        Workers full = new Workers(WORKERS, 0);
        try {
            fanOut.splitAcross(full, MIN_MEMBERS);
            List<LocalConnection> members = open(20);
            full.runOn(0, () -> fanOut.onMessages(topic, List.of(message(1))));
            full.awaitIdle();
            assertEquals(1, fanOut.droppedParts());
            for (LocalConnection member : members) {
                assertEquals(FanOutSplit.partOf(member, WORKERS) == 0 ? List.of(1) : List.of(), numbers(member));
            }
        } finally {
            full.threads.forEach(ExecutorService::shutdownNow);
        }
    }

    @Test
    void retainForgetsTopicsNoLongerListenedTo() throws Exception {
        fanOut.splitAcross(workers, MIN_MEMBERS);
        open(20);
        publishOnHomeWorker(1, 1);
        workers.awaitIdle();
        workers.awaitIdle();
        fanOut.retain(t -> true);
        assertEquals(1, splitTopics());
        fanOut.retain(t -> false);
        assertEquals(0, splitTopics());
    }

    private int splitTopics() {
        return fanOut.splitTopics();
    }
}
