package com.aegisx.ws.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for fault injection between a node and Redis, on a free loopback port: it forwards
 * bytes both ways until told to {@link #cut} (every connection reset, as a broken link: RST), to
 * {@link #freeze} (connections stay open, bytes stop: a silent, half-open link) or to
 * {@link #refuse} new connections. Point a node's REDIS_URL at {@link #url}.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Per accepted connection, in order: whether its bytes are held back. */
    private final List<java.util.concurrent.atomic.AtomicBoolean> linkFrozen = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean refusing;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code redis://127.0.0.1:<proxy port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port();
    }

    /** Connections accepted so far (a reconnect adds one). */
    public int accepted() {
        return accepted.get();
    }

    /** Resets every open connection (RST): the peers see the link break at once. */
    public void cut() {
        for (Socket socket : sockets) {
            reset(socket);
        }
        sockets.clear();
    }

    /** Bytes stop flowing both ways; connections stay open (no FIN, no RST). */
    public void freeze() {
        frozen = true;
    }

    /** Bytes stop flowing on one connection (0: the first accepted), the others go on. */
    public void freeze(int connection) {
        linkFrozen.get(connection).set(true);
    }

    /** Bytes flow again (what was held back is delivered), on every connection. */
    public void thaw() {
        synchronized (gate) {
            frozen = false;
            linkFrozen.forEach(flag -> flag.set(false));
            gate.notifyAll();
        }
    }

    /** New connections are accepted and reset at once (true) or forwarded again (false). */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    @Override
    public void close() {
        closed = true;
        thaw();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cut();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                reset(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                java.util.concurrent.atomic.AtomicBoolean linkFlag = new java.util.concurrent.atomic.AtomicBoolean();
                linkFrozen.add(linkFlag);
                accepted.incrementAndGet();
                pump(client, upstream, linkFlag);
                pump(upstream, client, linkFlag);
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicBoolean linkFlag) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitThaw(linkFlag);
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the link was cut or closed
            } finally {
                reset(from);
                reset(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitThaw(java.util.concurrent.atomic.AtomicBoolean linkFlag) throws InterruptedException {
        synchronized (gate) {
            while ((frozen || linkFlag.get()) && !closed) {
                gate.wait(100);
            }
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
