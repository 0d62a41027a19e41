package com.aegisx.ws.server.history;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an old socket that a resume took over on another node, through that node's inbox, and
 * makes sure it happened. The inbox is pub/sub, at most once: a command published while that
 * node's pub/sub link is being renewed or reconnects (a Redis failover) is lost, and the old socket
 * then stays open beside the new one, both fed the session's messages, until its ping timeout
 * (minutes), or for good when its client still answers pings.
 *
 * <p>So the resuming node looks again: {@link #FIRST_CHECK} later, whether the old connection is
 * still registered (its connection hash, the key the resume read it from), and while it is, sends
 * the command again, waiting twice as long each time (at most {@link #MAX_INTERVAL}), for
 * {@link #CHECKS} checks. It stops once the connection is gone: closed, or swept with its dead
 * node (the sweep removes its registration; commands to a dead node are lost but harmless). Sending
 * again is harmless too: a node ignores a command for a connection it no longer has.
 *
 * <p>Cost: one EXISTS per remote takeover (a second PUBLISH only when the first was lost), and
 * nothing per connection in the steady state; the old node is not asked to watch anything.
 */
final class RemoteTakeover {

    private static final Logger log = LoggerFactory.getLogger(RemoteTakeover.class);

    /** Long enough for a delivered command to close the socket and unregister it (milliseconds). */
    static final Duration FIRST_CHECK = Duration.ofSeconds(1);
    /** The longest wait between two checks: a Sentinel failover or a link renewal is over by then. */
    static final Duration MAX_INTERVAL = Duration.ofSeconds(30);
    /** Checks in all: 1+2+4+8+16+30×5 s, about three minutes, longer than any failover we saw. */
    static final int CHECKS = 10;

    /** Sends the close command to the node holding the connection (the publisher's disconnect). */
    @FunctionalInterface
    interface Send {
        CompletableFuture<?> send(String connectionId);
    }

    /** Whether the connection is still registered in Redis. */
    @FunctionalInterface
    interface Registered {
        CompletableFuture<Boolean> test(String connectionId);
    }

    /** Runs a task after a delay (the node's timer). */
    @FunctionalInterface
    interface Timer {
        void schedule(Runnable task, Duration delay);
    }

    private final Send send;
    private final Registered registered;
    private final Timer timer;

    RemoteTakeover(Send send, Registered registered, Timer timer) {
        this.send = send;
        this.registered = registered;
        this.timer = timer;
    }

    /** Sends the close command now and checks {@link #FIRST_CHECK} later that it worked. */
    void close(String connectionId) {
        send(connectionId);
        timer.schedule(() -> check(connectionId, 1, FIRST_CHECK), FIRST_CHECK);
    }

    private void check(String connectionId, int check, Duration waited) {
        CompletableFuture<Boolean> asked;
        try {
            asked = registered.test(connectionId);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        asked.whenComplete((stillThere, error) -> {
            if (error == null && !stillThere) {
                return;
            }
            if (check >= CHECKS) {
                log.warn("Gave up closing connectionId={}, taken over by a resume: still registered after {} checks",
                        connectionId, CHECKS);
                return;
            }
            if (error == null) {
                // Its node did not get the command (its pub/sub link was down or renewed then).
                log.info("connectionId={}, taken over by a resume, is still open: asking its node again", connectionId);
                send(connectionId);
            } else {
                log.debug("Could not check connectionId={}, taken over by a resume: {}", connectionId, error.toString());
            }
            Duration next = waited.multipliedBy(2).compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : waited.multipliedBy(2);
            timer.schedule(() -> check(connectionId, check + 1, next), next);
        });
    }

    private void send(String connectionId) {
        CompletableFuture<?> sent;
        try {
            sent = send.send(connectionId);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ignored, error) -> {
            if (error != null) {
                log.warn("Could not close connectionId={}, taken over by a resume: {}", connectionId, error.toString());
            }
        });
    }
}
