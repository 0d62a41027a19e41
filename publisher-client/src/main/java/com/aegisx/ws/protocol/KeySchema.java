package com.aegisx.ws.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Every Redis key and pub/sub channel name of the tier, in one place.
 *
 * <p>The part in braces is the Redis Cluster hash tag: keys that one node writes together for one
 * node (its hash, its connection set, its sweep lock) share a slot. Connection and user records are
 * tagged with their <em>event shard</em> {@code {s<k>}}, {@code k = }{@link #shardOf}{@code (id)} (one of
 * {@value #EVENT_SHARDS}), so that each script that changes them writes its lifecycle event to the
 * shard's stream {@code {p}:events:{s<k>}} in the same atomic step (a script touches one slot only).
 * Channel names are validated by {@link ChannelNames} and never contain braces.
 *
 * <pre>
 * {p}:nodes                      zset   nodeId -&gt; heartbeat deadline (epoch ms)
 * {p}:node:{nodeId}              hash   host, port, startedAt, version
 * {p}:node:{nodeId}:conns        set    connection ids on that node
 * {p}:node:{nodeId}:sweep        string short lock held by whoever sweeps that dead node
 * {p}:conn:{s<k>}:connId         hash   userId, nodeId, ip, userAgent, connectedAt, lastActivity (k = shardOf(connId))
 * {p}:conn:{s<k>}:connId:channels set   channels the connection is subscribed to
 * {p}:chan:{channel}             hash   connId -&gt; nodeId (channel membership)
 * {p}:user:{s<k>}:userId         hash   connId -&gt; nodeId (user index; k = shardOf(userId))
 * {p}:presence:{s<k>}:userId     hash   the user's lifecycle state: state on|left, connectionId, nodeId, cap
 * {p}:online:{s<k>}              set    user ids with a registered connection (online user count: SCARD of each)
 * {p}:offline-due:{s<k>}         zset   userId -&gt; when its user_offline is due (Redis time, ms)
 * {p}:events:{s<k>}              stream lifecycle events of the connections and users of shard k
 * {p}:ip:{ip}                    hash   connId -&gt; nodeId (per-address index, for limits)
 * pub/sub {p}:ch:{channel}       broadcasts to one channel
 * pub/sub {p}:to-user:{userId}   messages for every connection of one user
 * pub/sub {p}:inbox:{nodeId}     direct messages and commands for one node
 * pub/sub {p}:probe:{nodeId}     a node's own probe of its pub/sub connection
 * {p}:report:{reportId}          hash   latest state of a report (owner, status, progress, cancel request), with a TTL
 * {p}:report-data:{templateId}   stream recent data points of a report template (XADD MAXLEN ~), with a TTL
 * pub/sub {p}:report-cancel:{reportId}  cancellation requests for the producer of one report
 * {p}:hist:{channel}             stream recent messages of a history channel (HISTORY_RULES), ids 0-&lt;offset&gt;
 * {p}:hist-meta:{channel}        hash   epoch, top: the history's epoch and last offset
 * {p}:resume:{connId}            hash   userId, channels of a closed or swept connection, for resume (TTL)
 * {p}:resume-used:{connId}       string the connection that used connId's resume token (TTL): a token works once
 * {p}:resume-secret              string the key resume tokens are signed with
 * </pre>
 */
public final class KeySchema {

    public static final String DEFAULT_PREFIX = "ws";
    private static final Pattern VALID_PREFIX = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private final String prefix;
    /**
     * The start of every channel and user topic name, made once: the node asks of every pub/sub
     * message whether its topic is one (several times per personal message), with no allocation.
     */
    private final String channelTopicHead;
    private final String userTopicHead;

    public KeySchema(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!VALID_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "key prefix must be 1-64 characters of [A-Za-z0-9_.-], was '" + prefix + "'");
        }
        this.prefix = prefix;
        this.channelTopicHead = prefix + ":ch:{";
        this.userTopicHead = prefix + ":to-user:{";
    }

    public static KeySchema defaults() {
        return new KeySchema(DEFAULT_PREFIX);
    }

    public static boolean isValidPrefix(String prefix) {
        return prefix != null && VALID_PREFIX.matcher(prefix).matches();
    }

    public String prefix() {
        return prefix;
    }

    public String nodes() {
        return prefix + ":nodes";
    }

    public String node(String nodeId) {
        return tagged("node", nodeId);
    }

    public String nodeConnections(String nodeId) {
        return node(nodeId) + ":conns";
    }

    public String nodeSweepLock(String nodeId) {
        return node(nodeId) + ":sweep";
    }

    /** Recent samples of one node's message counters (list, capped; read by the admin console). */
    public String nodeStats(String nodeId) {
        return node(nodeId) + ":stats";
    }

    /** Connection and user records are spread over this many event shards (changing it moves the keys). */
    public static final int EVENT_SHARDS = 16;

    /** The event shard of a connection id or user id: CRC32 of its UTF-8 bytes, modulo {@value #EVENT_SHARDS}. */
    public static int shardOf(String id) {
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % EVENT_SHARDS);
    }

    /** {@code <prefix>:<kind>:{s<k>}}: every key of one event shard shares that hash tag (one slot). */
    private String sharded(String kind, int shard) {
        if (shard < 0 || shard >= EVENT_SHARDS) {
            throw new IllegalArgumentException("no event shard " + shard);
        }
        return prefix + ":" + kind + ":{s" + shard + "}";
    }

    public String connection(String connectionId) {
        return sharded("conn", shardOf(connectionId)) + ":" + connectionId;
    }

    /** SCAN pattern of the connection hashes (it also matches their channel sets: see {@link #connectionIdOf}). */
    public String connectionPattern() {
        return prefix + ":conn:{s*}:*";
    }

    /** The connection id of a connection hash key, or null when the key is not one (e.g. a channel set). */
    public String connectionIdOf(String key) {
        String head = prefix + ":conn:{s";
        int close = key.indexOf("}:");
        if (!key.startsWith(head) || close < 0) {
            return null;
        }
        String id = key.substring(close + 2);
        return id.isEmpty() || id.indexOf(':') >= 0 || !key.equals(connection(id)) ? null : id;
    }

    public String connectionChannels(String connectionId) {
        return connection(connectionId) + ":channels";
    }

    public String channelMembers(String channel) {
        return tagged("chan", channel);
    }

    public String userConnections(String userId) {
        return sharded("user", shardOf(userId)) + ":" + userId;
    }

    /** The user's lifecycle state (hash: state on|left, the last connection and node, the stream cap), in the user's shard. */
    public String userPresence(String userId) {
        return sharded("presence", shardOf(userId)) + ":" + userId;
    }

    /** One shard of the bounded stream of lifecycle events (connected, disconnected, subscribed, ..., user_offline). */
    public String events(int shard) {
        return sharded("events", shard);
    }

    /** Every shard of the lifecycle stream, shard 0 first: a consumer reads them all. */
    public List<String> eventShards() {
        List<String> all = new ArrayList<>(EVENT_SHARDS);
        for (int shard = 0; shard < EVENT_SHARDS; shard++) {
            all.add(events(shard));
        }
        return all;
    }

    /** The users of one shard that have a registered connection (set); the online count sums their SCARDs. */
    public String onlineUsers(int shard) {
        return sharded("online", shard);
    }

    /** Users of one shard whose last socket left: userId -&gt; when user_offline is due (zset, Redis time in ms). */
    public String offlineDue(int shard) {
        return sharded("offline-due", shard);
    }

    public String ipConnections(String ip) {
        return tagged("ip", ip);
    }

    /** Pub/sub channel carrying broadcasts to {@code channel}. */
    public String channelTopic(String channel) {
        return tagged("ch", channel);
    }

    /** Pub/sub channel carrying messages for every connection of {@code userId}. */
    public String userTopic(String userId) {
        return tagged("to-user", userId);
    }

    /** Pub/sub channel carrying direct messages and commands for one node. */
    public String inbox(String nodeId) {
        return tagged("inbox", nodeId);
    }

    /** Latest state of one report (hash, written by the report producer, read by the nodes). */
    public String report(String reportId) {
        return tagged("report", reportId);
    }

    /** Recent data points of one report template (stream, bounded by the data producer). */
    public String reportData(String templateId) {
        return tagged("report-data", templateId);
    }

    /** Pub/sub channel on which a node tells the producer of a report that a client asked to cancel it. */
    public String reportCancelTopic(String reportId) {
        return tagged("report-cancel", reportId);
    }

    /** The report id inside a {@link #reportCancelTopic} name, or null if it is not one. */
    public String reportOfCancelTopic(String topic) {
        return tagOf(topic, "report-cancel");
    }

    /** The recent messages of a history channel (stream, entry ids 0-&lt;offset&gt;; HISTORY_RULES). */
    public String history(String channel) {
        return tagged("hist", channel);
    }

    /** A history channel's epoch and last offset (hash: epoch, top), in the channel's slot. */
    public String historyMeta(String channel) {
        return tagged("hist-meta", channel);
    }

    /** The channels a closed connection had, for a client that resumes (hash, with a TTL). */
    public String resume(String connectionId) {
        return tagged("resume", connectionId);
    }

    /** Pub/sub channel a node publishes to and listens on to prove its pub/sub connection works. */
    public String probe(String nodeId) {
        return tagged("probe", nodeId);
    }

    /**
     * Set (NX) by the resume that uses a connection's token, in the slot of {@link #resume}: a
     * token works once, however many nodes race with it (string, with a TTL).
     */
    public String resumeUsed(String connectionId) {
        return tagged("resume-used", connectionId);
    }

    /** The secret every node signs resume tokens with (string, created once with SET NX). */
    public String resumeSecret() {
        return prefix + ":resume-secret";
    }

    /** The channel name inside a {@link #channelTopic} name, or null if it is not one. */
    public String channelOfTopic(String topic) {
        return idAfter(topic, channelTopicHead);
    }

    /** The user id inside a {@link #userTopic} name, or null if it is not one. */
    public String userOfTopic(String topic) {
        return idAfter(topic, userTopicHead);
    }

    /** Whether {@code topic} is a {@link #userTopic} name (as {@code userOfTopic(topic) != null}, without the substring). */
    public boolean isUserTopic(String topic) {
        return isTagged(topic, userTopicHead);
    }

    /** {@code <prefix>:<kind>:{<id>}}: the id is the hash tag, so a key and its suffixed twins share a slot. */
    private String tagged(String kind, String id) {
        return prefix + ":" + kind + ":{" + id + "}";
    }

    /** The id inside a {@link #tagged} name of that kind, or null when the name is not one. */
    private String tagOf(String name, String kind) {
        return idAfter(name, prefix + ":" + kind + ":{");
    }

    /** The id between {@code head} and the closing brace, or null when {@code name} is not {@code head<id>}}. */
    private static String idAfter(String name, String head) {
        return isTagged(name, head) ? name.substring(head.length(), name.length() - 1) : null;
    }

    private static boolean isTagged(String name, String head) {
        return name.length() > head.length() + 1 && name.startsWith(head) && name.endsWith("}");
    }
}
