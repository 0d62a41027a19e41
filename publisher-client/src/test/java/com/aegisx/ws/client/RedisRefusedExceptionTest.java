package com.aegisx.ws.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lettuce.core.RedisConnectionException;
import io.netty.handler.ssl.SslClosedEngineException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * A TLS refusal is a handshake the peers could not agree on (an untrusted certificate, a missing
 * client certificate), not a connection the server closed or reset in the middle of the handshake:
 * netty reports that as an SSLException too (seen from a resetting peer in SentinelTlsIT), and
 * naming the TLS settings for it would send the operator to the wrong place.
 */
class RedisRefusedExceptionTest {

    private static final RedisTarget TARGET = RedisTarget.parse("rediss://ws-node:pw@127.0.0.1:6380");

    @Test
    void anUntrustedCertificateIsATlsRefusal() {
        RedisRefusedException refused = RedisRefusedException.explain(TARGET, new RedisConnectionException(
                "Unable to connect to 127.0.0.1/<unresolved>:6380", new SSLHandshakeException(
                        "PKIX path building failed: unable to find valid certification path to requested target")));
        assertEquals(RedisRefusedException.Reason.TLS, refused.reason());
    }

    @Test
    void aConnectionClosedDuringTheTlsHandshakeIsNoRefusal() {
        assertNull(RedisRefusedException.explain(TARGET, new RedisConnectionException(
                "Unable to connect to 127.0.0.1/<unresolved>:6380", new SslClosedEngineException("SSLEngine closed already"))));
        // netty's SslHandler.channelInactive: ClosedChannelException, the handshake's end as suppressed
        ClosedChannelException closed = new ClosedChannelException();
        closed.addSuppressed(new SSLHandshakeException("Connection closed while SSL/TLS handshake was in progress"));
        assertNull(RedisRefusedException.explain(TARGET,
                new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:6380", closed)));
    }
}
