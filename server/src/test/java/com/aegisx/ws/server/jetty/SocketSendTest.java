package com.aegisx.ws.server.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code send(2)} on a real loopback connection: what the JDK's own socket write would do, byte for byte. */
class SocketSendTest {

    private ServerSocketChannel listener;
    private SocketChannel server;
    private SocketChannel client;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        server = listener.accept();
        server.configureBlocking(false); // as Jetty's
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private String read(int bytes) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(bytes);
        while (in.hasRemaining()) {
            if (client.read(in) < 0) {
                break;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
    }

    @Test
    void theTestJvmOpensTheDispatcherSoEveryNodeInTheTestsWritesWithSend() {
        assertNull(SocketSend.unavailableReason(), "the tests would only cover the JDK's write path");
        assertNotNull(SocketSend.of(server));
    }

    @Test
    void writesFromThePositionToTheLimitAndAdvancesThePosition() throws IOException {
        SocketSend send = SocketSend.of(server);
        ByteBuffer frame = direct("skip|hello, socket|tail");
        frame.position(5).limit(18);

        assertEquals(13, send.write(frame));

        assertEquals(18, frame.position());
        assertEquals("hello, socket", read(13));
    }

    @Test
    void aFullSocketTakesNothingMoreAndEveryByteItTookArrivesInOrder() throws IOException {
        server.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        SocketSend send = SocketSend.of(server);
        java.io.ByteArrayOutputStream taken = new java.io.ByteArrayOutputStream();
        int full = 0;
        for (int i = 0; i < 100_000 && full == 0; i++) {
            byte[] block = new byte[4096];
            java.util.Arrays.fill(block, (byte) ('a' + i % 26));
            ByteBuffer frame = ByteBuffer.allocateDirect(block.length).put(block).flip();
            int n = send.write(frame);
            assertEquals(n, frame.position(), "the position moved past what was taken, no further");
            taken.write(block, 0, n);
            if (n == 0) {
                full++;
            }
        }
        assertEquals(1, full, "the socket filled up (the peer reads nothing)");

        ByteBuffer all = ByteBuffer.allocate(taken.size());
        while (all.hasRemaining()) {
            client.read(all);
        }
        assertArrayEquals(taken.toByteArray(), all.array());
    }

    @Test
    void aClosedChannelRefusesAsTheJdkWriteDoes() throws IOException {
        SocketSend send = SocketSend.of(server);
        server.close();

        assertThrows(ClosedChannelException.class, () -> send.write(direct("late")));
    }

    @Test
    void aPeerThatResetTheConnectionFailsTheWrite() throws IOException {
        SocketSend send = SocketSend.of(server);
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close(); // RST

        IOException failure = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100; i++) {
                send.write(direct("after the reset"));
            }
        });
        assertTrue(!(failure instanceof ClosedChannelException), "the kernel's error, not a closed channel: " + failure);
    }

    @Test
    void aBlockingChannelIsWrittenTheJdksWay() throws IOException {
        server.configureBlocking(true);
        SocketSend send = SocketSend.of(server);

        assertEquals(5, send.write(direct("block")));

        assertEquals("block", read(5));
    }
}
