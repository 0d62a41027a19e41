package com.aegisx.ws.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UpgradeGateTest {

    @Test
    void theTokenParameterIsRemovedAndTheRestKeptInOrder() {
        assertNull(UpgradeGate.queryWithout("token=abc.def.ghi", "token"));
        assertEquals("a=1&b=2", UpgradeGate.queryWithout("a=1&token=x&b=2", "token"));
        assertEquals("a=1", UpgradeGate.queryWithout("token=x&a=1&token=y", "token"));
        assertNull(UpgradeGate.queryWithout("token", "token"), "a name without a value is a parameter too");
    }

    @Test
    void namesAreComparedDecodedAsJettyReadsThem() {
        assertNull(UpgradeGate.queryWithout("%74oken=x", "token"));
        assertEquals("tokens=x&xtoken=y", UpgradeGate.queryWithout("tokens=x&xtoken=y", "token"));
        assertEquals("bad=%zz", UpgradeGate.queryWithout("bad=%zz&token=x", "token"));
    }

    @Test
    void aQueryWithoutTheParameterIsReturnedAsIs() {
        String query = "a=1&b=2";
        assertSame(query, UpgradeGate.queryWithout(query, "token"));
        assertNull(UpgradeGate.queryWithout(null, "token"));
        assertEquals("", UpgradeGate.queryWithout("", "token"));
    }

    @Test
    void websocketAnywhereInTheUpgradeListIsAnUpgrade() {
        assertTrue(UpgradeGate.isWebSocketUpgrade("websocket"));
        assertTrue(UpgradeGate.isWebSocketUpgrade("WebSocket"));
        assertTrue(UpgradeGate.isWebSocketUpgrade("h2c, websocket"));
        assertFalse(UpgradeGate.isWebSocketUpgrade("h2c"));
        assertFalse(UpgradeGate.isWebSocketUpgrade(null));
    }

    @Test
    void ticketsAreBounded() {
        UpgradeTickets tickets = new UpgradeTickets(2);
        UpgradeTicket ticket = new UpgradeTicket(com.aegisx.ws.server.auth.Identity.anonymous(), "1.2.3.4", "", 0, "c");
        String first = tickets.issue(ticket);
        assertNotNull(first);
        assertNotNull(tickets.issue(ticket));
        assertNull(tickets.issue(ticket), "a third upgrade in flight is refused");
        assertSame(ticket, tickets.take(first));
        assertNotNull(tickets.issue(ticket), "taking one back makes room");
    }
}
