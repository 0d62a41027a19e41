package com.aegisx.ws.load;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.Json;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The load generator. One scenario per run; it starts redis-server and the nodes as child
 * processes (so their CPU and memory are their own), drives real WebSocket clients, publishes
 * through the publisher client, prints a table and writes a JSON file. See load-tests/README.md.
 */
public final class LoadTest {

    static final String SECRET = "load-test-secret-that-is-long-enough-for-hs256";
    static final String PREFIX = "bench";

    private final Options options;
    private final Path out;
    private final List<Processes.Node> nodes = new ArrayList<>();
    private Processes.Redis redis;
    private Processes.RedisCluster redisCluster;
    private String redisUrl;
    private final ObjectNode report = Json.object();
    private final List<StepResult> steps = new ArrayList<>();

    private LoadTest(Options options) throws Exception {
        this.options = options;
        this.out = Path.of(options.string("out", "load-tests/results"));
        Files.createDirectories(out);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = new Options(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LoadTest test = new LoadTest(options);
        int status = 0;
        try {
            test.run();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        } finally {
            test.stop();
        }
        System.exit(status);
    }

    private void run() throws Exception {
        report.put("scenario", options.scenario);
        report.put("startedAt", Instant.now().toString());
        report.set("options", Json.MAPPER.valueToTree(options.all()));
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        startProcesses();
        switch (options.scenario) {
            case "broadcast" -> broadcast(false);
            case "ceiling" -> broadcast(true);
            case "personal" -> personal();
            case "idle" -> idle();
            case "churn" -> churn();
            case "channels" -> channels();
            default -> throw new IllegalArgumentException("unknown scenario " + options.scenario);
        }
        ArrayNode rows = report.putArray("steps");
        for (StepResult step : steps) {
            rows.add(toJson(step));
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path file = out.resolve(options.scenario + "-" + stamp + ".json");
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.out.println("JSON: " + file);
    }

    // ----------------------------------------------------------------- processes

    private void startProcesses() throws Exception {
        redisUrl = options.string("redis-url", null);
        int shards = options.integer("redis-cluster", 0);
        if (redisUrl == null && shards > 0) {
            redisCluster = new Processes.RedisCluster(out, shards);
            redisUrl = redisCluster.url();
            report.put("redisShards", shards);
        } else if (redisUrl == null) {
            redis = new Processes.Redis(out);
            redisUrl = redis.url();
        }
        int count = options.integer("nodes", 1);
        Path jar = Processes.serverJar(options.string("node-jar", "server/target/ws-server.jar")).toPath();
        Map<String, String> env = new HashMap<>();
        env.put("JWT_SECRET", SECRET);
        env.put("REDIS_KEY_PREFIX", PREFIX);
        env.put("WEBSOCKET_MAX_CONNECTIONS_PER_IP", "1000000");
        env.put("WEBSOCKET_UPGRADE_RATE_PER_IP", "0"); // every generated client comes from one address
        env.put("WEBSOCKET_MAX_CONNECTIONS_PER_USER", "1000000");
        env.put("WEBSOCKET_MAX_OUTBOUND_BYTES", String.valueOf(16 * 1024 * 1024));
        if (options.scenario.equals("ceiling")) {
            env.put("LOADTEST_HOOKS", "true");
        }
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + options.string("node-heap", "512m")));
        // --node-jvm "-XX:... -XX:...": extra JVM flags for the nodes (GC and heap sizing experiments)
        for (String flag : options.string("node-jvm", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                jvm.add(flag);
            }
        }
        for (int i = 0; i < count; i++) {
            List<String> args = new ArrayList<>(jvm);
            if (!options.string("jfr", "").isEmpty()) {
                args.add("-XX:StartFlightRecording=filename=" + out.resolve(options.string("jfr", "") + "-node" + i + ".jfr")
                        .toAbsolutePath() + ",settings=profile,dumponexit=true");
            }
            nodes.add(new Processes.Node(jar, redisUrl, env, args, out, i));
        }
        report.put("nodes", count);
        report.put("nodeHeap", options.string("node-heap", "512m"));
        report.put("nodeJvm", String.join(" ", jvm));
        System.out.printf("redis %s (pid %s), %d node(s) %s%n", redisUrl, redis != null ? redis.pid()
                        : redisCluster != null ? redisCluster.pids() : "external",
                count, nodes.stream().map(n -> n.port + "/pid " + n.pid()).toList());
    }

