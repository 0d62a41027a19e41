package com.aegisx.ws.server.redis;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Netty's I/O handler of one Lettuce event loop, with reads paced while they come often: when the
 * loop's last wait for I/O ended less than a window after it began (messages are arriving more
 * often than that), the loop lets the next window pass before it looks again, and reads what
 * arrived meanwhile at once. A loop whose reads come further apart than the window waits for I/O
 * exactly as before, so a quiet node adds no latency.
 *
 * <p>Why: at 5,000 personal messages/s, one per read, the node's CPU per message was mostly two
 * kernel wake-ups (load-tests/README.md, personal): the loop's own sleep in {@code epoll_wait} and
 * wake-up per message, and the client's wake-up by each socket write. Reading a window's messages
 * together takes one wake-up for all of them, and their socket writes follow one another, so the
 * client's reader is woken once for several. A message waits at most one window in the kernel's
 * socket buffer (nothing is lost: Redis and the kernel hold it), in the order it came.
 *
 * <p>Only reads wait. A task handed to the loop (a command to write, a timer due) ends the pause
 * at once ({@link #wakeup()}), and the pause never reaches past the loop's next scheduled task.
 */
final class PacedIoHandler implements IoHandler {

    /** How the loop thread pauses; a test substitutes its own. */
    interface Pause {
        /** Parks the calling thread for up to {@code nanos} or until {@link LockSupport#unpark} (may return early). */
        void park(Object blocker, long nanos);

        Pause PARK = LockSupport::parkNanos;
    }

    private final IoHandler delegate;
    private final long windowNanos;
    private final Pause pause;
    /** The loop's thread, known from its first run. */
    private volatile Thread loop;
    /** True while the loop pauses: a wake-up must unpark it. */
    private volatile boolean pausing;
    /** Set by {@link #wakeup()} during a pause; ends it. */
    private volatile boolean wakeRequested;
    /** Whether the next run pauses first (loop thread only). */
    private boolean pace;
    private final AtomicLong pauses;

    /** {@code pauses}: counts the pauses taken (shared by the loops of a group, for metrics and tests). */
    PacedIoHandler(IoHandler delegate, long windowNanos, Pause pause, AtomicLong pauses) {
        this.delegate = delegate;
        this.windowNanos = windowNanos;
        this.pause = pause;
        this.pauses = pauses;
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        if (loop == null) {
            loop = Thread.currentThread();
        }
        if (pace) {
            pauseForReads(context);
        }
        long start = System.nanoTime();
        int handled = delegate.run(context);
        // Handled I/O less than a window after it began to wait: the next read is likely within a
        // window too, so it is worth gathering. A run that waited longer (or only ran tasks) ends
        // the pacing: a quiet loop waits for I/O as it always did.
        pace = handled > 0 && System.nanoTime() - start < windowNanos;
        return handled;
    }

    /** Lets up to one window pass, unless a task is waiting or arrives, or a scheduled task is due sooner. */
    private void pauseForReads(IoHandlerContext context) {
        pausing = true;
        try {
            if (!context.canBlock() || wakeRequested) {
                return; // tasks to run now
            }
            long now = System.nanoTime();
            long deadline = now + Math.min(windowNanos, context.delayNanos(now));
            pauses.incrementAndGet();
            for (long left = deadline - now; left > 0 && !wakeRequested; left = deadline - System.nanoTime()) {
                pause.park(this, left);
            }
        } finally {
            pausing = false;
            wakeRequested = false;
        }
    }

    /**
     * A task was handed to the loop (or it shuts down): Netty wakes its selector, and a pause ends
     * too. The loop sets {@code pausing} before it looks at its task queue, and a caller adds its
     * task before it reads {@code pausing}, so a task is either seen by the loop or ends the pause.
     */
    @Override
    public void wakeup() {
        delegate.wakeup();
        if (pausing) {
            wakeRequested = true;
            Thread thread = loop;
            if (thread != null && thread != Thread.currentThread()) {
                LockSupport.unpark(thread);
            }
        }
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return delegate.register(handle);
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }
}
