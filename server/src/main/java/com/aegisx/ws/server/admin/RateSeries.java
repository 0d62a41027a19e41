package com.aegisx.ws.server.admin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Turns the nodes' counter samples ({@link NodeStats}) into cluster-wide rates per second: each
 * node's consecutive samples give its rate over that span, credited to the time slot (of
 * {@code interval}) where the span ends, and the nodes' rates of a slot are added. A counter that
 * went down (the node restarted) gives no point for that span.
 */
public final class RateSeries {

    /** Cluster-wide messages per second over the slot starting at {@code at} (epoch ms). */
    public record Point(long at, double messagesOut, double messagesIn, double pubSubReceived) {
    }

    private RateSeries() {
    }

    public static List<Point> of(Collection<List<NodeStats.Sample>> nodes, long intervalMillis) {
        TreeMap<Long, double[]> slots = new TreeMap<>();
        for (List<NodeStats.Sample> samples : nodes) {
            for (int i = 1; i < samples.size(); i++) {
                NodeStats.Sample before = samples.get(i - 1);
                NodeStats.Sample after = samples.get(i);
                long span = after.at() - before.at();
                long out = after.messagesOut() - before.messagesOut();
                long in = after.messagesIn() - before.messagesIn();
                long received = after.pubSubReceived() - before.pubSubReceived();
                if (span <= 0 || out < 0 || in < 0 || received < 0) {
                    continue;
                }
                double seconds = span / 1000.0;
                double[] slot = slots.computeIfAbsent(after.at() / intervalMillis * intervalMillis, k -> new double[3]);
                slot[0] += out / seconds;
                slot[1] += in / seconds;
                slot[2] += received / seconds;
            }
        }
        List<Point> points = new ArrayList<>(slots.size());
        slots.forEach((at, r) -> points.add(new Point(at, r[0], r[1], r[2])));
        return points;
    }
}
