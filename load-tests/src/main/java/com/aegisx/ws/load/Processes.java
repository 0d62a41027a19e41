package com.aegisx.ws.load;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Child processes of a run: redis-server and nodes ({@code java -jar ws-server.jar}), on loopback. */
public final class Processes {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Processes() {
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** redis-server on a free loopback port, no persistence. */
    public static final class Redis implements AutoCloseable {
        final Process process;
        final int port;

        public Redis(Path logDir) throws Exception {
            this(logDir, "redis", List.of());
        }

        /** {@code name}: of its log file; {@code extraArgs}: appended to the command line (cluster mode). */
        public Redis(Path logDir, String name, List<String> extraArgs) throws Exception {
            port = freePort();
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--maxclients", "10000", "--dir",
                    logDir.toAbsolutePath().toString()));
            extraArgs.forEach(arg -> command.add(arg.replace("%PORT%", String.valueOf(port))));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logDir.resolve(name + ".log").toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IllegalStateException("redis-server did not start (see redis.log)");
                    }
                    Thread.sleep(50);
                }
            }
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public long pid() {
            return process.pid();
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A Redis Cluster of {@code masters} masters and no replicas (so each shard's CPU is one
     * process's), created with {@code redis-cli --cluster create}, on free loopback ports.
     */
    public static final class RedisCluster implements AutoCloseable {
        final List<Redis> masters = new ArrayList<>();

        public RedisCluster(Path logDir, int count) throws Exception {
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (int i = 0; i < count; i++) {
                Redis shard = new Redis(logDir, "redis-shard" + i, List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes-%PORT%.conf"));
                masters.add(shard);
                create.add("127.0.0.1:" + shard.port);
            }
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process cli = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(logDir.resolve("redis-cluster-create.log").toFile()).start();
            if (!cli.waitFor(60, TimeUnit.SECONDS) || cli.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed (see redis-cluster-create.log)");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (Redis shard : masters) {
                while (!clusterOk(shard.port)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the cluster did not reach cluster_state:ok");
                    }
                    Thread.sleep(100);
                }
            }
        }

        private static boolean clusterOk(int port) throws Exception {
            Process info = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "cluster", "info")
                    .redirectErrorStream(true).start();
            String out = new String(info.getInputStream().readAllBytes());
            info.waitFor(5, TimeUnit.SECONDS);
            return out.contains("cluster_state:ok");
        }

        public String url() {
            return "redis-cluster://" + String.join(",", masters.stream().map(m -> "127.0.0.1:" + m.port).toList());
        }

        public List<Long> pids() {
            return masters.stream().map(Redis::pid).toList();
        }

        @Override
        public void close() throws Exception {
            for (Redis shard : masters) {
                shard.close();
            }
        }
    }

    /** One node as a child JVM, so its CPU time and RSS are its own. */
    public static final class Node implements AutoCloseable {
        final Process process;
        final int port;
        /** Metrics and the load-test hook are on the node's management port. */
        final int managementPort;

        public Node(Path jar, String redisUrl, Map<String, String> env, List<String> jvmArgs, Path logDir, int index)
                throws Exception {
            port = freePort();
            managementPort = freePort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(jar.toString());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logDir.resolve("node-" + index + ".log").toFile());
            builder.environment().put("PORT", String.valueOf(port));
            builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
            builder.environment().put("HOST", "127.0.0.1");
            builder.environment().put("REDIS_URL", redisUrl);
            builder.environment().put("NODE_ID", "bench" + index);
            builder.environment().putAll(env);
            process = builder.start();
            waitReady(URI.create("http://127.0.0.1:" + port + "/ready"), process, Duration.ofSeconds(60));
        }

        public URI ws(String pathAndQuery) {
            return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
        }

        public URI http(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + port + pathAndQuery);
        }

        /** A path on the management port: /metrics, /loadtest/fanout. */
        public URI management(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + managementPort + pathAndQuery);
        }

        public long pid() {
            return process.pid();
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    static void waitReady(URI ready, Process process, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("node exited with " + process.exitValue() + " (see its log)");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node not ready after " + timeout);
            }
            Thread.sleep(100);
        }
    }

    static String get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static HttpResponse<String> post(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs jcmd against a JVM (e.g. GC.run, JFR.start). */
    static String jcmd(long pid, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        command.add(String.valueOf(pid));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    static File serverJar(String configured) {
        File jar = new File(configured);
        if (!jar.isFile()) {
            throw new IllegalArgumentException("node jar not found: " + jar.getAbsolutePath()
                    + " (build it: mvn -q -B install -DskipTests)");
        }
        return jar;
    }
}
