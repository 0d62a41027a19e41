package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportMessages;
import com.aegisx.ws.client.reports.StoredPoint;
import com.aegisx.ws.client.reports.StreamIds;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * What one stream socket receives: a snapshot ({@code initial_data}) and then live
 * {@code data_update}s, through the connection's filter and update interval.
 *
 * <h2>Update interval: conflation with an exact count</h2>
 * With an interval of {@code n} ms ({@value #MIN_INTERVAL_MS}..{@value #MAX_INTERVAL_MS}; 0, the
 * default, means every point at once) two {@code data_update}s are at least {@code n} ms apart. A
 * point arriving sooner is held; a later one replaces it, and the update finally sent carries
 * {@code skipped}: how many matching points it replaced since the previous update. So for every
 * connection, the sum over its updates of {@code 1 + skipped} is exactly the number of matching
 * points published after its snapshot: nothing disappears uncounted. Changing the interval
 * re-times the held point against the new interval.
 *
 * <h2>Snapshots and ordering</h2>
 * Live points arriving while a snapshot is being read are buffered (up to {@value #MAX_BUFFERED};
 * beyond that they are counted into {@code skipped}) and released after {@code initial_data};
 * points whose stream id is not newer than the snapshot's newest are dropped as already shown.
 * {@code apply_filter} takes a new snapshot: a point held for conflation is superseded by it.
 *
 * <p>Thread-safe: live points come from a dispatch worker, snapshots from Redis callbacks,
 * flushes from the node's scheduler.
 */
public final class StreamSession {

    public static final long MIN_INTERVAL_MS = 100;
    public static final long MAX_INTERVAL_MS = 60_000;
    public static final int MAX_BUFFERED = 1_000;

    /** Where the session's output goes. */
    public interface Sink {
        /** Sends a message; {@code frame} is its shared encoding when unchanged, else null. */
        void send(ObjectNode message, ByteBuffer frame);

        Future<?> schedule(long delayMillis, Runnable task);
    }

    private record Live(ObjectNode message, ByteBuffer frame) {
    }

    private final String templateId;
    private final Sink sink;
    private final LongSupplier clock;
    private PointFilter filter = PointFilter.NONE;
    private long intervalMillis;
    private long lastSentAt;
    private boolean sentAny;
    private Live held;
    private long skipped;
    private Future<?> flushTask;
    private boolean snapshotting = true;
    private final List<Live> buffered = new ArrayList<>();
    private String watermark;
    private boolean closed;

    public StreamSession(String templateId, Sink sink, LongSupplier clock) {
        this.templateId = templateId;
        this.sink = sink;
        this.clock = clock;
    }

    /** Null when acceptable, else the reason for the client. */
    public static String intervalProblem(long millis) {
        if (millis == 0 || (millis >= MIN_INTERVAL_MS && millis <= MAX_INTERVAL_MS)) {
            return null;
        }
        return "interval must be 0 (every update) or " + MIN_INTERVAL_MS + "-" + MAX_INTERVAL_MS + " ms";
    }

    public String templateId() {
        return templateId;
    }

    public synchronized long interval() {
        return intervalMillis;
    }

    public synchronized PointFilter filter() {
        return filter;
    }

    /** A live {@code data_update} from the template's channel. */
    public synchronized void onLive(ObjectNode message, ByteBuffer frame) {
        if (closed) {
            return;
        }
        if (snapshotting) {
            if (buffered.size() < MAX_BUFFERED) {
                buffered.add(new Live(message, frame));
            } else if (filter.matches(message.path("data"))) {
                skipped++;
            }
            return;
        }
        deliver(new Live(message, frame));
    }

    public synchronized void setInterval(long millis) {
        if (intervalProblem(millis) != null) {
            throw new IllegalArgumentException(intervalProblem(millis));
        }
        intervalMillis = millis;
        if (flushTask != null) {
            flushTask.cancel(false);
            flushTask = null;
        }
        if (held != null) {
            scheduleFlush(clock.getAsLong());
        }
    }

    /** Starts a new snapshot with {@code newFilter}: live points wait until {@link #snapshot} is given. */
    public synchronized void beginSnapshot(PointFilter newFilter) {
        filter = newFilter;
        snapshotting = true;
        held = null;
        skipped = 0;
        if (flushTask != null) {
            flushTask.cancel(false);
            flushTask = null;
        }
    }

    /** Sends {@code initial_data} from the stored points (newest first), then releases buffered live points. */
    public synchronized void snapshot(List<StoredPoint> newestFirst) {
        if (closed) {
            return;
        }
        List<ObjectNode> points = new ArrayList<>();
        for (StoredPoint stored : newestFirst) {
            if (watermark == null || StreamIds.compare(stored.streamId(), watermark) > 0) {
                watermark = stored.streamId();
            }
            if (filter.matches(stored.point())) {
                points.add(stored.point());
            }
        }
        sink.send(ReportMessages.initialData(templateId, points), null);
        endSnapshot();
    }

    /** The snapshot could not be read: live points flow again (the route has told the client). */
    public synchronized void snapshotFailed() {
        endSnapshot();
    }

    private void endSnapshot() {
        snapshotting = false;
        List<Live> release = List.copyOf(buffered);
        buffered.clear();
        for (Live live : release) {
            deliver(live);
        }
    }

    public synchronized void close() {
        closed = true;
        held = null;
        buffered.clear();
        if (flushTask != null) {
            flushTask.cancel(false);
            flushTask = null;
        }
    }

    private void deliver(Live live) {
        String id = live.message().path("streamId").asText(null);
        if (id != null && watermark != null && StreamIds.isValid(id) && StreamIds.compare(id, watermark) <= 0) {
            return;
        }
        if (!filter.matches(live.message().path("data"))) {
            return;
        }
        long now = clock.getAsLong();
        if (held == null && isDue(now)) {
            emit(live, now);
            return;
        }
        if (held != null) {
            skipped++;
        }
        held = live;
        scheduleFlush(now);
    }

    private boolean isDue(long now) {
        return intervalMillis == 0 || !sentAny || now - lastSentAt >= intervalMillis;
    }

    private void scheduleFlush(long now) {
        if (flushTask != null) {
            return;
        }
        long delay = isDue(now) ? 0 : lastSentAt + intervalMillis - now;
        flushTask = sink.schedule(delay, this::flush);
    }

    /** Runs on the scheduler when a held point is due. */
    synchronized void flush() {
        flushTask = null;
        if (closed || held == null || snapshotting) {
            return;
        }
        long now = clock.getAsLong();
        if (!isDue(now)) {
            scheduleFlush(now);
            return;
        }
        Live due = held;
        held = null;
        emit(due, now);
    }

    private void emit(Live live, long now) {
        lastSentAt = now;
        sentAny = true;
        if (skipped == 0) {
            sink.send(live.message(), live.frame());
            return;
        }
        ObjectNode counted = live.message().deepCopy();
        counted.put("skipped", skipped);
        skipped = 0;
        sink.send(counted, null);
    }
}
