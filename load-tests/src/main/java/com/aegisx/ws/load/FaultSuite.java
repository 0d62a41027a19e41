package com.aegisx.ws.load;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault suite (issue 11): for each fault, a fresh Redis and two nodes as processes, clients on
 * both nodes subscribed to a history channel and a plain channel, sequence-numbered messages
 * published at a steady rate on both, the fault injected under that traffic, then per fault and
 * channel: messages sent, delivered, recovered (replayed after a reconnect), lost, duplicated, the
 * longest silence a client saw, sockets dropped, {@code recovered:false} answers, and connection
 * records left wrong in Redis. Clients behave as the browser client does: on a close they reconnect
 * to a live node and {@code resume} with their token and positions.
 *
 * <pre>java -cp load-tests/target/load-tests.jar com.aegisx.ws.load.FaultSuite [--clients 20] [--rate 50] [--faults a,b]</pre>
 */
public final class FaultSuite {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HISTORY = "fault:hist";
    private static final String PLAIN = "fault:plain";
    /** A latest-value channel (CONFLATE_CHANNELS), published on during the stalled-reader fault only. */
    private static final String LATEST = "fault:latest";
    /** The stalled-reader fault's queue bounds: small, so a stalled socket passes them within seconds. */
    private static final String STALL_OUTBOUND_BYTES = "65536";
    private static final String STALL_CONFLATE_BYTES = "16384";
    /**
     * Padding of each message during the stalled-reader fault: 8 KB at 50/s per channel, so the
     * ~1 MB the kernel buffers for a stalled loopback socket is full within seconds and the node's
     * own queue passes its bound during the run.
     */
    private static final int STALL_PADDING = 8000;
    private static final String RULES = HISTORY + "=100000/1h";
    private static final String PREFIX = "ws";
    /** Extra clients on node 1 for the reconnect storm. */
    private static final int STORM = 1000;
    /** The storm's clients wait a random 0..1 s before reconnecting, as a real client's backoff would. */
    private static final long RECONNECT_JITTER_MILLIS = 1000;
    /**
     * Messages per second per channel during the storm (--storm-rate): 1,040 JDK WebSocket clients in
     * one generator JVM on the node's two cores cannot take the default 50/s on two channels
     * (104,000 deliveries/s), so a storm at that rate measures the generator, not the resume.
     */
    private static final int DEFAULT_STORM_RATE = 10;
    /** How long the index may take to become right after the run (a killed node's sweep). */
    private static final Duration INDEX_PATIENCE = Duration.ofSeconds(25);

    private final Path jar;
    private final Path work;
    private final int clientsPerNode;
    private final int rate;
    private final int stormRate;

    private FaultSuite(Path jar, Path work, int clientsPerNode, int rate, int stormRate) {
        this.jar = jar;
        this.work = work;
        this.clientsPerNode = clientsPerNode;
        this.rate = rate;
        this.stormRate = stormRate;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path work = Files.createTempDirectory("fault-suite");
        FaultSuite suite = new FaultSuite(Path.of(options.getOrDefault("node-jar", "server/target/ws-server.jar")),
                work, Integer.parseInt(options.getOrDefault("clients", "20")),
                Integer.parseInt(options.getOrDefault("rate", "50")),
                Integer.parseInt(options.getOrDefault("storm-rate", Integer.toString(DEFAULT_STORM_RATE))));
        List<String> faults = List.of(options.getOrDefault("faults",
                "redis-restart-empty,redis-restart-aof,redis-pause-8s,node-link-cut,node-kill-9,node-drain,"
                        + "stalled-reader,reconnect-storm").split(","));
        System.out.printf("%-20s %-6s %7s %9s %9s %7s %6s %11s %10s %7s %10s %9s%n", "fault", "chan", "sent",
                "delivered", "recovered", "lost", "dup", "silence ms", "resume ms", "dropped", "unrecov'd", "index");
        for (String fault : faults) {
            suite.run(fault.trim());
        }
    }

