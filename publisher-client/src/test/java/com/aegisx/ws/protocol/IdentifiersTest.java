package com.aegisx.ws.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdentifiersTest {

    @Test
    void aConnectionIdNamesItsNode() {
        String id = Identifiers.newConnectionId("node-7");
        assertTrue(id.startsWith("ws_node-7_"));
        assertEquals("node-7", Identifiers.nodeOf(id));
        assertNull(Identifiers.nodeOf("something-else"));
        assertNull(Identifiers.nodeOf("ws__abc"));
        assertNull(Identifiers.nodeOf("ws_no{de}_abc"));
    }

    @Test
    void userIdsThatWouldBreakKeysAreRefused() {
        assertTrue(Identifiers.isValidUserId("auth0|5f1c@example.org"));
        assertFalse(Identifiers.isValidUserId("a{b}"));
        assertFalse(Identifiers.isValidUserId("has space"));
        assertFalse(Identifiers.isValidUserId(""));
        assertFalse(Identifiers.isValidUserId("x".repeat(200)));
    }

    @Test
    void keysCarryHashTagsAndChannelNamesAreChecked() {
        KeySchema keys = new KeySchema("ws");
        // Connection and user records carry their event shard's tag: one slot with that shard's stream.
        String shard = "{s" + KeySchema.shardOf("ws_n_1") + "}";
        assertEquals("ws:conn:" + shard + ":ws_n_1", keys.connection("ws_n_1"));
        assertEquals("ws:conn:" + shard + ":ws_n_1:channels", keys.connectionChannels("ws_n_1"));
        assertEquals("ws:events:" + shard, keys.events(KeySchema.shardOf("ws_n_1")));
        assertEquals("ws_n_1", keys.connectionIdOf(keys.connection("ws_n_1")));
        assertNull(keys.connectionIdOf(keys.connectionChannels("ws_n_1")));
        assertEquals("ws:user:{s" + KeySchema.shardOf("u:1") + "}:u:1", keys.userConnections("u:1"));
        assertEquals(KeySchema.EVENT_SHARDS, keys.eventShards().size());
        assertEquals("ws:ch:{reports:progress}", keys.channelTopic("reports:progress"));
        assertEquals("reports:progress", keys.channelOfTopic(keys.channelTopic("reports:progress")));
        assertEquals("u1", keys.userOfTopic(keys.userTopic("u1")));
        assertNull(keys.channelOfTopic(keys.userTopic("u1")));
        assertNull(keys.userOfTopic(keys.channelTopic("u1")));
        assertNull(keys.userOfTopic("ws:to-user:{}"), "an empty id is no user");
        assertNull(keys.userOfTopic("other:to-user:{u1}"), "another prefix's topic");
        assertTrue(keys.isUserTopic(keys.userTopic("u1")));
        assertFalse(keys.isUserTopic(keys.channelTopic("u1")));
        assertFalse(keys.isUserTopic("ws:to-user:{u1"));
        assertThrows(IllegalArgumentException.class, () -> new KeySchema("bad prefix"));

        assertTrue(ChannelNames.isValid("reports:progress:report-uuid"));
        assertTrue(ChannelNames.isValid("user:user-uuid:alerts"));
        assertFalse(ChannelNames.isValid("a::b"));
        assertFalse(ChannelNames.isValid("a:{b}"));
        assertFalse(ChannelNames.isValid(":a"));
        assertFalse(ChannelNames.isValid("a b"));
    }

    @Test
    void nodeCommandsRoundTripAndMalformedOnesAreRefused() {
        NodeCommand subscribe = NodeCommand.decode(NodeCommand.subscribe("ws_n_1", "c:1").encode());
        assertEquals(NodeCommand.Op.SUBSCRIBE, subscribe.op());
        assertEquals("c:1", subscribe.channel());
        NodeCommand disconnect = NodeCommand.decode(NodeCommand.disconnect("ws_n_1", 4002, "bye").encode());
        assertEquals(4002, disconnect.code());
        assertThrows(IllegalArgumentException.class, () -> NodeCommand.decode("{\"op\":\"explode\"}"));
        assertThrows(IllegalArgumentException.class, () -> NodeCommand.decode("{\"op\":\"send\",\"connectionId\":\"x\"}"));
        assertThrows(IllegalArgumentException.class, () -> NodeCommand.decode("{\"op\":\"subscribe\",\"connectionId\":\"x\"}"));
    }
}
