package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class IpLiteralTest {

    @Test
    void addressLiteralsAreRead() {
        assertEquals("10.0.0.1", IpLiteral.parse("10.0.0.1").getHostAddress());
        assertEquals("0:0:0:0:0:0:0:1", IpLiteral.parse("::1").getHostAddress());
        assertEquals("fe80:0:0:0:0:0:0:1%1", IpLiteral.parse("fe80::1%1").getHostAddress());
    }

    @Test
    void anythingElseIsNotAnAddressAndNeverLookedUp() {
        // 999.0.0.1 used to reach InetAddress.getByName, which looks such a quad up as a host name
        assertNull(IpLiteral.parse("999.0.0.1"));
        assertNull(IpLiteral.parse("256.1.1.1"));
        assertNull(IpLiteral.parse("example.com"));
        assertNull(IpLiteral.parse("1:2"));
        assertNull(IpLiteral.parse("fe80::1%nosuchinterface"));
        assertNull(IpLiteral.parse(""));
    }
}
