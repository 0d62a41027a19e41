package com.aegisx.ws.server.core;

import java.nio.ByteBuffer;

/**
 * How a message of one channel is sent to one socket: as it is ({@link #DIRECT}), or through the
 * channel's {@link Conflation} when it is a latest-value channel. The fan-out hands the right one
 * to a route's {@link DeliveryInterceptor}, so a route that sends itself (under its own lock, to
 * keep its order) does not take conflation away from its sockets.
 */
@FunctionalInterface
public interface ChannelSend {

    /** Not a latest-value channel: every message is queued. */
    ChannelSend DIRECT = (member, channel, frame, replaceable) -> member.send(frame);

    /**
     * Sends {@code frame} (a message of {@code channel}) to {@code member}; true when it was queued.
     * {@code replaceable}: a newer message of the channel may take its place while the socket is
     * behind (a progress percentage); false for one that must arrive (a terminal event), which
     * is queued after whatever of the channel waits, never held or replaced.
     */
    boolean send(LocalConnection member, String channel, ByteBuffer frame, boolean replaceable);
}
