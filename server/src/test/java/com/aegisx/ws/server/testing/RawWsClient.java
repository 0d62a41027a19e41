package com.aegisx.ws.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client on a bare {@link Socket}, for hostile and broken-client tests: it does the
 * HTTP upgrade itself and lets the test send any bytes and frames, valid or not.
 *
 * <p>Unlike a real client it never answers pings unless {@link #setAutoPong(boolean)} is on:
 * a client that ignores pings is how tests simulate a dead peer whose TCP connection stays up.
 * A background thread reads frames into a queue (so pings are counted as they arrive, not when
 * the test gets round to reading); {@link #suspendReading()} stops it so the kernel buffers fill
 * up, which is how tests simulate a slow consumer.
 *
 * <p>Only {@code ws://} (no TLS). Not thread-safe for reading from several test threads.
 */
public final class RawWsClient implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Marks the end of the TCP stream in the frame queue. */
    private static final Object END = new Object();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String subprotocol;
    private final Map<String, String> responseHeaders;
    private final BlockingDeque<Object> frames = new LinkedBlockingDeque<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final Object readGate = new Object();
    private final Thread reader;
    private volatile boolean autoPong;
    private volatile boolean readingSuspended;
    private volatile boolean ended;
    private volatile Throwable endCause;
    private volatile WsFrame lastClose;

    private RawWsClient(Socket socket, InputStream in, Map<String, String> responseHeaders, boolean autoPong)
            throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.responseHeaders = responseHeaders;
        this.subprotocol = responseHeaders.getOrDefault("sec-websocket-protocol", "");
        this.autoPong = autoPong;
        this.reader = new Thread(this::readLoop, "raw-ws-reader-" + socket.getLocalPort());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    // ---------------------------------------------------------------- connecting

    public static RawWsClient connect(URI uri) throws IOException {
        return builder(uri).connect();
    }

    public static RawWsClient connect(URI uri, Map<String, String> headers) throws IOException {
        return builder(uri).headers(headers).connect();
    }

    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /**
     * Attempts the upgrade and reports the HTTP status: 101 when the server accepted (the
     * connection is then closed abruptly), otherwise the refusal status such as 401 or 403.
     */
    public static int upgradeStatus(URI uri, Map<String, String> headers) throws IOException {
        try (RawWsClient client = builder(uri).headers(headers).connect()) {
            client.abort();
            return 101;
        } catch (UpgradeRefusedException e) {
            return e.statusCode();
        }
    }

    /** Thrown when the server answers the upgrade request with anything but a valid 101. */
    public static final class UpgradeRefusedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int statusCode;
        private final String statusLine;
        private final Map<String, String> headers;
        private final String body;

        UpgradeRefusedException(int statusCode, String statusLine, Map<String, String> headers, String body) {
            super("WebSocket upgrade refused: " + statusLine + (body.isEmpty() ? "" : " body: " + body));
            this.statusCode = statusCode;
            this.statusLine = statusLine;
            this.headers = headers;
            this.body = body;
        }

        public int statusCode() {
            return statusCode;
        }

        public String statusLine() {
            return statusLine;
        }

        /** Response headers, names lower-cased. */
        public Map<String, String> headers() {
            return headers;
        }

        public String body() {
            return body;
        }
    }

    /** Options for the handshake; everything has a sensible default. */
    public static final class Builder {
        private final URI uri;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<String> subprotocols = new ArrayList<>();
        private int receiveBufferSize = -1;
        private boolean autoPong;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String localAddress;

        private Builder(URI uri) {
            if (!"ws".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("RawWsClient only speaks plain ws://, got " + uri);
            }
            this.uri = uri;
        }

        /**
         * Adds or replaces a request header (names match case-insensitively, so this can also
         * override Upgrade, Connection, Sec-WebSocket-Version...). A null value removes a default
         * header, to test handshakes that lack it.
         */
        public Builder header(String name, String value) {
            headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            headers.put(name, value);
            return this;
        }

        public Builder headers(Map<String, String> extra) {
            if (extra != null) {
                extra.forEach(this::header);
            }
            return this;
        }

        public Builder subprotocols(String... protocols) {
            subprotocols.addAll(List.of(protocols));
            return this;
        }

        /** Set before connecting so the TCP window really is small; for slow-consumer tests. */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = bytes;
            return this;
        }

        public Builder autoPong(boolean on) {
            this.autoPong = on;
            return this;
        }

        /** Connect and handshake timeout. */
        /** Connects from this local address (e.g. 127.0.0.2: another client than the proxy on loopback). */
        public Builder localAddress(String address) {
            this.localAddress = address;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public RawWsClient connect() throws IOException {
            String host = uri.getHost();
            int port = uri.getPort() > 0 ? uri.getPort() : 80;
            Socket socket = new Socket();
            try {
                if (receiveBufferSize > 0) {
                    socket.setReceiveBufferSize(receiveBufferSize);
                }
                socket.setTcpNoDelay(true);
                if (localAddress != null) {
                    socket.bind(new InetSocketAddress(localAddress, 0));
                }
                socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                socket.setSoTimeout((int) timeout.toMillis());
                String key = randomKey();
                socket.getOutputStream().write(requestBytes(host, port, key));
                socket.getOutputStream().flush();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                Map<String, String> response = readResponse(in, key);
                // From here the reader thread blocks on read; it must not time out between frames.
                socket.setSoTimeout(0);
                return new RawWsClient(socket, in, response, autoPong);
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        private byte[] requestBytes(String host, int port, String key) {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            Map<String, String> all = new LinkedHashMap<>();
            all.put("Host", host + ":" + port);
            all.put("Upgrade", "websocket");
            all.put("Connection", "Upgrade");
            all.put("Sec-WebSocket-Key", key);
            all.put("Sec-WebSocket-Version", "13");
            if (!subprotocols.isEmpty()) {
                all.put("Sec-WebSocket-Protocol", String.join(", ", subprotocols));
            }
            headers.forEach((name, value) -> {
                all.keySet().removeIf(k -> k.equalsIgnoreCase(name));
                if (value != null) {
                    all.put(name, value);
                }
            });
            StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
            all.forEach((name, value) -> req.append(name).append(": ").append(value).append("\r\n"));
            req.append("\r\n");
            return req.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        private Map<String, String> readResponse(InputStream in, String key) throws IOException {
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            String statusLine = lines[0];
            String[] parts = statusLine.split(" ", 3);
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (RuntimeException e) {
                throw new IOException("not an HTTP response: " + statusLine);
            }
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
            }
            if (status != 101) {
                throw new UpgradeRefusedException(status, statusLine, headers, readBody(in, headers));
            }
            String accept = headers.get("sec-websocket-accept");
            if (!acceptFor(key).equals(accept)) {
                throw new UpgradeRefusedException(status, statusLine + " (bad Sec-WebSocket-Accept: " + accept + ")",
                        headers, "");
            }
            return headers;
        }
    }

    /** Computes the Sec-WebSocket-Accept value the server must send for a given key. */
    public static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomKey() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** Reads up to and including the blank line, byte by byte so no frame bytes are consumed. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the HTTP handshake after: "
                        + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 64 * 1024) {
                throw new IOException("HTTP response head larger than 64 KiB");
            }
        }
        String s = head.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
    }

    private static String readBody(InputStream in, Map<String, String> headers) {
        try {
            String length = headers.get("content-length");
            byte[] body = length != null
                    ? in.readNBytes((int) Math.min(Long.parseLong(length), 64 * 1024))
                    : new byte[0];
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // The status line is what matters; a body we cannot read must not hide it.
            return "";
        }
    }

    // ---------------------------------------------------------------- sending

    public String subprotocol() {
        return subprotocol;
    }

    /** The 101 response headers, names lower-cased. */
    public Map<String, String> responseHeaders() {
        return responseHeaders;
    }

    public void sendText(String text) throws IOException {
        sendFrame(WsFrame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A text frame with arbitrary payload bytes, e.g. invalid UTF-8. */
    public void sendTextBytes(byte[] payload) throws IOException {
        sendFrame(WsFrame.TEXT, true, payload);
    }

    /** Serializes with Jackson and sends one text frame. */
    public void sendJson(Object message) throws IOException {
        try {
            sendText(JSON.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + message, e);
        }
    }

    public void sendBinary(byte[] payload) throws IOException {
        sendFrame(WsFrame.BINARY, true, payload);
    }

    public void sendPing(byte[] payload) throws IOException {
        sendFrame(WsFrame.PING, true, payload);
    }

    public void sendPong(byte[] payload) throws IOException {
        sendFrame(WsFrame.PONG, true, payload);
    }

    public void sendClose(int code, String reason) throws IOException {
        sendFrame(WsFrame.CLOSE, true, WsFrameCodec.closePayload(code, reason));
    }

    /** A close frame with an empty payload (no status code). */
    public void sendClose() throws IOException {
        sendFrame(WsFrame.CLOSE, true, new byte[0]);
    }

    /**
     * One masked frame with no reserved bits. For fragments send TEXT/BINARY with {@code fin=false}
     * then {@link WsFrame#CONTINUATION} frames, the last with {@code fin=true}.
     */
    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        sendFrame(opcode, fin, 0, true, payload);
    }

    /**
     * Full control over one frame. {@code masked=false} and {@code rsv!=0} are protocol
     * violations for a client (RFC 6455 5.1 and 5.2) that the server must reject.
     */
    public void sendFrame(int opcode, boolean fin, int rsv, boolean masked, byte[] payload) throws IOException {
        byte[] mask = null;
        if (masked) {
            mask = new byte[4];
            RANDOM.nextBytes(mask);
        }
        sendRaw(WsFrameCodec.encode(opcode, fin, rsv, mask, payload));
    }

    /** Writes bytes to the socket as they are, e.g. garbage or a hand-made frame. */
    public void sendRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    // ---------------------------------------------------------------- receiving

    /** When on, the reader thread answers each ping with a pong carrying the same payload. */
    public void setAutoPong(boolean on) {
        this.autoPong = on;
    }

    /** Pings received so far, counted as they arrive. */
    public int pingsReceived() {
        return pings.get();
    }

    /**
     * Stops reading from the socket (after at most the frame being read now), so unread data
     * piles up in the kernel buffers and then in the server's outbound queue.
     */
    public void suspendReading() {
        readingSuspended = true;
    }

    public void resumeReading() {
        synchronized (readGate) {
            readingSuspended = false;
            readGate.notifyAll();
        }
    }

    /** The next frame of any kind, or null if none arrives in time or the connection has ended. */
    public WsFrame pollFrame(Duration timeout) {
        Object item;
        try {
            item = frames.pollFirst(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a frame", e);
        }
        if (item == END) {
            // Keep the marker so every later read also sees that the stream has ended.
            frames.offerFirst(END);
            return null;
        }
        return (WsFrame) item;
    }

    public WsFrame readFrame() {
        return readFrame(DEFAULT_TIMEOUT);
    }

    /** The next frame of any kind; fails if none arrives in time or the connection ends. */
    public WsFrame readFrame(Duration timeout) {
        WsFrame frame = pollFrame(timeout);
        if (frame == null) {
            throw new AssertionError(ended
                    ? "connection ended, no more frames" + causeSuffix()
                    : "no frame within " + timeout);
        }
        return frame;
    }

    public JsonNode readTextJson() {
        return readTextJson(DEFAULT_TIMEOUT);
    }

    /**
     * The next text message (continuation frames joined) parsed as JSON. Pings and pongs are
     * skipped; a close frame, a binary message or the end of the connection fails the test.
     */
    public JsonNode readTextJson(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream message = null;
        while (true) {
            WsFrame frame = readFrame(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (frame.isPing() || frame.isPong()) {
                continue;
            }
            if (frame.isClose()) {
                throw new AssertionError("expected a text message, got " + frame);
            }
            boolean starts = frame.opcode() == WsFrame.TEXT;
            boolean continues = frame.opcode() == WsFrame.CONTINUATION && message != null;
            if (!starts && !continues) {
                throw new AssertionError("expected a text message, got " + frame);
            }
            if (starts && message != null) {
                throw new AssertionError("new text message before the previous one ended: " + frame);
            }
            if (starts) {
                message = new ByteArrayOutputStream();
            }
            message.writeBytes(frame.payload());
            if (frame.fin()) {
                String text = message.toString(StandardCharsets.UTF_8);
                try {
                    return JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new AssertionError("text message is not JSON: " + text, e);
                }
            }
        }
    }

    public int awaitClose() {
        return awaitClose(DEFAULT_TIMEOUT);
    }

    /**
     * Skips frames until a close frame and returns its code (1005 if it had none), or -1 if the
     * TCP connection ended without one. Fails if neither happens in time. Does not answer the
     * close; call {@link #sendClose(int, String)} or {@link #close()} for that.
     */
    public int awaitClose(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<WsFrame> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            WsFrame frame = pollFrame(Duration.ofNanos(Math.max(0, left)));
            if (frame == null) {
                if (ended) {
                    return -1;
                }
                throw new AssertionError("connection still open after " + timeout + "; frames meanwhile: "
                        + summarize(skipped));
            }
            if (frame.isClose()) {
                return frame.closeCode();
            }
            skipped.add(frame);
        }
    }

    /** The reason of the last close frame received, or null if none came. */
    public String closeReason() {
        WsFrame close = lastClose;
        return close == null ? null : close.closeReason();
    }

    /**
     * Waits until the server has closed the TCP connection, discarding any frames meanwhile.
     * Returns false if it is still open after the timeout.
     */
    public boolean awaitDisconnect(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended || !frames.isEmpty() && frames.peekFirst() != END) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            pollFrame(Duration.ofNanos(left));
        }
        return true;
    }

    /** True once the server closed the TCP connection (or it failed). */
    public boolean isDisconnected() {
        return ended;
    }

    /** Closes the TCP connection with a reset and no close frame: a client that vanished. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // Already closed; nothing left to reset.
        }
        closeQuietly();
    }

    /** Sends a 1000 close frame if the socket is still writable, then closes the socket. Idempotent. */
    @Override
    public void close() {
        if (!socket.isClosed() && !ended) {
            try {
                sendClose(1000, "");
            } catch (IOException ignored) {
                // The server may have dropped us already; closing the socket is all that is left.
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing useful to do in a test teardown.
        }
        resumeReading();
    }

    private void readLoop() {
        try {
            while (true) {
                awaitReadingAllowed();
                WsFrame frame = WsFrameCodec.decode(in);
                if (frame.isPing()) {
                    pings.incrementAndGet();
                    if (autoPong) {
                        sendFrame(WsFrame.PONG, true, frame.payload());
                    }
                } else if (frame.isClose()) {
                    lastClose = frame;
                }
                frames.offerLast(frame);
            }
        } catch (IOException e) {
            if (!(e instanceof EOFException)) {
                endCause = e;
            }
        } catch (InterruptedException e) {
            endCause = e;
        } finally {
            ended = true;
            frames.offerLast(END);
        }
    }

    private void awaitReadingAllowed() throws InterruptedException {
        synchronized (readGate) {
            while (readingSuspended && !socket.isClosed()) {
                readGate.wait();
            }
        }
    }

    private String causeSuffix() {
        Throwable cause = endCause;
        return cause == null ? "" : " (" + cause + ")";
    }

    private static String summarize(List<WsFrame> frames) {
        return frames.size() <= 20 ? frames.toString()
                : frames.subList(0, 20) + " ... and " + (frames.size() - 20) + " more";
    }
}
