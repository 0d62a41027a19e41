package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.ChannelPattern;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.NodeCommand;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.metrics.FanoutMetrics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The fan-out core on fake ports: no Redis, no Jetty, milliseconds. */
class FanOutTest {

    private static final String NODE = "node-a";
    private final KeySchema keys = new KeySchema("t");
    private final FakeBroker broker = new FakeBroker();
    private final FakeIndex index = new FakeIndex();
    private final TopicSubscriptions topics = new TopicSubscriptions(broker);
    private final ConnectionHub hub = new ConnectionHub(NODE, keys, index, topics, Duration.ofMinutes(5));
    private final AtomicInteger delivered = new AtomicInteger();
    private final FanOut fanOut = new FanOut(keys, NODE, topics, new NodeCommands(hub), new FanoutMetrics() {
        @Override
        public void onDelivered(int sockets, int frameBytes) {
            delivered.addAndGet(sockets);
        }
    });

    private final List<FakeOutbound> outbounds = new ArrayList<>();

    private LocalConnection open(String id, String... channels) {
        FakeOutbound outbound = new FakeOutbound();
        outbounds.add(outbound);
        LocalConnection connection = new LocalConnection(id, "main", outbound, new Identity(id, java.util.Set.of(), null),
                "127.0.0.1", "");
        hub.open(connection).join();
        for (String channel : channels) {
            hub.subscribe(connection, channel).join();
        }
        return connection;
    }

    /** A message with a type and a number {@code n} (shared with FanOutSplitTest). */
    static String message(String type, int n) {
        ObjectNode message = Json.object();
        message.put("type", type);
        message.put("n", n);
        return WireFormat.encode(message, null, null);
    }

    /** The {@code n} of every frame a connection of FakeOutbound got, in order (shared with FanOutSplitTest). */
    static List<Integer> numbers(LocalConnection connection) {
        List<Integer> out = new ArrayList<>();
        for (String frame : ((FakeOutbound) connection.outbound()).frames()) {
            out.add(Json.parseObject(frame).path("n").asInt(-1));
        }
        return out;
    }