    // ------------------------------------------------------------------ one fault

    private void run(String fault) throws Exception {
        boolean aof = fault.equals("redis-restart-aof");
        try (RedisProcess redis = new RedisProcess(work.resolve(fault), aof);
             LinkProxy proxy = new LinkProxy(redis.port)) {
            List<NodeProcess> nodes = new ArrayList<>();
            try {
                // Node 0 reaches Redis through the proxy (the link-cut fault), node 1 directly.
                Map<String, String> extra = fault.equals("stalled-reader")
                        ? Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", STALL_OUTBOUND_BYTES, "WEBSOCKET_MAX_PAYLOAD", "4096",
                                "CONFLATE_CHANNELS", LATEST, "CONFLATE_QUEUE_BYTES", STALL_CONFLATE_BYTES)
                        : Map.of();
                nodes.add(startNode(proxy.url(), work.resolve(fault), 0, extra));
                nodes.add(startNode(redis.url(), work.resolve(fault), 1, extra));
                runTraffic(fault, redis, proxy, nodes);
            } finally {
                for (NodeProcess node : nodes) {
                    node.close();
                }
            }
        }
    }

    /** A free port may be taken again before the node binds it: a few attempts. */
    private NodeProcess startNode(String redisUrl, Path logDir, int index, Map<String, String> extra)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return new NodeProcess(jar, redisUrl, logDir, index, extra);
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void runTraffic(String fault, RedisProcess redis, LinkProxy proxy, List<NodeProcess> nodes) throws Exception {
        List<Client> clients = new ArrayList<>();
        long jitter = fault.equals("reconnect-storm") ? RECONNECT_JITTER_MILLIS : 0;
        for (int n = 0; n < nodes.size(); n++) {
            for (int i = 0; i < clientsPerNode; i++) {
                clients.add(new Client(nodes, n, jitter));
            }
        }
        if (fault.equals("reconnect-storm")) {
            // Node 1 carries STORM more clients; its drain sends them all to node 0 at once, resuming.
            for (int i = 0; i < STORM; i++) {
                clients.add(new Client(nodes, 1, jitter));
            }
        }
        boolean stall = fault.equals("stalled-reader");
        for (Client client : clients) {
            client.connect();
        }
        awaitTrue(() -> clients.stream().allMatch(Client::subscribedBoth), Duration.ofSeconds(120));
        Publisher publisher = new Publisher(redis.url(), fault.equals("reconnect-storm") ? stormRate : rate, stall ? STALL_PADDING : 0,
                stall ? List.of(HISTORY, PLAIN, LATEST) : List.of(HISTORY, PLAIN));
        StalledSocket stalledQueue = null;
        StalledSocket stalledLatest = null;
        publisher.start();
        Thread.sleep(3000);
        long faultStart = System.nanoTime();
        ResumeWatch watch = new ResumeWatch(publisher, clients, faultStart);
        watch.start();
        switch (fault) {
            case "redis-restart-empty" -> redis.restart(false);
            case "redis-restart-aof" -> redis.restart(true);
            case "redis-pause-8s" -> {
                redis.signal("STOP");
                Thread.sleep(8000);
                redis.signal("CONT");
            }
            case "node-link-cut" -> proxy.cut();
            case "node-kill-9" -> nodes.get(0).kill();
            case "node-drain" -> nodes.get(0).drain();
            case "reconnect-storm" -> nodes.get(1).drain();
            case "stalled-reader" -> {
                // Two sockets on node 0 subscribe and read nothing more: one on the history and plain
                // channels (bounded queue: closed with 4000), one on a latest-value channel (conflated).
                stalledQueue = new StalledSocket(nodes.get(0).ws("/ws"), List.of(HISTORY, PLAIN));
                stalledLatest = new StalledSocket(nodes.get(0).ws("/ws"), List.of(LATEST));
            }
            default -> throw new IllegalArgumentException("unknown fault " + fault);
        }
        // Redis faults count from Redis answering again (the issue's "within 2 s of Redis answering
        // again"); node and client faults from the moment they were injected.
        boolean redisFault = fault.startsWith("redis-");
        long resumeFrom = redisFault ? System.nanoTime() : faultStart;
        Thread.sleep(fault.equals("reconnect-storm") ? 20_000 : 8000);
        watch.stop();
        publisher.stop();
        Thread.sleep(5000);
        // A stalled socket the node did not close is rightly in the index; one it closed must be gone.
        java.util.Set<String> alsoOpen = stalledQueue != null
                && !nodes.get(0).logged("Slow consumer connectionId=" + stalledQueue.connectionId)
                ? java.util.Set.of(stalledQueue.connectionId) : java.util.Set.of();
        // A killed node's entries stay until a survivor sweeps it (NODE_HEARTBEAT_TIMEOUT, 15 s, after
        // its last heartbeat): checked again for up to INDEX_PATIENCE before counting what is left wrong.
        int indexWrong = indexEntriesWrong(redis.url(), clients, alsoOpen);
        long indexDeadline = System.nanoTime() + INDEX_PATIENCE.toNanos();
        while (indexWrong != 0 && System.nanoTime() < indexDeadline) {
            Thread.sleep(500);
            indexWrong = indexEntriesWrong(redis.url(), clients, alsoOpen);
        }
        for (String channel : List.of(HISTORY, PLAIN)) {
            Publisher.Sent sent = publisher.sent(channel);
            long delivered = 0;
            long lost = 0;
            long duplicated = 0;
            long recovered = 0;
            long silence = 0;
            for (Client client : clients) {
                Client.Track track = client.track(channel);
                delivered += track.distinct();
                lost += track.missing(sent.seqs);
                duplicated += track.duplicates.get();
                recovered += track.recovered.get();
                silence = Math.max(silence, track.longestSilenceMillis());
            }
            long dropped = clients.stream().mapToLong(c -> c.drops.get()).sum();
            long unrecovered = clients.stream().mapToLong(c -> c.unrecovered.get()).sum();
            long resumeMillis = watch.resumedMillis(channel, resumeFrom);
            System.out.printf("%-20s %-6s %7d %9d %9d %7d %6d %11d %10s %7d %10d %9d%n", fault,
                    channel.equals(HISTORY) ? "hist" : "plain", sent.count() * (long) clients.size(), delivered,
                    recovered, lost, duplicated, silence, resumeMillis < 0 ? "never" : Long.toString(resumeMillis),
                    dropped, channel.equals(HISTORY) ? unrecovered : 0, indexWrong);
        }
        for (Client client : clients) {
            client.close();
        }
        if (stalledQueue != null) {
            reportStalled(nodes.get(0), publisher, stalledQueue, stalledLatest);
        }
        publisher.close();
    }

    /**
     * What the node did to the two stalled sockets: the one on the history and plain channels should
     * have been closed with 4000 (slow consumer, in the node's log; its close frame may never reach a
     * reader this stalled, and the node cuts it 5 s later), the latest-value one should still be open
     * and, reading again, get the newest message rather than all of them.
     */
    private static void reportStalled(NodeProcess node, Publisher publisher, StalledSocket queue, StalledSocket latest)
            throws IOException {
        boolean slowConsumer = node.logged("Slow consumer connectionId=" + queue.connectionId);
        StalledSocket.Outcome queueEnd = queue.drain(1000, 30_000);
        StalledSocket.Outcome latestEnd = latest.drain(1000, 30_000);
        long sentLatest = publisher.sent(LATEST).count();
        int lastSeq = publisher.sent(LATEST).seqs().length() - 1;
        System.out.printf("%-20s stalled on history+plain: %s; reading again: %s%s, %d messages%n", "stalled-reader",
                slowConsumer ? "closed by the node as a slow consumer (4000, node log)" : "NOT closed as a slow consumer",
                queueEnd.end(), queueEnd.closeCode() == 0 ? "" : " " + queueEnd.closeCode(), queueEnd.messages());
        System.out.printf("%-20s stalled on latest-value %s: %s; reading again: %d of %d messages (conflated), "
                        + "newest seq %d (last published %d)%n", "stalled-reader", LATEST,
                latestEnd.open() ? "still open" : "ended (" + latestEnd.end() + " " + latestEnd.closeCode() + ")",
                latestEnd.messages(), sentLatest, latestEnd.lastSeq(), lastSeq);
        queue.close();
        latest.close();
    }

    /** Connection records in Redis that do not match a client socket that is open (both directions). */
    private static int indexEntriesWrong(String redisUrl, List<Client> clients, java.util.Set<String> alsoOpen) {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            var sync = connection.sync();
            java.util.Set<String> open = new java.util.HashSet<>(alsoOpen);
            for (Client c : clients) {
                if (c.isOpen() && c.connectionId != null) {
                    open.add(c.connectionId);
                }
            }
            java.util.Set<String> indexed = new java.util.HashSet<>(sync.hkeys(PREFIX + ":chan:{" + PLAIN + "}"));
            int wrong = 0;
            for (String id : indexed) {
                if (!open.contains(id)) {
                    wrong++;
                }
            }
            for (String id : open) {
                if (!indexed.contains(id)) {
                    wrong++;
                }
            }
            return wrong;
        } catch (RuntimeException e) {
            return -1;
        } finally {
            client.shutdown();
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(50);
        }
    }

    // ------------------------------------------------------------------ time to resume

    /**
     * How long delivery took to resume, per channel: polled every 50 ms from the fault on, a client
     * lags when it misses something published more than {@link #LAG_MILLIS} ago. History: a message
     * Redis took (replayed or live: nothing may be missing, except what a {@code recovered:false} declared
     * lost to that client). Plain: it got nothing published since
     * then (what pub/sub dropped meanwhile is lost by design). The figure is the last moment any
     * client lagged, counted from the fault (Redis faults: from Redis answering again); 0 when none
     * ever lagged after that, -1 when one still lagged when the run ended.
     */
    private static final class ResumeWatch {
        private static final long POLL_MILLIS = 50;
        private static final long LAG_MILLIS = 1000;
        private final Publisher publisher;
        private final List<Client> clients;
        private final long from;
        /** (nanoTime, seq issued by then) of each poll, to find what was published LAG_MILLIS ago. */
        private final java.util.ArrayDeque<long[]> issued = new java.util.ArrayDeque<>();
        private final Map<String, Long> lastLagNanos = new ConcurrentHashMap<>();
        private volatile boolean running = true;
        private final Map<String, Boolean> laggingAtEnd = new ConcurrentHashMap<>();
        private Thread thread;

        ResumeWatch(Publisher publisher, List<Client> clients, long from) {
            this.publisher = publisher;
            this.clients = clients;
            this.from = from;
        }

        void start() {
            thread = new Thread(() -> {
                while (running) {
                    long now = System.nanoTime();
                    issued.addLast(new long[] {now, publisher.issued()});
                    long horizon = now - TimeUnit.MILLISECONDS.toNanos(LAG_MILLIS);
                    while (issued.size() > 1) {
                        java.util.Iterator<long[]> it = issued.iterator();
                        it.next();
                        if (it.next()[0] <= horizon) {
                            issued.pollFirst();
                        } else {
                            break;
                        }
                    }
                    long[] past = issued.peekFirst()[0] <= horizon ? issued.peekFirst() : null;
                    if (past != null) {
                        int seqThen = (int) past[1];
                        for (String channel : List.of(HISTORY, PLAIN)) {
                            boolean lagging = lagging(channel, seqThen);
                            laggingAtEnd.put(channel, lagging);
                            if (lagging) {
                                lastLagNanos.put(channel, now);
                            }
                        }
                    }
                    try {
                        Thread.sleep(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "fault-resume-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /** Whether a client misses something published before seq {@code seqThen} (see the class comment). */
        private boolean lagging(String channel, int seqThen) {
            if (seqThen <= 0) {
                return false;
            }
            BitSet sent = publisher.sent(channel).seqs();
            for (Client client : clients) {
                Client.Track track = client.track(channel);
                if (channel.equals(HISTORY) ? !track.holdsAllBelow(sent, seqThen)
                        : sent.get(seqThen - 1) && !track.gotFrom(seqThen - 1)) {
                    return true;
                }
            }
            return false;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        /** Milliseconds from {@code resumeFrom} until no client lagged any more; -1: still lagging at the end. */
        long resumedMillis(String channel, long resumeFrom) {
            if (Boolean.TRUE.equals(laggingAtEnd.get(channel))) {
                return -1;
            }
            Long last = lastLagNanos.get(channel);
            return last == null || last < resumeFrom ? 0 : TimeUnit.NANOSECONDS.toMillis(last - resumeFrom);
        }
    }

    // ------------------------------------------------------------------ publisher

    /** Publishes seq 0, 1, 2... on both channels at a steady rate; remembers which publishes Redis took. */
    private static final class Publisher implements AutoCloseable {
        record Sent(BitSet seqs) {
            long count() {
                return seqs.cardinality();
            }
        }

        private final WsPublisher publisher;
        private final long periodNanos;
        private final Map<String, BitSet> sent = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        /** The next seq to publish: every seq below it was handed to Redis. */
        private final AtomicInteger issued = new AtomicInteger();
        private Thread thread;

        private final String padding;
        private final List<String> channels;

        Publisher(String redisUrl, int rate, int paddingBytes, List<String> channels) {
            this.publisher = WsPublisher.connect(redisUrl, PublisherOptions.builder().keyPrefix(PREFIX)
                    .historyRules(HistoryRules.parse(RULES)).timeout(Duration.ofSeconds(1)).build());
            this.periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
            this.padding = "x".repeat(paddingBytes);
            this.channels = channels;
            channels.forEach(channel -> sent.put(channel, new BitSet()));
        }

        void start() {
            thread = new Thread(() -> {
                long next = System.nanoTime();
                int seq = 0;
                while (running.get()) {
                    for (String channel : channels) {
                        int s = seq;
                        Map<String, Object> message = padding.isEmpty()
                                ? Map.of("type", "seq", "seq", s, "t", System.currentTimeMillis())
                                : Map.of("type", "seq", "seq", s, "t", System.currentTimeMillis(), "pad", padding);
                        publisher.async().broadcast(channel, message).whenComplete((receivers, error) -> {
                                    if (error == null) {
                                        synchronized (sent) {
                                            sent.get(channel).set(s);
                                        }
                                    }
                                });
                    }
                    seq++;
                    issued.set(seq);
                    next += periodNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }, "fault-publisher");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            Thread.sleep(1500); // outstanding publishes settle (timeout 1 s)
        }

        int issued() {
            return issued.get();
        }

        Sent sent(String channel) {
            synchronized (sent) {
                return new Sent((BitSet) sent.get(channel).clone());
            }
        }

        @Override
        public void close() {
            publisher.close();
        }
    }

    // ------------------------------------------------------------------ client

    /** A WebSocket client that reconnects to a live node and resumes, as the browser client does. */
    private static final class Client implements WebSocket.Listener {
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        final class Track {
            private final BitSet seen = new BitSet();
            final AtomicLong duplicates = new AtomicLong();
            final AtomicLong recovered = new AtomicLong();
            private long lastAt;
            private long longestSilence;
            volatile long offset = -1;
            volatile String epoch;
            volatile long replayTop = -1;
            /** Seqs below this were declared lost by a {@code recovered:false}: not waited for. */
            private int excusedBelow;
            private boolean excuseUpToNext;

            synchronized void message(int seq, long offsetOfMessage) {
                long now = System.nanoTime();
                if (lastAt != 0) {
                    longestSilence = Math.max(longestSilence, now - lastAt);
                }
                lastAt = now;
                if (seen.get(seq)) {
                    duplicates.incrementAndGet();
                } else {
                    seen.set(seq);
                }
                if (excuseUpToNext) {
                    excusedBelow = seq;
                    excuseUpToNext = false;
                }
                if (offsetOfMessage >= 0 && offsetOfMessage <= replayTop) {
                    recovered.incrementAndGet();
                }
            }

            synchronized long distinct() {
                return seen.cardinality();
            }

            /** Whether every seq below {@code below} that Redis took was delivered. */
            synchronized boolean holdsAllBelow(BitSet sent, int below) {
                BitSet missing = sent.get(0, below);
                missing.clear(0, Math.min(below, excusedBelow));
                missing.andNot(seen);
                return missing.isEmpty();
            }

            /** A {@code recovered:false}: what was published before the next message is not coming. */
            synchronized void declaredLost() {
                excuseUpToNext = true;
            }

            /** Whether a seq at or above {@code from} was delivered. */
            synchronized boolean gotFrom(int from) {
                // (a seq at or above it: delivery is flowing again)
                return seen.nextSetBit(from) >= 0;
            }

            synchronized long missing(BitSet sent) {
                BitSet missing = (BitSet) sent.clone();
                missing.andNot(seen);
                return missing.cardinality();
            }

            synchronized long longestSilenceMillis() {
                return TimeUnit.NANOSECONDS.toMillis(longestSilence);
            }
        }

        private final List<NodeProcess> nodes;
        private int node;
        private final Map<String, Track> tracks = Map.of(HISTORY, new Track(), PLAIN, new Track());
        private final StringBuilder text = new StringBuilder();
        private final AtomicInteger subscribed = new AtomicInteger();
        final AtomicLong drops = new AtomicLong();
        final AtomicLong unrecovered = new AtomicLong();
        private volatile WebSocket socket;
        private java.util.concurrent.CompletableFuture<?> sends = java.util.concurrent.CompletableFuture.completedFuture(null);
        private volatile String resumeToken;
        volatile String connectionId;
        private volatile boolean closing;
        private volatile boolean resumed;

        /** Reconnects wait a random 0..jitter ms first (the storm; 0: at once). */
        private final long jitterMillis;

        Client(List<NodeProcess> nodes, int node, long jitterMillis) {
            this.nodes = nodes;
            this.node = node;
            this.jitterMillis = jitterMillis;
        }

        Track track(String channel) {
            return tracks.get(channel);
        }

        boolean subscribedBoth() {
            return subscribed.get() >= 2;
        }

        boolean isOpen() {
            WebSocket ws = socket;
            return ws != null && !ws.isInputClosed() && !ws.isOutputClosed();
        }

        void connect() {
            for (int attempt = 0; attempt < 200 && !closing; attempt++) {
                NodeProcess target = nodes.get(node % nodes.size());
                if (target.alive()) {
                    try {
                        socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20))
                                .buildAsync(target.ws("/ws"), this).get(30, TimeUnit.SECONDS);
                        return;
                    } catch (Exception e) {
                        // refused (draining, dead): try the next node
                    }
                }
                node++;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                try {
                    handle(webSocket, JSON.readTree(message));
                } catch (IOException e) {
                    // not JSON: ignored
                }
            }
            webSocket.request(1);
            return null;
        }

        private void handle(WebSocket webSocket, JsonNode message) {
            String type = message.path("type").asText();
            switch (type) {
                case "welcome" -> {
                    String previous = resumeToken;
                    connectionId = message.path("data").path("connectionId").asText();
                    resumeToken = message.path("data").path("resumeToken").asText(null);
                    if (previous != null) {
                        Track history = tracks.get(HISTORY);
                        Map<String, Object> positions = history.epoch == null ? Map.of()
                                : Map.of(HISTORY, Map.of("offset", history.offset, "epoch", history.epoch));
                        send(webSocket, Map.of("type", "resume", "token", previous, "positions", positions));
                    } else {
                        send(webSocket, Map.of("type", "subscribe", "channel", HISTORY));
                        send(webSocket, Map.of("type", "subscribe", "channel", PLAIN));
                    }
                }
                case "subscribed" -> {
                    subscribed.incrementAndGet();
                    if (HISTORY.equals(message.path("channel").asText())) {
                        Track history = tracks.get(HISTORY);
                        JsonNode position = message.path("position");
                        if (message.has("recovered") && !message.path("recovered").asBoolean()) {
                            unrecovered.incrementAndGet();
                            history.declaredLost();
                            history.offset = position.path("offset").asLong();
                            history.epoch = position.path("epoch").asText();
                        } else if (message.path("recovered").asBoolean()) {
                            history.replayTop = position.path("offset").asLong();
                        } else if (history.epoch == null) {
                            history.offset = position.path("offset").asLong();
                            history.epoch = position.path("epoch").asText();
                        }
                    }
                }
                case "resumed" -> resumed = true;
                case "error" -> {
                    if ("resume_refused".equals(message.path("code").asText())) {
                        send(webSocket, Map.of("type", "subscribe", "channel", HISTORY));
                        send(webSocket, Map.of("type", "subscribe", "channel", PLAIN));
                    }
                }
                case "seq" -> {
                    String channel = message.path("channel").asText();
                    Track track = tracks.get(channel);
                    if (track == null) {
                        return;
                    }
                    long offset = message.path("offset").asLong(-1);
                    if (channel.equals(HISTORY) && offset >= 0) {
                        String epoch = message.path("epoch").asText();
                        if (epoch.equals(track.epoch) && offset <= track.offset) {
                            track.duplicates.incrementAndGet(); // the client would drop it
                            return;
                        }
                        track.offset = offset;
                        track.epoch = epoch;
                    }
                    track.message(message.path("seq").asInt(), offset);
                }
                default -> { }
            }
        }

        /** The JDK allows one send at a time per socket: sends are chained. */
        private synchronized void send(WebSocket webSocket, Object message) {
            String text;
            try {
                text = JSON.writeValueAsString(message);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            sends = sends.handle((ignored, error) -> null).thenCompose(ignored -> webSocket.sendText(text, true));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            reconnect();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            reconnect();
        }

        private void reconnect() {
            if (closing) {
                return;
            }
            drops.incrementAndGet();
            Thread reconnect = new Thread(() -> {
                node++;
                try {
                    // Jitter, as a real client's backoff: a thousand sockets closed at once do not all come back at once.
                    if (jitterMillis > 0) {
                        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(jitterMillis));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                connect();
            }, "fault-reconnect");
            reconnect.setDaemon(true);
            reconnect.start();
        }

        void close() {
            closing = true;
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
        }
    }

    // ------------------------------------------------------------------ processes

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** redis-server on a fixed free port, restartable on it, with AOF (appendfsync everysec) or none. */
    private static final class RedisProcess implements AutoCloseable {
        final int port;
        private final Path dir;
        private final boolean aof;
        private Process process;

        RedisProcess(Path dir, boolean aof) throws Exception {
            this.port = freePort();
            this.dir = Files.createDirectories(dir);
            this.aof = aof;
            start();
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        private void start() throws Exception {
            process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", aof ? "yes" : "no", "--appendfsync", "everysec",
                    "--dir", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
            awaitTrue(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(10));
        }

        /** Killed (-9) and started again on the same port: empty, or from its AOF. */
        void restart(boolean keepData) throws Exception {
            process.destroyForcibly().waitFor();
            if (!keepData) {
                try (var files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        if (!file.getFileName().toString().equals("redis.log")) {
                            deleteRecursively(file);
                        }
                    }
                }
            }
            start();
        }

        void signal(String signal) throws Exception {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly().waitFor();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (var children = Files.list(path)) {
                for (Path child : children.toList()) {
                    deleteRecursively(child);
                }
            }
        }
        Files.deleteIfExists(path);
    }

    /** One node as a child JVM; it can be killed (-9) or drained (SIGTERM). */
    private static final class NodeProcess implements AutoCloseable {
        private final Process process;
        private final int port;
        private volatile boolean alive = true;

        private final Path log;

        NodeProcess(Path jar, String redisUrl, Path logDir, int index, Map<String, String> extra) throws Exception {
            Path log = logDir.resolve("node-" + index + ".log");
            this.log = log;
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseParallelGC", "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            // Port 0: the node binds a free port itself (a port picked here could be taken before it binds).
            env.put("PORT", "0");
            env.put("MANAGEMENT_PORT", "0");
            env.put("HOST", "127.0.0.1");
            env.put("REDIS_URL", redisUrl);
            env.put("REDIS_KEY_PREFIX", PREFIX);
            env.put("NODE_ID", "fault" + index);
            env.put("HISTORY_RULES", RULES);
            env.put("HISTORY_MAX_RECOVERY", "100000");
            env.put("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "100000"); // every client comes from 127.0.0.1
            // ...so the per-address upgrade throttle (50/s) would refuse a storm's reconnects with 429
            // and make the generator, not the node, the subject: lifted, as the bench does.
            env.put("WEBSOCKET_UPGRADE_RATE_PER_IP", "0");
            env.putAll(extra);
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            process = builder.start();
            java.util.regex.Pattern listening = java.util.regex.Pattern.compile(
                    "Node fault" + index + " listening on 127\\.0\\.0\\.1:(\\d+)");
            int[] bound = {0};
            awaitTrue(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("node " + index + " exited (see " + log + ")");
                }
                byte[] all = Files.readAllBytes(log);
                String text = new String(all, (int) Math.min(logStart, all.length), (int) (all.length - Math.min(logStart, all.length)),
                        java.nio.charset.StandardCharsets.UTF_8);
                java.util.regex.Matcher m = listening.matcher(text);
                if (m.find()) {
                    bound[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            }, Duration.ofSeconds(60));
            port = bound[0];
            Processes.waitReady(URI.create("http://127.0.0.1:" + port + "/ready"), process, Duration.ofSeconds(60));
        }

        URI ws(String path) {
            return URI.create("ws://127.0.0.1:" + port + path);
        }

        /** Whether the node's log has a line containing {@code text}. */
        boolean logged(String text) throws IOException {
            try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.UTF_8)) {
                return lines.anyMatch(line -> line.contains(text));
            }
        }

        boolean alive() {
            return alive && process.isAlive();
        }

        void kill() throws InterruptedException {
            alive = false;
            process.destroyForcibly().waitFor();
        }

        void drain() throws InterruptedException {
            alive = false;
            process.destroy(); // SIGTERM: the node drains (1012) and leaves Redis clean
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "fault-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    /** Forwards a port to Redis; {@link #cut} resets every connection through it (RST). */
    private static final class LinkProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        LinkProxy(int target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            daemon(this::accept);
        }

        String url() {
            return "redis://127.0.0.1:" + server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket("127.0.0.1", target);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // closed, or Redis not there (the node retries)
                }
            }
        }

        private void pump(Socket from, Socket to) {
            daemon(() -> {
                byte[] buffer = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    // cut
                } finally {
                    reset(from);
                    reset(to);
                }
            });
        }

        void cut() {
            sockets.forEach(LinkProxy::reset);
            sockets.clear();
        }

        private static void reset(Socket socket) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // gone
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            cut();
        }
    }
}
