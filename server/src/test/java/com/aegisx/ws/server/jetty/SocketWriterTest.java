package com.aegisx.ws.server.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The socket writer against Jetty's in-memory endpoint, whose output holds only so many bytes. */
class SocketWriterTest {

    private static final long UNBOUNDED = Long.MAX_VALUE;

    private final List<Throwable> writeFailures = new ArrayList<>();

    private static ByteArrayEndPoint endPoint(int outputBytes) {
        return new ByteArrayEndPoint(null, 0, (ByteBuffer) null, outputBytes, false);
    }

    private SocketWriter writer(ByteArrayEndPoint endPoint) {
        return new SocketWriter(endPoint, writeFailures::add, false); // an in-memory endpoint: no socket to send(2) to
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Drains the endpoint until the writer has nothing left; returns everything written. */
    private static String drain(ByteArrayEndPoint endPoint, SocketWriter writer) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            out.append(StandardCharsets.UTF_8.decode(endPoint.takeOutput()));
            if (writer.queuedBytes() == 0 && endPoint.getOutput().remaining() == 0) {
                return out.toString();
            }
        }
        throw new AssertionError("the writer never finished: " + writer.queuedBytes() + " bytes left");
    }

    @Test
    void aFrameToAnIdleSocketIsWrittenAtOnceAndItsBufferIsFreeAgain() {
        ByteArrayEndPoint endPoint = endPoint(1024);
        SocketWriter writer = writer(endPoint);
        ByteBuffer frame = bytes("hello");

        assertEquals(SocketWriter.Outcome.ACCEPTED, writer.write(new ByteBuffer[] {frame}, UNBOUNDED));

        assertEquals("hello", endPoint.getOutputString());
        assertEquals(0, writer.queuedBytes());
        frame.clear().put("XXXXX".getBytes(StandardCharsets.UTF_8)); // the caller reuses its buffer
        assertEquals("hello", endPoint.getOutputString());
    }

    @Test
    void whatTheSocketDoesNotTakeIsCopiedAndFramesQueueBehindItInOrder() {
        ByteArrayEndPoint endPoint = endPoint(4);
        SocketWriter writer = writer(endPoint);
        ByteBuffer reused = ByteBuffer.allocate(64);

        for (String part : new String[] {"abcdefgh", "ijkl", "mnopqrstu"}) {
            reused.clear().put(part.getBytes(StandardCharsets.UTF_8)).flip();
            assertEquals(SocketWriter.Outcome.ACCEPTED, writer.write(new ByteBuffer[] {reused}, UNBOUNDED));
            reused.clear().put("################".getBytes(StandardCharsets.UTF_8)); // reused at once
        }
        assertEquals(4 + 4 + 9, writer.queuedBytes(), "the first frame's rest and the two behind it wait");

        assertEquals("abcdefghijklmnopqrstu", drain(endPoint, writer));
        assertTrue(writeFailures.isEmpty());
    }

    @Test
    void pastTheBoundAFrameIsRefusedWithoutDisturbingWhatWaits() {
        ByteArrayEndPoint endPoint = endPoint(2);
        SocketWriter writer = writer(endPoint);

        assertEquals(SocketWriter.Outcome.ACCEPTED, writer.write(new ByteBuffer[] {bytes("0123456789")}, 10));
        assertEquals(8, writer.queuedBytes());
        assertEquals(SocketWriter.Outcome.OVER_BOUND, writer.write(new ByteBuffer[] {bytes("abc")}, 10));
        assertEquals(SocketWriter.Outcome.ACCEPTED, writer.write(new ByteBuffer[] {bytes("ab")}, 10));

        assertEquals("0123456789ab", drain(endPoint, writer));
    }

    @Test
    void jettysFramesKeepTheirPlaceAndTheirCallbacksCompleteOnlyWhenWritten() {
        ByteArrayEndPoint endPoint = endPoint(3);
        SocketWriter writer = writer(endPoint);
        RecordingCallback ping = new RecordingCallback();

        writer.write(new ByteBuffer[] {bytes("data1")}, UNBOUNDED);
        writer.write(bytes("PING"), ping, false);
        writer.write(new ByteBuffer[] {bytes("data2")}, UNBOUNDED);
        assertFalse(ping.done(), "the ping waits behind the data frame");

        assertEquals("data1PINGdata2", drain(endPoint, writer));
        assertTrue(ping.succeeded);
    }

    @Test
    void afterACloseFrameNothingIsTakenAndTheCloseIsStillWritten() {
        ByteArrayEndPoint endPoint = endPoint(3);
        SocketWriter writer = writer(endPoint);
        RecordingCallback close = new RecordingCallback();
        RecordingCallback late = new RecordingCallback();

        writer.write(new ByteBuffer[] {bytes("data")}, UNBOUNDED);
        writer.write(bytes("CLOSE"), close, true);
        assertEquals(SocketWriter.Outcome.REFUSED, writer.write(new ByteBuffer[] {bytes("after")}, UNBOUNDED));
        writer.write(bytes("PONG"), late, false);

        assertInstanceOf(ClosedChannelException.class, late.failure);
        assertEquals("dataCLOSE", drain(endPoint, writer));
        assertTrue(close.succeeded);
    }

    @Test
    void aClosedConnectionFailsWhatWaitsAndRefusesTheRest() {
        ByteArrayEndPoint endPoint = endPoint(2);
        SocketWriter writer = writer(endPoint);
        RecordingCallback waiting = new RecordingCallback();
        writer.write(new ByteBuffer[] {bytes("data")}, UNBOUNDED);
        writer.write(bytes("PING"), waiting, false);

        IOException cause = new IOException("reset by peer");
        writer.closed(cause);

        assertEquals(cause, waiting.failure);
        assertEquals(0, writer.queuedBytes());
        assertEquals(SocketWriter.Outcome.REFUSED, writer.write(new ByteBuffer[] {bytes("more")}, UNBOUNDED));
        assertTrue(writeFailures.isEmpty(), "a close is not a write failure to report");
    }

    @Test
    void aWriteToAClosedEndpointIsRefusedAndReportedOnce() {
        ByteArrayEndPoint endPoint = endPoint(64);
        SocketWriter writer = writer(endPoint);
        endPoint.close();

        assertEquals(SocketWriter.Outcome.REFUSED, writer.write(new ByteBuffer[] {bytes("x")}, UNBOUNDED));
        assertEquals(SocketWriter.Outcome.REFUSED, writer.write(new ByteBuffer[] {bytes("y")}, UNBOUNDED));
        assertEquals(1, writeFailures.size());
    }

    /**
     * Many threads write to one slow socket at once while another drains it: every frame arrives
     * whole (never interleaved with another), each thread's frames in the order it wrote them.
     */
    @Test
    void concurrentWritersNeverInterleaveBytes() throws Exception {
        ByteArrayEndPoint endPoint = endPoint(37);
        SocketWriter writer = writer(endPoint);
        int threads = 4;
        int frames = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(() -> {
                ByteBuffer reused = ByteBuffer.allocate(64);
                try {
                    start.await();
                    for (int i = 0; i < frames; i++) {
                        reused.clear().put(("<" + thread + ":" + i + ">").getBytes(StandardCharsets.US_ASCII)).flip();
                        if (writer.write(new ByteBuffer[] {reused}, UNBOUNDED) != SocketWriter.Outcome.ACCEPTED) {
                            throw new AssertionError("refused");
                        }
                        if (i % 7 == 0) {
                            writer.write(bytes("<p>"), Callback.NOOP, false);
                        }
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            writers.add(w);
            w.start();
        }
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        start.countDown();
        while (writers.stream().anyMatch(Thread::isAlive)) {
            ByteBuffer out = endPoint.takeOutput();
            received.write(out.array(), out.arrayOffset() + out.position(), out.remaining());
        }
        received.write(drain(endPoint, writer).getBytes(StandardCharsets.US_ASCII));
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }

        int[] next = new int[threads];
        String all = received.toString(StandardCharsets.US_ASCII);
        for (String token : all.substring(1, all.length() - 1).split("><")) {
            if (token.equals("p")) {
                continue;
            }
            String[] parts = token.split(":");
            int thread = Integer.parseInt(parts[0]);
            assertEquals(next[thread]++, Integer.parseInt(parts[1]), "thread " + thread + " out of order in " + token);
        }
        assertArrayEquals(new int[] {frames, frames, frames, frames}, next);
        assertTrue(writeFailures.isEmpty());
    }

    private static final class RecordingCallback implements Callback {
        volatile boolean succeeded;
        volatile Throwable failure;

        boolean done() {
            return succeeded || failure != null;
        }

        @Override
        public void succeeded() {
            succeeded = true;
        }

        @Override
        public void failed(Throwable cause) {
            failure = cause;
        }
    }
}
