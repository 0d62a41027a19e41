package com.aegisx.ws.server.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quick start only, when REDIS_URL is unset: use a Redis already answering on localhost:6379,
 * else start Debian's {@code redis-server} if it is on the PATH, else the Redis binary shipped in
 * the embedded-redis jar. Started on 6379 so that a second node started the same way shares it.
 */
public final class LocalRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedis.class);
    public static final int PORT = 6379;

    private final Process process;
    private final redis.embedded.RedisServer embedded;

    private LocalRedis(Process process, redis.embedded.RedisServer embedded) {
        this.process = process;
        this.embedded = embedded;
    }

    public String url() {
        return "redis://127.0.0.1:" + PORT;
    }

    public static LocalRedis findOrStart() throws IOException, InterruptedException {
        if (answersPing()) {
            log.warn("REDIS_URL is not set: using the Redis already running on localhost:{} (quick-start mode)", PORT);
            return new LocalRedis(null, null);
        }
        String binary = findOnPath("redis-server");
        if (binary != null) {
            log.warn("REDIS_URL is not set: starting a local {} on port {} (quick-start mode, no persistence)", binary, PORT);
            // setsid: Ctrl-C in the terminal must not kill Redis before the node has cleaned up in it;
            // the node's shutdown hook stops it afterwards.
            List<String> command = new ArrayList<>();
            String setsid = findOnPath("setsid");
            if (setsid != null) {
                command.add(setsid);
            }
            command.addAll(List.of(binary, "--port", String.valueOf(PORT), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no"));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            waitForPing();
            return new LocalRedis(process, null);
        }
        log.warn("REDIS_URL is not set and no redis-server is installed: starting the embedded Redis on port {}"
                + " (quick-start mode, no persistence)", PORT);
        redis.embedded.RedisServer server = redis.embedded.RedisServer.newRedisServer()
                .port(PORT).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
        server.start();
        waitForPing();
        return new LocalRedis(null, server);
    }

    private static void waitForPing() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (answersPing()) {
                return;
            }
            Thread.sleep(50); // polling a child process that has no readiness signal
        }
        throw new IOException("the local Redis did not answer PING on port " + PORT + " within 10 s");
    }

    private static boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", PORT), 300);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16];
            int read = in.read(buffer);
            return read > 0 && new String(buffer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        String searched = (path == null ? "" : path) + java.io.File.pathSeparator + "/usr/bin:/usr/local/bin:/usr/sbin";
        for (String dir : searched.split(java.io.File.pathSeparator)) {
            java.io.File candidate = new java.io.File(dir, name);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
        }
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException e) {
                log.debug("Embedded Redis did not stop cleanly: {}", e.toString());
            }
        }
    }
}
