package com.aegisx.ws.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** How the sentinels' answer is compared with where a connection is: only a sure difference counts. */
class SentinelMasterWatchTest {

    private static final InetSocketAddress CONNECTED = new InetSocketAddress("127.0.0.1", 6380);

    @Test
    void theSameAddressByLiteralOrByNameIsTheMaster() {
        assertTrue(SentinelMasterWatch.sameAddress(InetSocketAddress.createUnresolved("127.0.0.1", 6380), CONNECTED));
        assertTrue(SentinelMasterWatch.sameAddress(InetSocketAddress.createUnresolved("localhost", 6380), CONNECTED));
    }

    @Test
    void anotherPortOrAnotherAddressIsNot() {
        assertFalse(SentinelMasterWatch.sameAddress(InetSocketAddress.createUnresolved("127.0.0.1", 6381), CONNECTED));
        assertFalse(SentinelMasterWatch.sameAddress(InetSocketAddress.createUnresolved("127.0.0.2", 6380), CONNECTED));
    }

    @Test
    void aNameThatDoesNotResolveIsNotTakenForAnotherMaster() {
        assertTrue(SentinelMasterWatch.sameAddress(
                InetSocketAddress.createUnresolved("no-such-host.invalid", 6380), CONNECTED));
    }
}
