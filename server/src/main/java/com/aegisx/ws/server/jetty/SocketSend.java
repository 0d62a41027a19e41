package com.aegisx.ws.server.jetty;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes a direct buffer to a plain, non-blocking socket channel with {@code send(2)} instead of
 * the JDK's {@code write(2)}: the socket path of {@code send} skips the VFS layer that a
 * {@code write} on any file goes through (fd position lock, fsnotify, access checks), ~0.3 µs of
 * kernel time per frame on this VM (load-tests/README.md, "send(2)"), and it skips the channel's
 * two state-lock sections per write.
 *
 * <p>The JDK has no public way to {@code send} on a TCP socket, but its datagram dispatcher is a
 * plain {@code send(fd, buf, len, 0)} with the same return conventions as its socket write
 * (bytes written; -2 when the socket is full; -3 interrupted; an {@link IOException} otherwise).
 * It is reached through {@code java.base/sun.nio.ch}, which the jar's manifest opens
 * ({@code Add-Opens}) and a relaunched node's JVM inherits; without that access, on another JDK,
 * or with {@code WEBSOCKET_SEND_SYSCALL=false}, no {@code SocketSend} is made and the caller writes
 * through the channel as before.
 *
 * <p>Why the descriptor cannot be another socket's by the time {@code send} runs: the write holds
 * the channel's own write lock and finds it open and non-blocking. A non-blocking channel's
 * {@code close} marks it closed first, then waits for that lock before it closes (or lets the
 * selector close) the descriptor; this is what the JDK's own write relies on.
 */
public final class SocketSend {

    /** The dispatcher's "interrupted" result (sun.nio.ch.IOStatus); its "socket full", -2, becomes 0 here. */
    private static final int INTERRUPTED = -3;

    private static final MethodHandle SEND;        // (FileDescriptor, long address, int length) int
    private static final MethodHandle FD;          // (SocketChannel) FileDescriptor
    private static final MethodHandle WRITE_LOCK;  // (SocketChannel) ReentrantLock
    private static final MethodHandle ADDRESS;     // (ByteBuffer) long, of a direct buffer
    private static final Class<?> CHANNEL_CLASS;
    /** Why {@code send} is not used in this JVM, or null when it is. */
    private static final String UNAVAILABLE_REASON;

    static {
        MethodHandle send = null;
        MethodHandle fd = null;
        MethodHandle writeLock = null;
        MethodHandle address = null;
        Class<?> channelClass = null;
        String reason = null;
        try {
            Module base = Object.class.getModule();
            if (!base.isOpen("sun.nio.ch", SocketSend.class.getModule())) {
                throw new IllegalAccessException("java.base/sun.nio.ch is not open to the node (no Add-Opens)");
            }
            Class<?> dispatcher = Class.forName("sun.nio.ch.DatagramDispatcher");
            channelClass = Class.forName("sun.nio.ch.SocketChannelImpl");
            Class<?> directBuffer = Class.forName("sun.nio.ch.DirectBuffer");
            MethodHandles.Lookup dispatcherLookup = MethodHandles.privateLookupIn(dispatcher, MethodHandles.lookup());
            send = dispatcherLookup.findStatic(dispatcher, "write0",
                    MethodType.methodType(int.class, FileDescriptor.class, long.class, int.class));
            MethodHandles.Lookup channelLookup = MethodHandles.privateLookupIn(channelClass, MethodHandles.lookup());
            fd = channelLookup.findVirtual(channelClass, "getFD", MethodType.methodType(FileDescriptor.class))
                    .asType(MethodType.methodType(FileDescriptor.class, SocketChannel.class));
            writeLock = channelLookup.findGetter(channelClass, "writeLock", ReentrantLock.class)
                    .asType(MethodType.methodType(ReentrantLock.class, SocketChannel.class));
            address = MethodHandles.privateLookupIn(directBuffer, MethodHandles.lookup())
                    .findVirtual(directBuffer, "address", MethodType.methodType(long.class))
                    .asType(MethodType.methodType(long.class, ByteBuffer.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = e.toString();
            send = null;
        }
        SEND = send;
        FD = fd;
        WRITE_LOCK = writeLock;
        ADDRESS = address;
        CHANNEL_CLASS = channelClass;
        UNAVAILABLE_REASON = reason;
    }

    private final SocketChannel channel;
    private final FileDescriptor fd;
    private final ReentrantLock writeLock;

    private SocketSend(SocketChannel channel, FileDescriptor fd, ReentrantLock writeLock) {
        this.channel = channel;
        this.fd = fd;
        this.writeLock = writeLock;
    }

    /** Null when this JVM can write with {@code send}; otherwise why not. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** The channel's {@code send} writer, or null when it must be written the JDK's way. */
    static SocketSend of(SocketChannel channel) {
        if (SEND == null || channel == null || !CHANNEL_CLASS.isInstance(channel)) {
            return null;
        }
        try {
            return new SocketSend(channel, (FileDescriptor) FD.invokeExact(channel),
                    (ReentrantLock) WRITE_LOCK.invokeExact(channel));
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * Writes what the socket takes of {@code direct} (a direct buffer), from its position, and
     * advances the position past it; returns the bytes written, 0 when the socket is full. Throws
     * as {@link SocketChannel#write(ByteBuffer)} would: {@link ClosedChannelException} once the
     * channel is closed, an {@link IOException} when the peer is gone.
     */
    int write(ByteBuffer direct) throws IOException {
        int position = direct.position();
        int length = direct.limit() - position;
        if (length <= 0) {
            return 0;
        }
        writeLock.lock();
        try {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            if (channel.isBlocking()) {
                return channel.write(direct); // never for Jetty's channels; the JDK tracks blocking writers itself
            }
            long address = (long) ADDRESS.invokeExact(direct) + position;
            int written;
            do {
                written = (int) SEND.invokeExact(fd, address, length);
            } while (written == INTERRUPTED && channel.isOpen());
            if (written > 0) {
                direct.position(position + written);
                return written;
            }
            return 0; // -2: the socket is full; or INTERRUPTED by a close
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        } finally {
            writeLock.unlock();
        }
    }
}
