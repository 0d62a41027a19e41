package com.aegisx.ws.server.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCAN paging over the whole keyspace with a cursor a caller can hand back later (an HTTP query
 * parameter). On a standalone Redis the cursor is Redis's own. On a Redis Cluster each master
 * holds only its slots' keys and its own SCAN cursor, so the cursor is {@code <master>-<cursor>}:
 * the index of a master among the masters ordered by their lowest slot (an order a failover keeps:
 * the promoted replica serves the same slots), and that master's SCAN cursor. Every master is
 * scanned in turn. (Lettuce's own cluster SCAN keeps the node in a Java object, which does not
 * survive a round trip through a URL: a plain cursor made it restart on the first master.)
 */
public final class KeyScan {

    /** Found keys and the cursor of the next page (null when every master is done). */
    public record Page(List<String> keys, String next) {
    }

    private static final Pattern CURSOR = Pattern.compile("(?:([0-9]{1,4})-)?([0-9]{1,20})");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final long timeoutMs;

    public KeyScan(RedisClusterAsyncCommands<String, String> redis, long timeoutMs) {
        this.redis = redis;
        this.timeoutMs = timeoutMs;
    }

    /** Whether {@code cursor} has the shape of a cursor this class hands out. */
    public static boolean isValidCursor(String cursor) {
        return CURSOR.matcher(cursor).matches();
    }

    /**
     * SCANs from {@code cursor} ("0" to start) until about {@code limit} keys matching
     * {@code pattern} that {@code keep} accepts were found, or the keyspace is done.
     */
    public Page scan(String pattern, Predicate<String> keep, String cursor, int limit) throws Exception {
        Matcher m = CURSOR.matcher(cursor);
        if (!m.matches()) {
            throw new IllegalArgumentException("cursor must be a nextCursor value returned earlier");
        }
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(limit);
        List<String> found = new ArrayList<>();
        if (!(redis instanceof RedisAdvancedClusterAsyncCommands<String, String> cluster)) {
            if (m.group(1) != null) {
                throw new IllegalArgumentException("cursor must be a nextCursor value returned earlier");
            }
            String at = scanOne(redis, pattern, keep, m.group(2), limit, args, found);
            return new Page(found, at);
        }
        List<String> masters = masters(cluster);
        int master = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        if (master >= masters.size() || m.group(1) == null && !"0".equals(m.group(2))) {
            throw new IllegalArgumentException("cursor must be a nextCursor value returned earlier");
        }
        String at = m.group(2);
        while (true) {
            at = scanOne(cluster.getConnection(masters.get(master)), pattern, keep, at, limit, args, found);
            if (at != null) {
                return new Page(found, master + "-" + at);
            }
            master++;
            if (master == masters.size()) {
                return new Page(found, null);
            }
            at = "0";
            if (found.size() >= limit) {
                return new Page(found, master + "-0");
            }
        }
    }

    /** SCANs one server until about {@code limit} keys are found (returns its cursor) or it is done (null). */
    private String scanOne(RedisClusterAsyncCommands<String, String> server, String pattern, Predicate<String> keep,
                           String cursor, int limit, ScanArgs args, List<String> found) throws Exception {
        ScanCursor at = ScanCursor.of(cursor);
        while (true) {
            KeyScanCursor<String> batch = server.scan(at, args).get(timeoutMs, TimeUnit.MILLISECONDS);
            for (String key : batch.getKeys()) {
                if (keep.test(key)) {
                    found.add(key);
                }
            }
            if (batch.isFinished() || "0".equals(batch.getCursor())) {
                return null;
            }
            if (found.size() >= limit) {
                return batch.getCursor();
            }
            at = ScanCursor.of(batch.getCursor());
        }
    }

    /** Node ids of the masters that serve slots, ordered by their lowest slot. */
    private static List<String> masters(RedisAdvancedClusterAsyncCommands<String, String> cluster) {
        List<RedisClusterNode> masters = new ArrayList<>();
        for (RedisClusterNode node : cluster.getStatefulConnection().getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                masters.add(node);
            }
        }
        masters.sort(Comparator.comparingInt(n -> n.getSlots().stream().mapToInt(Integer::intValue).min().orElse(0)));
        return masters.stream().map(RedisClusterNode::getNodeId).toList();
    }
}
