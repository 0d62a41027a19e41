package com.aegisx.ws.server.metrics;

import com.aegisx.ws.protocol.KeySchema;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Load-test hook, installed only when {@code LOADTEST_HOOKS=true}: feeds generated broadcasts
 * straight into the node's local fan-out, exactly where Redis pub/sub messages enter it (the
 * dispatcher), so a benchmark can compare the full path with the same work minus the Redis hop.
 * Never enable it in production: anyone who reaches the port can make the node broadcast.
 *
 * <p>{@code POST /loadtest/fanout?channel=C&rate=R&seconds=S&size=B} starts one paced run in the
 * background (202; 409 while one runs); {@code GET /loadtest/fanout} answers
 * {@code {"running":..,"sent":..}}. Each payload is
 * {@code {"type":"bench","seq":N,"t":<epoch µs>,"pad":"xx.."}}, the same shape the load generator
 * publishes through Redis.
 */
public final class LocalFanoutServlet extends HttpServlet {

    private final KeySchema keys;
    private final BiConsumer<String, String> entry;
    private final AtomicLong sent = new AtomicLong();
    private volatile Thread runner;

    public LocalFanoutServlet(KeySchema keys, BiConsumer<String, String> entry) {
        this.keys = keys;
        this.entry = entry;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Thread current = runner;
        write(response, 200, "{\"running\":" + (current != null && current.isAlive()) + ",\"sent\":" + sent.get() + "}");
    }

    @Override
    protected synchronized void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Thread current = runner;
        if (current != null && current.isAlive()) {
            write(response, 409, "{\"error\":\"a run is in progress\"}");
            return;
        }
        String channel = request.getParameter("channel");
        double rate;
        double seconds;
        int size;
        long firstSeq;
        try {
            rate = Double.parseDouble(request.getParameter("rate"));
            seconds = Double.parseDouble(request.getParameter("seconds"));
            size = request.getParameter("size") == null ? 100 : Integer.parseInt(request.getParameter("size"));
            firstSeq = request.getParameter("firstSeq") == null ? 0 : Long.parseLong(request.getParameter("firstSeq"));
        } catch (RuntimeException e) {
            write(response, 400, "{\"error\":\"rate, seconds (numbers) and channel are required\"}");
            return;
        }
        if (channel == null || rate <= 0 || seconds <= 0 || size < 0 || size > 1_000_000) {
            write(response, 400, "{\"error\":\"bad parameters\"}");
            return;
        }
        String topic = keys.channelTopic(channel);
        sent.set(0);
        Thread thread = new Thread(() -> run(topic, channel, rate, seconds, size, firstSeq), "ws-loadtest-fanout");
        thread.setDaemon(true);
        runner = thread;
        thread.start();
        write(response, 202, "{\"started\":true}");
    }

    private void run(String topic, String channel, double rate, double seconds, int size, long firstSeq) {
        String pad = "x".repeat(size);
        long total = (long) (rate * seconds);
        long start = System.nanoTime();
        long seq = firstSeq;
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            // Written by the same code as the publisher client's broadcast, so the node does the
            // same work per message as through Redis and only the Redis hop differs.
            com.fasterxml.jackson.databind.node.ObjectNode message = com.aegisx.ws.protocol.Json.object();
            message.put("type", "bench").put("seq", seq++).put("t", epochMicros()).put("pad", pad);
            entry.accept(topic, com.aegisx.ws.protocol.WireFormat.encode(message, channel, null));
            sent.incrementAndGet();
        }
    }

    private static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static void write(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }
}
