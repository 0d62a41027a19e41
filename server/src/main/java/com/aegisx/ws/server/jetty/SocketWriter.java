package com.aegisx.ws.server.jetty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * The only writer of one socket: the node's text frames and Jetty's own frames (close, ping, pong)
 * all leave through here, in the order they were handed over.
 *
 * <p>When nothing is waiting, a frame is written straight to the socket by the thread that sends
 * it: one non-blocking write, no queue entry, no callback, no allocation. Only the part the kernel
 * did not take is copied and queued; from then on frames queue behind it (bounded by the caller)
 * and leave in gathering writes, driven by Jetty's write flusher when the socket becomes writable.
 * This is what lets a fan-out write a shared, pre-built frame to a thousand sockets without
 * Jetty's per-frame flusher entries, header buffers and gather arrays.
 *
 * <p>Why it is race-free: this class owns the endpoint's output. Jetty's own frame flusher never
 * gets a frame ({@link DirectConnection} routes every frame here), so the endpoint is written
 * either directly, under this object's monitor while nothing is queued, or by one write-flusher
 * write of queued buffers at a time; never both. The monitor is held only for a non-blocking write.
 */
final class SocketWriter implements Callback {

    /** How a frame was taken. */
    enum Outcome {
        /** Written to the socket, or queued behind earlier frames. */
        ACCEPTED,
        /** Not taken: the socket failed or a close frame went before. */
        REFUSED,
        /** Not taken: queuing it would pass the caller's bound. */
        OVER_BOUND
    }

    /** At most this many queued buffers go into one gathering write. */
    static final int MAX_GATHER = 64;

    private final EndPoint endPoint;
    /**
     * The plain socket under the endpoint, or null (TLS or another transport): a single frame goes
     * to it with one {@code write}, where the endpoint's flush always makes a gathering
     * {@code writev} (the JDK's per-call iovec set-up, for one buffer).
     */
    private final SocketChannelEndPoint plain;
    /** Writes {@link #plain}'s direct buffers with {@code send(2)}; null: through the channel. */
    private final SocketSend send;
    /** Told when a write fails (Jetty's session closes the connection). */
    private final Consumer<Throwable> onWriteFailure;

    /** Frames not yet (fully) written, oldest first; null while nothing waits (most of the time). */
    private ArrayDeque<Queued> queue;
    /** True while queued bytes are being written; the endpoint then belongs to that write. */
    private boolean writing;
    /** A close frame was taken: nothing after it is. */
    private boolean closing;
    private Throwable failure;
    private volatile long queuedBytes;

    /** {@code useSend}: write single frames with {@code send(2)} where this JVM allows it ({@link SocketSend}). */
    SocketWriter(EndPoint endPoint, Consumer<Throwable> onWriteFailure, boolean useSend) {
        this.endPoint = endPoint;
        this.plain = endPoint instanceof SocketChannelEndPoint socket ? socket : null;
        this.send = useSend && plain != null ? SocketSend.of(plain.getChannel()) : null;
        this.onWriteFailure = onWriteFailure;
    }

    /**
     * Writes one or more whole frames the caller owns only for this call ({@code only[0]} is read
     * from its position to its limit, and may be reused once this returns): what the socket does
     * not take at once is copied. {@code maxQueuedBytes} bounds what may wait. A one-element array,
     * not the buffer: the endpoint's flush takes an array, and the caller's is made once per thread
     * instead of once per delivery.
     */
    Outcome write(ByteBuffer[] only, long maxQueuedBytes) {
        Throwable failed = null;
        synchronized (this) {
            if (failure != null || closing) {
                return Outcome.REFUSED;
            }
            if (writing) {
                if (queuedBytes + only[0].remaining() > maxQueuedBytes) {
                    return Outcome.OVER_BOUND;
                }
                enqueue(copy(only[0]), null);
                return Outcome.ACCEPTED;
            }
            try {
                if (flushOrQueue(only, false, null)) {
                    return Outcome.ACCEPTED;
                }
            } catch (IOException | RuntimeException e) {
                failed = e;
            }
        }
        if (failed != null) {
            writeFailed(failed);
            return Outcome.REFUSED;
        }
        writeQueued();
        return Outcome.ACCEPTED;
    }

    /**
     * Writes a frame Jetty made (its bytes are this writer's from now on) and completes
     * {@code callback} once the frame is written, or fails it if it never will be.
     */
    void write(ByteBuffer ownedBytes, Callback callback, boolean close) {
        Throwable refused = null;
        Throwable failed = null;
        boolean written = false;
        boolean start = false;
        synchronized (this) {
            if (failure != null || closing) {
                refused = failure != null ? failure : new ClosedChannelException();
            } else {
                closing = close;
                if (writing) {
                    enqueue(ownedBytes, callback);
                } else {
                    try {
                        written = flushOrQueue(new ByteBuffer[] {ownedBytes}, true, callback);
                        start = !written;
                    } catch (IOException | RuntimeException e) {
                        failed = e;
                    }
                }
            }
        }
        if (refused != null) {
            callback.failed(refused);
        } else if (failed != null) {
            callback.failed(failed);
            writeFailed(failed);
        } else if (written) {
            callback.succeeded();
        } else if (start) {
            writeQueued();
        }
    }

