package com.aegisx.ws.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A reader that really stalls: a plain socket with a small receive buffer (4 KiB, set before the
 * connect so the TCP window stays small) that subscribes and then reads nothing, so the kernel
 * buffers fill within seconds and the node's own outbound queue for it grows, as a frozen browser
 * tab's would. {@link #drain} reads again afterwards and tells what the node did meanwhile.
 */
final class StalledSocket implements AutoCloseable {

    static final int RECEIVE_BUFFER = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a stalled socket saw once it read again. */
    record Outcome(int closeCode, String end, long messages, long lastSeq) {
        boolean open() {
            return closeCode == 0 && end.equals("open");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 16).flip();
    final String connectionId;

    StalledSocket(URI uri, List<String> channels) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(RECEIVE_BUFFER);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String status = readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + status);
        }
        connectionId = nextText().path("data").path("connectionId").asText();
        for (String channel : channels) {
            send(Map.of("type", "subscribe", "channel", channel));
        }
        int subscribed = 0;
        while (subscribed < channels.size()) {
            if ("subscribed".equals(nextText().path("type").asText())) {
                subscribed++;
            }
        }
        // From here on nothing is read until drain().
    }

    /**
     * Reads again until nothing came for {@code quietMillis} (at most {@code maxMillis}): counts the
     * text frames with a {@code seq}, keeps the last seq, and reports how the stream ended: a close
     * frame's code, the connection cut ("reset"/"eof"), or still "open".
     */
    Outcome drain(long quietMillis, long maxMillis) {
        long deadline = System.currentTimeMillis() + maxMillis;
        long messages = 0;
        long lastSeq = -1;
        try {
            // Reading at full speed now: a 4 KiB window would crawl through what the kernel holds.
            socket.setReceiveBufferSize(1 << 20);
            socket.setSoTimeout((int) quietMillis);
            while (System.currentTimeMillis() < deadline) {
                Frame frame;
                try {
                    frame = nextFrame();
                } catch (SocketTimeoutException e) {
                    return new Outcome(0, "open", messages, lastSeq);
                }
                if (frame == null) {
                    return new Outcome(0, "eof", messages, lastSeq);
                }
                if (frame.opcode == WsFrames.CLOSE) {
                    return new Outcome(WsFrames.closeCode(ByteBuffer.wrap(frame.payload)), "close", messages, lastSeq);
                }
                if (frame.opcode == WsFrames.TEXT) {
                    JsonNode message = JSON.readTree(frame.payload);
                    if (message.has("seq")) {
                        messages++;
                        lastSeq = message.path("seq").asLong();
                    }
                }
            }
            return new Outcome(0, "open", messages, lastSeq);
        } catch (IOException e) {
            return new Outcome(0, "cut (" + e.getClass().getSimpleName() + ")", messages, lastSeq);
        }
    }

    private record Frame(byte opcode, byte[] payload) {
    }

    /** The next whole frame (fragments are not expected from the node), null at EOF. */
    private Frame nextFrame() throws IOException {
        while (true) {
            Frame frame = parseOne();
            if (frame != null) {
                return frame;
            }
            if (!fill()) {
                return null;
            }
        }
    }

    /** One complete frame from the buffer (consumed), or null when it is not all there yet. */
    private Frame parseOne() {
        int start = buffer.position();
        int available = buffer.remaining();
        if (available < 2) {
            return null;
        }
        int b0 = buffer.get(start) & 0xFF;
        int header = 2;
        long length = buffer.get(start + 1) & 0x7F;
        if (length == 126) {
            header = 4;
            if (available < header) {
                return null;
            }
            length = buffer.getShort(start + 2) & 0xFFFF;
        } else if (length == 127) {
            header = 10;
            if (available < header) {
                return null;
            }
            length = buffer.getLong(start + 2);
        }
        if (available < header + length) {
            return null;
        }
        byte[] payload = new byte[(int) length];
        buffer.get(start + header, payload);
        buffer.position(start + header + (int) length);
        return new Frame((byte) (b0 & 0x0F), payload);
    }

    /** Reads more bytes after what is left in the buffer; false at EOF. */
    private boolean fill() throws IOException {
        buffer.compact();
        if (!buffer.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
        if (n < 0) {
            buffer.flip();
            return false;
        }
        buffer.position(buffer.position() + n).flip();
        return true;
    }

    private JsonNode nextText() throws IOException {
        while (true) {
            Frame frame = nextFrame();
            if (frame == null) {
                throw new IOException("closed before the subscription was confirmed");
            }
            if (frame.opcode == WsFrames.TEXT) {
                return JSON.readTree(frame.payload);
            }
        }
    }

    private void send(Object message) throws IOException {
        ByteBuffer frame = WsFrames.clientFrame(WsFrames.TEXT, JSON.writeValueAsBytes(message));
        out.write(frame.array(), frame.position(), frame.remaining());
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade");
            }
            headers.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = headers.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.indexOf('\r'));
    }

    @Override
    public void close() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
