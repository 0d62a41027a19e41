package com.aegisx.ws.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved WebSocket client for integration tests, on the JDK's {@link WebSocket}: it
 * answers pings (the JDK does that itself), reassembles fragmented messages and parses every
 * text message as JSON into a queue the test reads from.
 *
 * <p>Reading methods are meant for the test thread; they fail with an {@link AssertionError}
 * that lists what was received, so a failing test says what it got instead of what it missed.
 * A text message that is not JSON is queued as a {@link TextNode} holding the raw text.
 *
 * <p>The JDK refuses some handshake headers (Host, Connection, Upgrade, Sec-WebSocket-*); use
 * {@link RawWsClient} to send those.
 */
public final class TestClient implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One HttpClient for all test clients: each one owns a selector thread. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(DEFAULT_TIMEOUT).build();
    /** Queued after the last message when the connection ends, so waiting readers fail fast. */
    private static final JsonNode CLOSED = new TextNode("<connection closed>");
    private static final AtomicLong REQUEST_IDS = new AtomicLong();

    /** How the connection ended. {@code statusCode} is 1006 when it ended without a close frame. */
    public record CloseInfo(int statusCode, String reason, Throwable error) {
        @Override
        public String toString() {
            return statusCode + " \"" + reason + "\"" + (error == null ? "" : " (" + error + ")");
        }
    }

    /**
     * The outcome of an upgrade attempt: {@code statusCode} 101 with a connected client, the
     * HTTP status of a refused upgrade (e.g. 401, 403), or -1 with {@code failure} when no HTTP
     * answer came at all (connection refused or dropped, timeout). {@code headers} are those of
     * a refusal; the JDK does not expose the 101 response headers.
     */
    public record HandshakeResult(int statusCode, Map<String, List<String>> headers, TestClient client,
                                  Throwable failure) {
        public boolean upgraded() {
            return client != null;
        }
    }

    private final URI uri;
    private final BlockingDeque<JsonNode> inbox = new LinkedBlockingDeque<>();
    /** Messages skipped by {@link #nextOfType}, handed out first by later reads. */
    private final Deque<JsonNode> skipped = new ArrayDeque<>();
    private final List<JsonNode> all = new CopyOnWriteArrayList<>();
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final List<byte[]> binaries = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final Object sendLock = new Object();
    private volatile WebSocket ws;

    private TestClient(URI uri) {
        this.uri = uri;
    }

    // ---------------------------------------------------------------- connecting

    public static TestClient connect(URI uri) {
        return connect(uri, Map.of(), List.of());
    }

    public static TestClient connect(URI uri, Map<String, String> headers) {
        return connect(uri, headers, List.of());
    }

    /** Connects or fails the test with the refusal status. */
    public static TestClient connect(URI uri, Map<String, String> headers, List<String> subprotocols) {
        HandshakeResult result = tryConnect(uri, headers, subprotocols);
        if (!result.upgraded()) {
            throw new AssertionError("WebSocket upgrade to " + uri + " failed: "
                    + (result.statusCode() > 0 ? "HTTP " + result.statusCode() : String.valueOf(result.failure())),
                    result.failure());
        }
        return result.client();
    }

    public static HandshakeResult tryConnect(URI uri, Map<String, String> headers) {
        return tryConnect(uri, headers, List.of());
    }

    /** Attempts the upgrade and reports the outcome instead of failing; for auth tests. */
    public static HandshakeResult tryConnect(URI uri, Map<String, String> headers, List<String> subprotocols) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(DEFAULT_TIMEOUT);
        headers.forEach((name, value) -> {
            try {
                builder.header(name, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the JDK WebSocket refuses header " + name
                        + "; use RawWsClient to send it", e);
            }
        });
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.get(0),
                    subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        TestClient client = new TestClient(uri);
        try {
            client.ws = builder.buildAsync(uri, client.new Listener())
                    .get(DEFAULT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            return new HandshakeResult(101, Map.of(), client, null);
        } catch (ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof WebSocketHandshakeException refused) {
                    return new HandshakeResult(refused.getResponse().statusCode(),
                            refused.getResponse().headers().map(), null, refused);
                }
            }
            return new HandshakeResult(-1, Map.of(), null, e.getCause());
        } catch (TimeoutException e) {
            return new HandshakeResult(-1, Map.of(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while connecting to " + uri, e);
        }
    }

    // ---------------------------------------------------------------- receiving

    public JsonNode next() {
        return next(DEFAULT_TIMEOUT);
    }

    /** The next message; fails if none arrives in time or the connection ends first. */
    public synchronized JsonNode next(Duration timeout) {
        JsonNode message = poll(timeout);
        if (message == null) {
            throw new AssertionError("no message within " + timeout + state());
        }
        return message;
    }

    /** The next message, or null if none arrives in time (or the connection has ended). */
    public synchronized JsonNode poll(Duration timeout) {
        if (!skipped.isEmpty()) {
            return skipped.pollFirst();
        }
        return take(timeout.toNanos());
    }

    public JsonNode nextOfType(String type) {
        return nextOfType(type, DEFAULT_TIMEOUT);
    }

    /** The integer field {@code field} of the next {@code count} messages of {@code type}, in order. */
    public List<Integer> nextInts(String type, String field, int count, Duration timeout) {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            got.add(nextOfType(type, timeout).path(field).asInt());
        }
        return got;
    }

    /**
     * The next message whose {@code type} field equals {@code type}. Other messages are skipped
     * but kept, in order, for later {@link #next()} / {@link #poll} calls.
     */
    public synchronized JsonNode nextOfType(String type, Duration timeout) {
        for (Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
            JsonNode message = it.next();
            if (type.equals(message.path("type").asText(null))) {
                it.remove();
                return message;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode message = take(deadline - System.nanoTime());
            if (message == null) {
                throw new AssertionError("no message of type \"" + type + "\" within " + timeout + state());
            }
            if (type.equals(message.path("type").asText(null))) {
                return message;
            }
            skipped.addLast(message);
        }
    }

    /**
     * A quiet-period check: fails if any message is (or becomes) available within {@code quiet}.
     * It can only prove that nothing arrived during that window, not that nothing ever will, so
     * call it after something that would have produced the message quickly, or better, follow the
     * action with a request whose reply marks "everything before this was delivered" (e.g.
     * {@link #sendAndAwaitReply} with a ping) and assert on what arrived before it.
     */
    public synchronized void assertNoMessage(Duration quiet) {
        JsonNode message = poll(quiet);
        if (message != null) {
            throw new AssertionError("expected no message for " + quiet + " but got " + message + state());
        }
    }

    /** Every text message received so far, in order, including ones already consumed. */
    public List<JsonNode> received() {
        return List.copyOf(all);
    }

    /** Every text message received so far as its exact text, in order (numbers as the server wrote them). */
    public List<String> receivedTexts() {
        return List.copyOf(texts);
    }

    /** Every binary message received so far; the protocol has none, so this should stay empty. */
    public List<byte[]> receivedBinary() {
        return List.copyOf(binaries);
    }

    /** Pings received; the JDK has answered each with a pong. */
    public int pingsReceived() {
        return pings.get();
    }

    // ---------------------------------------------------------------- sending

    /** Sends the text as one frame, exactly as given (it need not be JSON). */
    public void send(String rawText) {
        synchronized (sendLock) {
            await(ws.sendText(rawText, true), "send text");
        }
    }

    /**
     * Serializes a Map, a JsonNode or any bean with Jackson and sends it as one text frame.
     * (A String whose static type is Object lands here and is sent as a JSON string literal.)
     */
    public void send(Object message) {
        try {
            send(JSON.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + message, e);
        }
    }

    public void sendBinary(byte[] payload) {
        synchronized (sendLock) {
            await(ws.sendBinary(ByteBuffer.wrap(payload), true), "send binary");
        }
    }

    /** This connection's id, as the node reports it ({@code get_status}). */
    public String connectionId() {
        return sendAndAwaitReply(Map.of("type", "get_status")).path("data").path("connectionId").asText();
    }

    /**
     * Sends the message with an {@code id} (a fresh one when it has none) and returns the first
     * message that echoes that id; anything else that arrives meanwhile is kept for {@link #next()}.
     */
    public synchronized JsonNode sendAndAwaitReply(Object message) {
        ObjectNode request;
        try {
            request = message instanceof String raw ? (ObjectNode) JSON.readTree(raw) : JSON.valueToTree(message);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("a request must be a JSON object: " + message, e);
        }
        if (!request.hasNonNull("id")) {
            request.put("id", "tc-" + REQUEST_IDS.incrementAndGet());
        }
        JsonNode id = request.get("id");
        send(request);
        long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
        while (true) {
            JsonNode reply = take(deadline - System.nanoTime());
            if (reply == null) {
                throw new AssertionError("no reply with id " + id + " to " + request + state());
            }
            if (id.equals(reply.get("id"))) {
                return reply;
            }
            skipped.addLast(reply);
        }
    }

    // ---------------------------------------------------------------- closing

    public CloseInfo awaitClose() {
        return awaitClose(DEFAULT_TIMEOUT);
    }

    /** Waits for the server to close the connection; fails if it is still open after the timeout. */
    public CloseInfo awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("connection still open after " + timeout + state());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for close", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    public boolean isOpen() {
        WebSocket socket = ws;
        return socket != null && !socket.isInputClosed() && !socket.isOutputClosed();
    }

    /** The subprotocol the server selected, empty if none. */
    public String subprotocol() {
        return ws.getSubprotocol();
    }

    public URI uri() {
        return uri;
    }

    /** Escape hatch to the underlying JDK WebSocket. */
    public WebSocket webSocket() {
        return ws;
    }

    /** Sends a close frame with this code and reason (if none was sent yet) without waiting. */
    public void sendClose(int code, String reason) {
        synchronized (sendLock) {
            if (!ws.isOutputClosed()) {
                await(ws.sendClose(code, reason), "send close");
            }
        }
    }

    /** Drops the TCP connection without a close frame: a client that vanished. */
    public void abort() {
        ws.abort();
        closed.complete(new CloseInfo(1006, "aborted by the test", null));
        inbox.offerLast(CLOSED);
    }

    /** Normal closure (1000): waits briefly for the server's answer, then drops the connection. Idempotent. */
    @Override
    public void close() {
        if (ws == null || !closeStarted.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            }
            closed.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ignored) {
            // The server did not complete the closing handshake; teardown must not fail for that.
        } finally {
            ws.abort();
        }
    }

    // ---------------------------------------------------------------- internals

    private JsonNode take(long nanos) {
        try {
            JsonNode message = inbox.pollFirst(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            if (message == CLOSED) {
                // Leave the marker so every later read fails fast too.
                inbox.offerFirst(CLOSED);
                return null;
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a message", e);
        }
    }

    private void await(CompletableFuture<?> future, String what) {
        try {
            future.get(DEFAULT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(what + " failed" + state(), e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    private String state() {
        List<JsonNode> got = new ArrayList<>(all);
        String messages = got.size() <= 30 ? got.toString()
                : "... " + (got.size() - 30) + " earlier, then " + got.subList(got.size() - 30, got.size());
        CloseInfo close = closed.getNow(null);
        return "; connection " + (close == null ? "open" : "closed " + close) + "; received so far ("
                + got.size() + "): " + messages;
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                JsonNode node;
                try {
                    node = JSON.readTree(message);
                } catch (JsonProcessingException e) {
                    node = new TextNode(message);
                }
                all.add(node);
                texts.add(message);
                inbox.offerLast(node);
            }
            // The JDK delivers nothing more until asked; forgetting this stalls the connection.
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                binaries.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new CloseInfo(statusCode, reason, null));
            inbox.offerLast(CLOSED);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new CloseInfo(1006, String.valueOf(error.getMessage()), error));
            inbox.offerLast(CLOSED);
        }
    }
}
