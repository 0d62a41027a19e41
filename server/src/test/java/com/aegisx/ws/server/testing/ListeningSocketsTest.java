package com.aegisx.ws.server.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ListeningSocketsTest {

    @BeforeAll
    static void linux() {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux's /proc");
    }

    @Test
    void aPortThisProcessListensOnIsItsOwnAndNotAnotherProcesss() throws Exception {
        Process stranger = new ProcessBuilder("sleep", "30").start();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(ListeningSockets.ownedBy(ProcessHandle.current(), socket.getLocalPort()));
            assertFalse(ListeningSockets.ownedBy(stranger.toHandle(), socket.getLocalPort()));
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aPortNobodyListensOnIsNobodysOwn() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertFalse(ListeningSockets.ownedBy(ProcessHandle.current(), port));
    }
}
