package com.aegisx.ws.server.core;

import java.nio.ByteBuffer;

/**
 * Port: the way out of one socket. The core hands it ready UTF-8 text frames and never blocks on
 * it; the transport adapter ({@code jetty/OutboundWriter}) queues them, bounds what may wait, and
 * reports a slow consumer itself. Every method may be called from any thread.
 */
public interface Outbound {

    /**
     * Queues one text frame; false when it was refused (socket closing or its queue over its bound).
     * The buffer may be shared by many sockets: an implementation reads it through its own view and
     * never changes it, and the caller never changes its bytes once handed over (an implementation
     * may recognise a buffer it framed before by identity and reuse that frame). {@code batch}: the
     * frame may wait for the next one sent without it, and both leave in one write; a caller
     * passing true must send another frame, from the same thread.
     */
    boolean send(ByteBuffer utf8, boolean batch);

    /** A protocol-level ping (keeps idle sockets alive through proxies). */
    void ping();

    /** Starts a close handshake without blocking; frames are refused from now on. */
    void close(int code, String reason);

    /** Cuts the connection without a handshake (a peer that stopped reading). */
    void abort();

    /** False once the socket is closing or closed. */
    boolean isOpen();

    /** Bytes queued and not yet written (gauges only). */
    long queuedBytes();
}