    @Test
    void everyMemberGetsEveryMessageInOrderAcrossBatches() {
        List<LocalConnection> members = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // 10 >= the direct-buffer threshold: the shared-frame path
            members.add(open("ws_" + i, "news"));
        }
        LocalConnection other = open("ws_other", "sport");
        fanOut.onMessages(keys.channelTopic("news"), List.of(message("m", 1), message("m", 2), message("m", 3)));
        fanOut.onMessages(keys.channelTopic("news"), List.of(message("m", 4)));
        fanOut.onMessages(keys.channelTopic("news"), List.of(message("m", 5), message("m", 6)));
        for (LocalConnection member : members) {
            assertEquals(List.of(1, 2, 3, 4, 5, 6), numbers(member), member.id());
        }
        assertEquals(List.of(), numbers(other), "another channel's socket gets nothing");
        assertEquals(60, delivered.get());
        String frame = ((FakeOutbound) members.get(0).outbound()).frames().get(0);
        assertEquals("news", Json.parseObject(frame).path("channel").asText(), "stamped with its channel");
        assertTrue(Json.parseObject(frame).has("timestamp"));
    }

    @Test
    void anExcludedConnectionIsSkippedAndOnlyIt() {
        LocalConnection a = open("ws_a", "room");
        LocalConnection b = open("ws_b", "room");
        ObjectNode message = Json.object().put("type", "chat").put("n", 7);
        fanOut.onMessages(keys.channelTopic("room"), List.of(WireFormat.encode(message, "room", "ws_a"),
                message("chat", 8)));
        assertEquals(List.of(8), numbers(a));
        assertEquals(List.of(7, 8), numbers(b));
    }

    @Test
    void anInterceptorTakesOverItsSocketOnly() {
        LocalConnection plain = open("ws_plain", "feed");
        LocalConnection filtered = open("ws_filtered", "feed");
        filtered.interceptor((connection, channel, message, frame, send) -> message.path("n").asInt() % 2 == 1); // drops odd
        fanOut.onMessages(keys.channelTopic("feed"), List.of(message("m", 1), message("m", 2), message("m", 3),
                message("m", 4)));
        assertEquals(List.of(1, 2, 3, 4), numbers(plain));
        assertEquals(List.of(2, 4), numbers(filtered));
    }

    @Test
    void socketsWithAnInterceptorAreConflatedOnALatestValueChannelToo() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        try {
            Conflation conflation = new Conflation(List.of(ChannelPattern.of("dash:**")), 1_000, timer);
            fanOut.conflation(conflation);
            // One sends itself (as the progress route does, under its own lock), one leaves it to the fan-out.
            LocalConnection sending = open("ws_sending", "dash:x");
            sending.interceptor((connection, channel, message, frame, send) ->
                    send.send(connection, channel, frame, true) || true);
            LocalConnection passing = open("ws_passing", "dash:x");
            passing.interceptor((connection, channel, message, frame, send) -> false);
            LocalConnection plain = open("ws_plain", "news");
            plain.interceptor((connection, channel, message, frame, send) -> false);
            for (LocalConnection behind : List.of(sending, passing, plain)) {
                ((FakeOutbound) behind.outbound()).queued(1_001);
            }
            fanOut.onMessages(keys.channelTopic("dash:x"), List.of(message("m", 1), message("m", 2)));
            fanOut.onMessages(keys.channelTopic("dash:x"), List.of(message("m", 3)));
            fanOut.onMessages(keys.channelTopic("news"), List.of(message("m", 1), message("m", 2)));
            assertEquals(List.of(), numbers(sending), "held while behind");
            assertEquals(List.of(), numbers(passing), "held while behind");
            assertEquals(List.of(1, 2), numbers(plain), "not a latest-value channel: every message");

            ((FakeOutbound) sending.outbound()).queued(0);
            ((FakeOutbound) passing.outbound()).queued(0);
            conflation.flush();
            assertEquals(List.of(3), numbers(sending), "the newest only");
            assertEquals(List.of(3), numbers(passing), "the newest only");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aSlowSocketThatRefusesFramesDoesNotHoldUpTheOthers() {
        LocalConnection slow = open("ws_slow", "feed");
        LocalConnection fast = open("ws_fast", "feed");
        ((FakeOutbound) slow.outbound()).refuse();
        fanOut.onMessages(keys.channelTopic("feed"), List.of(message("m", 1), message("m", 2)));
        assertEquals(List.of(), numbers(slow));
        assertEquals(List.of(1, 2), numbers(fast));
        assertEquals(2, delivered.get(), "only written frames are counted");
    }

    @Test
    void aThrowingMemberNeverCutsTheFanOutShort() {
        List<LocalConnection> members = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            members.add(open("ws_" + i, "feed"));
        }
        members.get(2).interceptor((connection, channel, message, frame, send) -> {
            throw new IllegalStateException("a route bug");
        });
        fanOut.onMessages(keys.channelTopic("feed"), List.of(message("m", 1)));
        for (int i = 0; i < 5; i++) {
            assertEquals(i == 2 ? List.of() : List.of(1), numbers(members.get(i)), "member " + i);
        }
        assertEquals(1, fanOut.memberFailures());
    }

    @Test
    void aMalformedPayloadIsDroppedAndCountedAndTheRestOfTheBatchGoesOut() {
        LocalConnection a = open("ws_a", "feed");
        fanOut.onMessages(keys.channelTopic("feed"), List.of("not json", message("m", 1), "[1,2]"));
        assertEquals(List.of(1), numbers(a));
        assertEquals(2, fanOut.malformedPayloads());
    }

    @Test
    void userTopicsReachEverySocketOfTheUser() {
        LocalConnection first = open("alice");
        fanOut.onMessages(keys.userTopic("alice"), List.of(message("dm", 1)));
        assertEquals(List.of(1), numbers(first));
    }

    @Test
    void inboxCommandsSubscribeSendAndDisconnect() {
        LocalConnection a = open("ws_a");
        String inbox = keys.inbox(NODE);
        fanOut.onMessages(inbox, List.of(NodeCommand.subscribe("ws_a", "alerts").encode()));
        assertTrue(a.channels().contains("alerts"));
        assertTrue(((FakeOutbound) a.outbound()).frames().get(0).contains("\"by\":\"server\""));
        fanOut.onMessages(inbox, List.of(NodeCommand.send("ws_a", Json.object().put("type", "dm").put("n", 3)).encode(),
                "garbage", NodeCommand.disconnect("ws_a", 4001, "bye").encode()));
        assertEquals(3, Json.parseObject(((FakeOutbound) a.outbound()).frames().get(1)).path("n").asInt());
        assertEquals(4001, ((FakeOutbound) a.outbound()).closeCode());
        assertEquals(1, fanOut.malformedPayloads());
    }
}
