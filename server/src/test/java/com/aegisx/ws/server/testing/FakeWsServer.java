package com.aegisx.ws.server.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-connection WebSocket "server" for the helpers' own unit tests: it answers the upgrade
 * (or refuses it with a given status) and then lets the test read client frames and write
 * server frames by hand. Not a general server, and not for use by the real integration tests.
 */
final class FakeWsServer implements AutoCloseable {

    private final ServerSocket listener;
    private final int refuseWith;
    private final CompletableFuture<Peer> peer = new CompletableFuture<>();

    private FakeWsServer(int refuseWith) throws IOException {
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.refuseWith = refuseWith;
        Thread acceptor = new Thread(this::acceptOne, "fake-ws-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Accepts one upgrade. */
    static FakeWsServer start() throws IOException {
        return new FakeWsServer(0);
    }

    /** Answers the upgrade request with this HTTP status (e.g. 401) instead of 101. */
    static FakeWsServer refusing(int status) throws IOException {
        return new FakeWsServer(status);
    }

    URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + pathAndQuery);
    }

    /** The server side of the accepted connection, once the handshake is done. */
    Peer peer() throws Exception {
        return peer.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        // The accept thread fails the future when the listener closes first (a refused upgrade can
        // end the test before that): there is no peer to close then, and no reason to throw.
        Peer p = peer.handle((accepted, error) -> accepted).getNow(null);
        if (p != null) {
            p.socket.close();
        }
    }

    private void acceptOne() {
        try {
            Socket socket = listener.accept();
            socket.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String request = RawWsClient.readHead(in);
            OutputStream out = socket.getOutputStream();
            if (refuseWith != 0) {
                byte[] body = "go away".getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + refuseWith + " Refused\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                socket.close();
                return;
            }
            String key = header(request, "sec-websocket-key");
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + RawWsClient.acceptFor(key) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            peer.complete(new Peer(socket, in, out, request));
        } catch (IOException e) {
            peer.completeExceptionally(e);
        }
    }

    private static String header(String request, String name) {
        for (String line : request.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        throw new IllegalStateException("request lacks " + name + ":\n" + request);
    }

    /** The server end of one connection. Server frames are unmasked, as RFC 6455 requires. */
    static final class Peer {
        final Socket socket;
        final String request;
        private final InputStream in;
        private final OutputStream out;

        private Peer(Socket socket, InputStream in, OutputStream out, String request) {
            this.socket = socket;
            this.in = in;
            this.out = out;
            this.request = request;
        }

        WsFrame readFrame() throws IOException {
            return WsFrameCodec.decode(in);
        }

        void send(int opcode, boolean fin, byte[] payload) throws IOException {
            out.write(WsFrameCodec.encode(opcode, fin, 0, null, payload));
            out.flush();
        }

        void sendText(String text) throws IOException {
            send(WsFrame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
        }

        void sendClose(int code, String reason) throws IOException {
            send(WsFrame.CLOSE, true, WsFrameCodec.closePayload(code, reason));
        }

        /** Ends the TCP connection without a close frame. */
        void drop() throws IOException {
            socket.close();
        }
    }
}