    private void stop() {
        for (Processes.Node node : nodes) {
            try {
                node.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        for (AutoCloseable server : new AutoCloseable[] {redis, redisCluster}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private ProcStat.Cpu nodeCpu() {
        return overNodes(ProcStat::cpu);
    }

    /** The part of {@link #nodeCpu()} the nodes' JIT compiler threads used so far. */
    private ProcStat.Cpu nodeJitCpu() {
        return overNodes(ProcStat::compilerCpu);
    }

    /** {@code cpuOf} each node's process, summed. */
    private ProcStat.Cpu overNodes(java.util.function.LongFunction<ProcStat.Cpu> cpuOf) {
        ProcStat.Cpu total = new ProcStat.Cpu(0, 0);
        for (Processes.Node node : nodes) {
            total = total.plus(cpuOf.apply(node.pid()));
        }
        return total;
    }

    /** Redis CPU so far: the one server, or the sum over the cluster's shards (null when external). */
    private ProcStat.Cpu redisCpu() {
        if (redisCluster != null) {
            ProcStat.Cpu total = new ProcStat.Cpu(0, 0);
            for (ProcStat.Cpu shard : shardCpu()) {
                total = total.plus(shard);
            }
            return total;
        }
        return redis == null ? null : ProcStat.cpu(redis.pid());
    }

    /** CPU so far of each shard (one master process each); one entry for a standalone Redis. */
    private List<ProcStat.Cpu> shardCpu() {
        if (redisCluster != null) {
            return redisCluster.pids().stream().map(ProcStat::cpu).toList();
        }
        return redis == null ? List.of() : List.of(ProcStat.cpu(redis.pid()));
    }

    static String token(String userId) {
        return JWT.create().withSubject(userId).withExpiresAt(Instant.now().plusSeconds(24 * 3600))
                .sign(Algorithm.HMAC256(SECRET));
    }

    private URI wsUri(int i, String userId) {
        Processes.Node node = nodes.get(i % nodes.size());
        return node.ws(userId == null ? "/ws" : "/ws?token=" + token(userId));
    }

    // ----------------------------------------------------------------- broadcast / ceiling

    private void broadcast(boolean compareWithCeiling) throws Exception {
        int subscribers = options.integer("subscribers", 1000);
        List<Double> rates = options.numbers("rates", "10,50,100,200,500,1000");
        double seconds = options.number("step-seconds", 15);
        int size = options.integer("size", 100);
        String channel = options.string("channel", "bench:fanout");
        String pad = Payloads.padFor(size);
        report.put("subscribers", subscribers);
        report.put("payloadBytes", Payloads.build(0, Payloads.epochMicros(), pad).length());

        try (Clients clients = new Clients(options.integer("client-threads", 1));
             WsPublisher publisher = WsPublisher.connect(redisUrl, PublisherOptions.builder().keyPrefix(PREFIX).build())) {
            List<BenchSocket> sockets = clients.connectAll(subscribers, options.integer("connect-inflight", 200),
                    i -> wsUri(i, null), channel, Duration.ofSeconds(120));
            System.out.printf("%d subscribers on %s%n", sockets.size(), channel);
            AsyncWsPublisher async = publisher.async();
            long[] nextSeq = {0};
            warmUp(clients, sockets, (seq) -> async.broadcast(channel, Payloads.build(seq, Payloads.epochMicros(), pad)),
                    nextSeq);
            for (double rate : rates) {
                StepResult viaRedis = step("redis", clients, sockets, rate, seconds, nextSeq, seq ->
                        async.broadcast(channel, Payloads.build(seq, Payloads.epochMicros(), pad)), null);
                print(viaRedis);
                if (compareWithCeiling) {
                    Processes.Node node = nodes.get(0);
                    StepResult local = step("local", clients, sockets, rate, seconds, nextSeq, null, firstSeq ->
                            localFanout(node, channel, rate, seconds, size, firstSeq));
                    print(local);
                    System.out.printf("  ratio redis/local node CPU per delivered message: %.2f%n",
                            viaRedis.nodeTotalPerMessage() / local.nodeTotalPerMessage());
                }
            }
            printSummary();
            for (BenchSocket socket : sockets) {
                socket.close();
            }
        }
    }

    // ----------------------------------------------------------------- many channels (cluster)

    /**
     * {@code --channels C} channels with {@code --subscribers-per-channel S} sockets each, spread
     * round-robin over the nodes (so with S >= nodes every node subscribes every channel). A step
     * at rate R publishes R messages/s in total, one tick per channel at R/C ticks/s. Besides the
     * usual table it prints each shard's Redis CPU per published message (with
     * {@code --redis-cluster N}: N shards; else the one standalone Redis), the figure that shows
     * sharded pub/sub spreading the load.
     */
    private void channels() throws Exception {
        int channelCount = options.integer("channels", 300);
        int perChannel = options.integer("subscribers-per-channel", 2);
        List<Double> rates = options.numbers("rates", "1500,3000");
        double seconds = options.number("step-seconds", 10);
        String pad = Payloads.padFor(options.integer("size", 100));
        List<String> channels = new ArrayList<>();
        for (int c = 0; c < channelCount; c++) {
            channels.add("bench:ch-" + c);
        }
        report.put("channels", channelCount);
        report.put("subscribersPerChannel", perChannel);
        try (Clients clients = new Clients(options.integer("client-threads", 1));
             WsPublisher publisher = WsPublisher.connect(redisUrl, PublisherOptions.builder().keyPrefix(PREFIX).build())) {
            List<BenchSocket> sockets = new ArrayList<>();
            for (int c = 0; c < channelCount; c++) {
                int base = c * perChannel;
                sockets.addAll(clients.connectAll(perChannel, options.integer("connect-inflight", 200),
                        i -> wsUri(base + i, null), channels.get(c), Duration.ofSeconds(120)));
            }
            System.out.printf("%d sockets on %d channels (%d each), %s%n", sockets.size(), channelCount, perChannel,
                    redisCluster != null ? redisCluster.masters.size() + " shards" : "standalone Redis");
            AsyncWsPublisher async = publisher.async();
            LongConsumer tick = seq -> {
                for (String channel : channels) {
                    async.broadcast(channel, Payloads.build(seq, Payloads.epochMicros(), pad));
                }
            };
            long[] nextSeq = {0};
            double warmSeconds = options.number("warmup-seconds", 5);
            if (warmSeconds > 0) {
                StepResult warm = step("warmup", clients, sockets, 500.0 / channelCount, warmSeconds, nextSeq, tick, null);
                System.out.printf("warm-up: %d delivered, %d lost%n", warm.delivered(), warm.lost());
                steps.remove(warm);
            }
            // What each Redis process spends with no traffic at all (a cluster node's bus and cron):
            // subtracted below, so the per-message figure is the cost of the messages alone.
            double idleSeconds = options.number("idle-seconds", 10);
            List<ProcStat.Cpu> idle0 = shardCpu();
            long idleStart = System.nanoTime();
            Thread.sleep((long) (idleSeconds * 1000)); // a measurement window, not a wait for a condition
            double idleElapsed = (System.nanoTime() - idleStart) / 1e9;
            List<ProcStat.Cpu> idle1 = shardCpu();
            double[] idleMicrosPerSecond = new double[idle0.size()];
            StringBuilder idleLine = new StringBuilder("idle Redis CPU, us per second, per shard:");
            for (int i = 0; i < idle0.size(); i++) {
                idleMicrosPerSecond[i] = idle1.get(i).minus(idle0.get(i)).totalMicros() / idleElapsed;
                idleLine.append(String.format(" %.0f", idleMicrosPerSecond[i]));
            }
            System.out.println(idleLine);
            ArrayNode shardFigures = report.putArray("shardMicrosPerPublished");
            for (double rate : rates) {
                List<ProcStat.Cpu> before = shardCpu();
                long stepStart = System.nanoTime();
                StepResult result = step("ch" + (int) rate, clients, sockets, rate / channelCount, seconds, nextSeq, tick, null);
                double stepElapsed = (System.nanoTime() - stepStart) / 1e9;
                List<ProcStat.Cpu> after = shardCpu();
                print(result);
                long published = result.published() * channelCount;
                StringBuilder line = new StringBuilder("  Redis us per published message, per shard (gross / net of idle):");
                ObjectNode figures = shardFigures.addObject().put("rate", rate).put("published", published);
                ArrayNode perShard = figures.putArray("perShard");
                ArrayNode perShardNet = figures.putArray("perShardNetOfIdle");
                double total = 0;
                double totalNet = 0;
                for (int i = 0; i < before.size(); i++) {
                    double cpu = after.get(i).minus(before.get(i)).totalMicros();
                    double micros = cpu / published;
                    double net = Math.max(0, cpu - idleMicrosPerSecond[i] * stepElapsed) / published;
                    total += micros;
                    totalNet += net;
                    perShard.add(micros);
                    perShardNet.add(net);
                    line.append(String.format(" %.2f/%.2f", micros, net));
                }
                figures.put("total", total).put("totalNetOfIdle", totalNet);
                System.out.println(line.append(String.format("  (sum %.2f/%.2f)", total, totalNet)));
            }
            printSummary();
            for (BenchSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private void warmUp(Clients clients, List<BenchSocket> sockets, LongConsumer publish, long[] nextSeq)
            throws Exception {
        double seconds = options.number("warmup-seconds", 5);
        if (seconds > 0) {
            StepResult warm = step("warmup", clients, sockets, 100, seconds, nextSeq, publish, null);
            System.out.printf("warm-up: %d delivered, %d lost%n", warm.delivered(), warm.lost());
            steps.remove(warm);
        }
    }

    /** Local fan-out through the node's test hook; returns when the node has sent everything. */
    private void localFanout(Processes.Node node, String channel, double rate, double seconds, int size, long firstSeq) {
        try {
            var response = Processes.post(node.management("/loadtest/fanout?channel=" + channel + "&rate=" + rate
                    + "&seconds=" + seconds + "&size=" + Math.max(0, Payloads.padFor(size).length())
                    + "&firstSeq=" + firstSeq));
            if (response.statusCode() != 202) {
                throw new IllegalStateException("fan-out hook answered " + response.statusCode() + " " + response.body());
            }
            while (Processes.get(node.management("/loadtest/fanout")).contains("\"running\":true")) {
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One step: publishes {@code rate * seconds} messages (through {@code publish}, paced here, or
     * by {@code external}, which paces itself), waits for the sockets to drain, and measures.
     */
    private StepResult step(String label, Clients clients, List<BenchSocket> sockets, double rate, double seconds,
                            long[] nextSeq, LongConsumer publish, LongConsumer external) throws Exception {
        long first = nextSeq[0];
        long count = Math.max(1, Math.round(rate * seconds));
        for (BenchSocket socket : sockets) {
            socket.resetTracker(first);
        }
        clients.shared().latency.interval();
        // scraped outside the CPU window: a scrape is node and generator work the step did not cause
        double[] dispatch0 = dispatchTotals();
        ProcStat.Cpu node0 = nodeCpu();
        ProcStat.Cpu jit0 = nodeJitCpu();
        ProcStat.Cpu redis0 = redisCpu();
        ProcStat.Cpu self0 = ProcStat.self();
        long start = System.nanoTime();
        if (external != null) {
            external.accept(first);
        } else {
            pace(rate, count, i -> publish.accept(first + i));
        }
        double publishSeconds = (System.nanoTime() - start) / 1e9;
        long last = first + count - 1;
        nextSeq[0] = last + 1;
        drain(sockets, last);
        ProcStat.Cpu nodeCpu = nodeCpu().minus(node0);
        ProcStat.Cpu jitCpu = nodeJitCpu().minus(jit0);
        ProcStat.Cpu redisCpu = redis0 == null ? null : redisCpu().minus(redis0);
        ProcStat.Cpu selfCpu = ProcStat.self().minus(self0);
        double[] dispatch1 = dispatchTotals();
        long delivered = 0;
        long lost = 0;
        long duplicates = 0;
        for (BenchSocket socket : sockets) {
            SequenceTracker tracker = socket.tracker();
            delivered += tracker.received();
            lost += tracker.lost(last);
            duplicates += tracker.duplicates();
        }
        StepResult result = new StepResult(label, rate, count, count * sockets.size(), delivered, lost, duplicates,
                publishSeconds, clients.shared().latency.interval(), nodeCpu, redisCpu, selfCpu,
                meanMillis(dispatch0, dispatch1), dispatch1[2] - dispatch0[2],
                        cpuMillis(dispatch0, dispatch1), jitCpu);
        steps.add(result);
        return result;
    }

    /**
     * So far, summed over the nodes: [seconds, count] of ws_pubsub_dispatch_seconds (a sampled
     * timer: its count is about a sixteenth of the messages), the bytes and CPU seconds of the
     * dispatch workers, and the pub/sub messages received (every one); NaN when unreadable.
     */
    private double[] dispatchTotals() {
        double[] totals = new double[5];
        for (Processes.Node node : nodes) {
            try {
                String scrape = Processes.get(node.management("/metrics"));
                totals[0] += metric(scrape, "ws_pubsub_dispatch_seconds_sum");
                totals[1] += metric(scrape, "ws_pubsub_dispatch_seconds_count");
                totals[2] += metric(scrape, "ws_pubsub_dispatch_allocated_bytes_total");
                totals[3] += metric(scrape, "ws_pubsub_dispatch_cpu_seconds_total");
                totals[4] += metricSum(scrape, "ws_pubsub_received_total");
            } catch (Exception e) {
                java.util.Arrays.fill(totals, Double.NaN);
                return totals;
            }
        }
        return totals;
    }

    static double meanMillis(double[] before, double[] after) {
        double count = after[1] - before[1];
        return count > 0 ? (after[0] - before[0]) * 1000 / count : Double.NaN;
    }

    /**
     * The dispatch workers' CPU milliseconds per received message over a step (every message, not
     * the dispatch timer's sampled count).
     */
    static double cpuMillis(double[] before, double[] after) {
        double count = after[4] - before[4];
        return count > 0 ? (after[3] - before[3]) * 1000 / count : Double.NaN;
    }

    /** Calls {@code send} {@code count} times at {@code rate} per second, catching up after any stall. */
    static void pace(double rate, long count, LongConsumer send) {
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            send.accept(i);
        }
    }

    /** Waits (bounded) until every socket has seen {@code last}. */
    private void drain(List<BenchSocket> sockets, long last) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.integer("drain-seconds", 10));
        for (BenchSocket socket : sockets) {
            while (socket.tracker().next() <= last && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
    }

    // ----------------------------------------------------------------- personal

    private void personal() throws Exception {
        int users = options.integer("subscribers", 1000);
        List<Double> rates = options.numbers("rates", "1000,5000,10000,20000");
        double seconds = options.number("step-seconds", 15);
        String pad = Payloads.padFor(options.integer("size", 100));
        report.put("subscribers", users);
        try (Clients clients = new Clients(options.integer("client-threads", 1));
             WsPublisher publisher = WsPublisher.connect(redisUrl, PublisherOptions.builder().keyPrefix(PREFIX).build())) {
            List<BenchSocket> sockets = clients.connectAll(users, options.integer("connect-inflight", 200),
                    i -> wsUri(i, "u" + i), null, Duration.ofSeconds(120));
            System.out.printf("%d users connected%n", sockets.size());
            AsyncWsPublisher async = publisher.async();
            String[] userIds = new String[users];
            for (int i = 0; i < users; i++) {
                userIds[i] = "u" + i;
            }
            for (double rate : rates) {
                for (BenchSocket socket : sockets) {
                    socket.resetTracker(0);
                }
                clients.shared().latency.interval();
                double[] dispatch0 = dispatchTotals();
                ProcStat.Cpu node0 = nodeCpu();
                ProcStat.Cpu jit0 = nodeJitCpu();
                ProcStat.Cpu redis0 = redisCpu();
                ProcStat.Cpu self0 = ProcStat.self();
                long count = Math.round(rate * seconds);
                long start = System.nanoTime();
                // message i goes to user i % users, as that user's sequence number i / users
                pace(rate, count, i -> async.sendToUser(userIds[(int) (i % users)],
                        Payloads.build(i / users, Payloads.epochMicros(), pad)));
                double publishSeconds = (System.nanoTime() - start) / 1e9;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.integer("drain-seconds", 10));
                long delivered;
                while (true) {
                    delivered = clients.shared().received.sum();
                    long sum = 0;
                    for (BenchSocket s : sockets) {
                        sum += s.tracker().received();
                    }
                    if (sum >= count || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(10);
                }
                ProcStat.Cpu nodeCpu = nodeCpu().minus(node0);
                ProcStat.Cpu jitCpu = nodeJitCpu().minus(jit0);
                ProcStat.Cpu redisCpu = redis0 == null ? null : redisCpu().minus(redis0);
                ProcStat.Cpu selfCpu = ProcStat.self().minus(self0);
                double[] dispatch1 = dispatchTotals();
                long got = 0;
                long lost = 0;
                long dup = 0;
                for (int u = 0; u < users; u++) {
                    long sentToUser = count / users + (u < count % users ? 1 : 0);
                    SequenceTracker t = sockets.get(u).tracker();
                    got += t.received();
                    lost += t.lost(sentToUser - 1);
                    dup += t.duplicates();
                }
                StepResult r = new StepResult("sendToUser", rate, count, count, got, lost, dup, publishSeconds,
                        clients.shared().latency.interval(), nodeCpu, redisCpu, selfCpu,
                        meanMillis(dispatch0, dispatch1), dispatch1[2] - dispatch0[2],
                        cpuMillis(dispatch0, dispatch1), jitCpu);
                steps.add(r);
                print(r);
            }
            printSummary();
        }
    }

    // ----------------------------------------------------------------- idle

    private void idle() throws Exception {
        int connections = options.integer("connections", 15000);
        double hold = options.number("hold-seconds", 10);
        Processes.Node node = nodes.get(0);
        if (nodes.size() != 1) {
            throw new IllegalArgumentException("idle measures one node: use --nodes 1");
        }
        long[] before = memory(node);
        ProcStat.Cpu cpu0 = ProcStat.cpu(node.pid());
        long start = System.nanoTime();
        try (Clients clients = new Clients(options.integer("client-threads", 1))) {
            List<BenchSocket> sockets = clients.connectAll(connections, options.integer("connect-inflight", 200),
                    i -> wsUri(i, "u" + i), "idle:lobby", Duration.ofSeconds(300));
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d authenticated, subscribed connections in %.1f s%n", sockets.size(), connectSeconds);
            Thread.sleep((long) (hold * 1000));
            long[] after = memory(node);
            String metrics = Processes.get(node.management("/metrics"));
            long open = sockets.stream().filter(s -> !s.closed.isDone()).count();
            ObjectNode r = report.putObject("idle");
            r.put("connections", connections);
            r.put("stillOpen", open);
            r.put("nodeConnectionsGauge", metric(metrics, "ws_connections{"));
            r.put("connectSeconds", connectSeconds);
            r.put("connectCpuMicrosPerConnection", (double) ProcStat.cpu(node.pid()).minus(cpu0).totalMicros() / connections);
            r.put("heapBefore", before[0]);
            r.put("heapAfter", after[0]);
            r.put("rssBefore", before[1]);
            r.put("rssAfter", after[1]);
            r.put("heapBytesPerConnection", (double) (after[0] - before[0]) / connections);
            r.put("rssBytesPerConnection", (double) (after[1] - before[1]) / connections);
            Runtime rt = Runtime.getRuntime();
            System.gc();
            r.put("generatorHeapUsed", rt.totalMemory() - rt.freeMemory());
            r.put("generatorRss", ProcStat.rssBytes(ProcessHandle.current().pid()));
            System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
            for (BenchSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** [heap used after a full GC, RSS] of a node, bytes. */
    private long[] memory(Processes.Node node) throws Exception {
        Processes.jcmd(node.pid(), "GC.run");
        Thread.sleep(500);
        String metrics = Processes.get(node.management("/metrics"));
        long heap = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new long[] {heap, ProcStat.rssBytes(node.pid())};
    }

    /** The sum of every series of a metric (all its label sets), NaN when it has none. */
    static double metricSum(String scrape, String prefix) {
        double[] values = series(scrape, prefix).toArray();
        return values.length == 0 ? Double.NaN : java.util.Arrays.stream(values).sum();
    }

    /** The first series of a metric, NaN when it has none. */
    static double metric(String scrape, String prefix) {
        return series(scrape, prefix).findFirst().orElse(Double.NaN);
    }

    /** The values of the scrape's lines that start with {@code prefix}, in their order. */
    private static java.util.stream.DoubleStream series(String scrape, String prefix) {
        return scrape.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }

    // ----------------------------------------------------------------- churn

    private void churn() throws Exception {
        double seconds = options.number("duration-seconds", 15);
        int concurrency = options.integer("concurrency", 64);
        String channel = "churn:room";
        AtomicLong cycles = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        // Warm-up (--warmup-seconds, default 5): the same cycles, not counted, so the measured window
        // does not pay for the JIT compiling Jetty's upgrade path (a cold node spends most of its
        // first seconds in the compiler).
        double warmup = options.number("warmup-seconds", 5);
        if (warmup > 0) {
            AtomicLong warmCycles = new AtomicLong();
            AtomicLong warmFailures = new AtomicLong();
            churnLoops(concurrency, System.nanoTime() + (long) (warmup * 1e9), warmCycles, warmFailures, warmup);
            System.out.printf("churn warm-up: %.0f s, %d cycles, %d failures%n", warmup, warmCycles.get(),
                    warmFailures.get());
        }
        ProcStat.Cpu node0 = nodeCpu();
        ProcStat.Cpu redis0 = redisCpu();
        ProcStat.Cpu self0 = ProcStat.self();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        churnLoops(concurrency, end, cycles, failures, seconds);
        double elapsed = (System.nanoTime() - start) / 1e9;
        ProcStat.Cpu nodeCpu = nodeCpu().minus(node0);
        ProcStat.Cpu redisCpu = redis0 == null ? null : redisCpu().minus(redis0);
        ProcStat.Cpu selfCpu = ProcStat.self().minus(self0);
        // what is left in Redis once the node has processed every close
        Map<String, Long> leftovers = leftovers(Duration.ofSeconds(15));
        ObjectNode r = report.putObject("churn");
        r.put("concurrency", concurrency);
        r.put("seconds", elapsed);
        r.put("cycles", cycles.get());
        r.put("failures", failures.get());
        r.put("cyclesPerSecond", cycles.get() / elapsed);
        r.put("nodeCpuMicrosPerCycleUser", (double) nodeCpu.userMicros() / cycles.get());
        r.put("nodeCpuMicrosPerCycleSystem", (double) nodeCpu.systemMicros() / cycles.get());
        r.put("nodeCores", nodeCpu.totalMicros() / (elapsed * 1e6));
        r.put("redisCores", redisCpu == null ? Double.NaN : redisCpu.totalMicros() / (elapsed * 1e6));
        r.put("generatorCores", selfCpu.totalMicros() / (elapsed * 1e6));
        r.set("leftInRedis", Json.MAPPER.valueToTree(leftovers));
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
    }

    /** {@code concurrency} loops of {@link #cycle} until {@code end}. */
    private void churnLoops(int concurrency, long end, AtomicLong cycles, AtomicLong failures, double seconds)
            throws Exception {
        try (Clients clients = new Clients(options.integer("client-threads", 1))) {
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                int worker = w;
                CompletableFuture<Void> done = new CompletableFuture<>();
                loops.add(done);
                cycle(clients, worker, end, cycles, failures, done);
            }
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get((long) seconds + 60, TimeUnit.SECONDS);
        }
    }

    /** connect, subscribe, close; again until {@code end}. */
    private void cycle(Clients clients, int worker, long end, AtomicLong cycles, AtomicLong failures,
                       CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        clients.connect(wsUri(worker, null))
                .thenCompose(s -> s.subscribe("churn:room").thenApply(ignored -> s))
                .thenCompose(BenchSocket::close)
                .orTimeout(30, TimeUnit.SECONDS)
                .whenComplete((status, error) -> {
                    if (error == null) {
                        cycles.incrementAndGet();
                    } else if (failures.incrementAndGet() <= 5) {
                        System.err.println("churn cycle failed: " + error);
                    }
                    cycle(clients, worker, end, cycles, failures, done);
                });
    }

    /** Keys under the bench prefix other than the nodes' own registration, waiting for them to go. */
    private Map<String, Long> leftovers(Duration wait) throws InterruptedException {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            var sync = connection.sync();
            long deadline = System.nanoTime() + wait.toNanos();
            Map<String, Long> left;
            do {
                left = new HashMap<>();
                ScanIterator<String> keys = ScanIterator.scan(sync, ScanArgs.Builder.matches(PREFIX + ":*").limit(1000));
                while (keys.hasNext()) {
                    String key = keys.next();
                    // Resume records of closed sockets, and used-token marks, expire by themselves (RESUME_TOKEN_TTL).
                    if (key.equals(PREFIX + ":nodes") || key.equals(PREFIX + ":resume-secret")
                            || key.startsWith(PREFIX + ":resume:{") || key.startsWith(PREFIX + ":resume-used:{")
                            || key.matches(java.util.regex.Pattern.quote(PREFIX) + ":node:\\{[^}]+}")) {
                        continue;
                    }
                    String family = key.replaceAll("\\{[^}]*}", "{}");
                    left.merge(family, 1L, Long::sum);
                }
                if (left.isEmpty()) {
                    break;
                }
                Thread.sleep(200);
            } while (System.nanoTime() < deadline);
            return left;
        } finally {
            client.shutdown();
        }
    }

    // ----------------------------------------------------------------- output

    private static final String HEADER = String.format("%-10s %8s %10s %12s %8s %8s %8s %8s %9s %9s %9s %9s %9s %8s %9s %9s %6s %8s",
            "path", "pub/s", "delivered", "deliv/s", "lost", "p50 ms", "p99 ms", "p999 ms", "fanout ms", "fan cpu ms", "node us/m",
            "user us/m", "kern us/m", "redis us", "gen us/m", "alloc B/d", "ok", "jit us/m");
    private boolean headerPrinted;

    private void print(StepResult s) {
        if (!headerPrinted) {
            System.out.println(HEADER);
            headerPrinted = true;
        }
        System.out.println(row(s));
    }

    static String row(StepResult s) {
        return String.format("%-10s %8.0f %10d %12.0f %8d %8.2f %8.2f %8.2f %9.2f %9.2f %9.2f %9.2f %9.2f %8.2f %9.2f %9.1f %6s %8.2f",
                s.label(), s.publishRate(), s.delivered(), s.deliveredPerSecond(), s.lost(),
                s.latency().p50() / 1000.0, s.latency().p99() / 1000.0, s.latency().p999() / 1000.0,
                s.nodeDispatchMillis(), s.nodeDispatchCpuMillis(),
                s.nodeTotalPerMessage(), s.nodeUserPerMessage(), s.nodeSystemPerMessage(), s.redisPerMessage(),
                s.generatorPerMessage(), s.allocatedBytesPerDelivery(), s.withinCapacity() ? "yes" : "NO",
                s.nodeJitPerMessage());
    }

    private void printSummary() {
        System.out.println();
        System.out.println(HEADER);
        StepResult capacity = null;
        for (StepResult s : steps) {
            System.out.println(row(s));
            if (s.withinCapacity() && !s.label().equals("local")
                    && (capacity == null || s.deliveredPerSecond() > capacity.deliveredPerSecond())) {
                capacity = s;
            }
        }
        if (capacity != null) {
            System.out.printf("capacity (zero loss, p99 < 50 ms): %.0f published/s = %.0f deliveries/s%n",
                    capacity.publishRate(), capacity.deliveredPerSecond());
            report.put("capacityPublishRate", capacity.publishRate());
            report.put("capacityDeliveriesPerSecond", capacity.deliveredPerSecond());
        }
    }

    private static ObjectNode toJson(StepResult s) {
        ObjectNode o = Json.object();
        o.put("path", s.label());
        o.put("publishRate", s.publishRate());
        o.put("published", s.published());
        o.put("expected", s.expected());
        o.put("delivered", s.delivered());
        o.put("lost", s.lost());
        o.put("duplicates", s.duplicates());
        o.put("seconds", s.seconds());
        o.put("deliveredPerSecond", s.deliveredPerSecond());
        o.put("latencyP50Ms", s.latency().p50() / 1000.0);
        o.put("latencyP99Ms", s.latency().p99() / 1000.0);
        o.put("latencyP999Ms", s.latency().p999() / 1000.0);
        o.put("latencyMaxMs", s.latency().max() / 1000.0);
        o.put("nodeCpuUserMicros", s.nodeCpu().userMicros());
        o.put("nodeCpuSystemMicros", s.nodeCpu().systemMicros());
        o.put("nodeUserMicrosPerMessage", s.nodeUserPerMessage());
        o.put("nodeSystemMicrosPerMessage", s.nodeSystemPerMessage());
        o.put("nodeTotalMicrosPerMessage", s.nodeTotalPerMessage());
        o.put("nodeJitMicrosPerMessage", s.nodeJitPerMessage());
        o.put("nodeCores", s.nodeCores());
        o.put("redisMicrosPerMessage", s.redisPerMessage());
        o.put("generatorMicrosPerMessage", s.generatorPerMessage());
        o.put("generatorCores", s.generatorCores());
        o.put("nodeDispatchMillis", s.nodeDispatchMillis());
        o.put("nodeDispatchCpuMillis", s.nodeDispatchCpuMillis());
        o.put("nodeDispatchAllocatedBytesPerDelivery", s.allocatedBytesPerDelivery());
        o.put("withinCapacity", s.withinCapacity());
        return o;
    }
}
