package com.aegisx.ws.server.core;

/**
 * Port: the dispatch workers ({@code redis/PubSubDispatcher}), as a fan-out sees them when it splits
 * one message of a large channel across them, so the cores write to the members in parallel.
 *
 * <p>Each worker runs what it is given in the order given, one thing at a time, and runs tasks in
 * the same queue as the messages of its own topics, so a task never overtakes what was queued
 * before it.
 */
public interface DispatchWorkers {

    /** How many workers there are. */
    int count();

    /** The worker running on the calling thread, or -1 when the caller is not one of them. */
    int current();

    /**
     * Queues {@code task} on {@code worker} after what it already has; false when that worker is
     * so far behind that its queue is full (the task is then not run, like a dropped message).
     */
    boolean submit(int worker, Runnable task);

    /** No workers: every fan-out runs whole on the calling thread. */
    DispatchWorkers NONE = new DispatchWorkers() {
        @Override
        public int count() {
            return 1;
        }

        @Override
        public int current() {
            return -1;
        }

        @Override
        public boolean submit(int worker, Runnable task) {
            throw new IllegalStateException("no dispatch workers");
        }
    };
}