    /**
     * Nothing waits (called under the monitor, {@code writing} false): writes what the socket takes
     * of {@code only[0]}; true when that was all of it. Otherwise queues the rest, copied unless
     * {@code owned}, and takes the endpoint for {@link #writeQueued()}, which the caller runs next.
     */
    private boolean flushOrQueue(ByteBuffer[] only, boolean owned, Callback callback) throws IOException {
        flushOne(only);
        ByteBuffer bytes = only[0];
        if (!bytes.hasRemaining()) {
            return true;
        }
        enqueue(owned ? bytes : copy(bytes), callback);
        writing = true;
        return false;
    }

    /** Writes what the socket takes of {@code only[0]}, as the endpoint's flush would. */
    private void flushOne(ByteBuffer[] only) throws IOException {
        if (plain == null) {
            endPoint.flush(only);
            return;
        }
        try {
            ByteBuffer bytes = only[0];
            int written = send != null && bytes.isDirect() ? send.write(bytes) : plain.getChannel().write(bytes);
            if (written > 0) {
                plain.notIdle(); // as the endpoint's flush: a socket being written is not idle
            }
        } catch (IOException e) {
            throw new EofException(e); // as the endpoint's flush
        }
    }

    /** Bytes waiting for the socket (0 while it keeps up). */
    long queuedBytes() {
        return queuedBytes;
    }

    /** The connection closed: whatever waits is dropped and its callbacks failed. */
    void closed(Throwable cause) {
        fail(cause == null ? new ClosedChannelException() : cause);
    }

    /**
     * Writes the queue, oldest first, for as long as the socket takes it; once it stops taking,
     * hands the rest to Jetty's write flusher, which calls {@link #succeeded()} when it has written
     * them. Called only by whoever set {@code writing}, so only one thread runs it at a time.
     */
    private void writeQueued() {
        while (true) {
            ByteBuffer[] buffers;
            List<Callback> completed;
            synchronized (this) {
                if (failure != null) {
                    return;
                }
                completed = dropWritten();
                if (queue == null || queue.isEmpty()) {
                    queue = null;
                    writing = false;
                    buffers = null;
                } else {
                    buffers = new ByteBuffer[Math.min(queue.size(), MAX_GATHER)];
                    int i = 0;
                    for (Queued queued : queue) {
                        if (i == buffers.length) {
                            break;
                        }
                        buffers[i++] = queued.bytes;
                    }
                }
            }
            if (completed != null) {
                completed.forEach(Callback::succeeded);
            }
            if (buffers == null) {
                return;
            }
            try {
                if (!endPoint.flush(buffers)) {
                    // The socket is full: Jetty's write flusher waits for it and calls back.
                    endPoint.write(this, buffers);
                    return;
                }
            } catch (IOException | RuntimeException e) {
                writeFailed(e);
                return;
            }
        }
    }

    /** Removes the fully written frames at the head of the queue; returns their callbacks. */
    private List<Callback> dropWritten() {
        List<Callback> completed = null;
        if (queue == null) {
            return null;
        }
        while (!queue.isEmpty() && !queue.peekFirst().bytes.hasRemaining()) {
            Queued done = queue.pollFirst();
            queuedBytes -= done.size;
            if (done.callback != null) {
                if (completed == null) {
                    completed = new ArrayList<>(2);
                }
                completed.add(done.callback);
            }
        }
        return completed;
    }

    /** Jetty's write flusher wrote what it was given. */
    @Override
    public void succeeded() {
        writeQueued();
    }

    /** Jetty's write flusher could not write (peer gone, write timed out, connection closed). */
    @Override
    public void failed(Throwable cause) {
        writeFailed(cause);
    }

    /** Never blocks: runs on the selector thread when the socket becomes writable. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    private void writeFailed(Throwable cause) {
        if (fail(cause)) {
            onWriteFailure.accept(cause);
        }
    }

    /** Fails everything waiting; true the first time. */
    private boolean fail(Throwable cause) {
        ArrayDeque<Queued> dropped;
        synchronized (this) {
            if (failure != null) {
                return false;
            }
            failure = cause;
            dropped = queue;
            queue = null;
            writing = false;
            queuedBytes = 0;
        }
        if (dropped != null) {
            for (Queued queued : dropped) {
                if (queued.callback != null) {
                    queued.callback.failed(cause);
                }
            }
        }
        return true;
    }

    private void enqueue(ByteBuffer bytes, Callback callback) {
        if (queue == null) {
            queue = new ArrayDeque<>();
        }
        int size = bytes.remaining();
        queue.addLast(new Queued(bytes, callback, size));
        queuedBytes += size;
    }

    private static ByteBuffer copy(ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes).flip();
        return copy;
    }

    /** One frame (or frames) waiting; {@code callback} is Jetty's, null for the node's own frames. */
    private record Queued(ByteBuffer bytes, Callback callback, int size) {
    }
}
