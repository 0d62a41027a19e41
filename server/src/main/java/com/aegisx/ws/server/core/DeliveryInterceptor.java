package com.aegisx.ws.server.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;

/**
 * Lets a route take over delivery of channel messages to one socket (filtering, conflating),
 * instead of the shared frame being written as it is. Runs on the channel's dispatch worker.
 * A route that sends the frame itself sends it through {@code send}: on a latest-value channel
 * that is the channel's conflation, which a plain {@link LocalConnection#send} would bypass.
 */
@FunctionalInterface
public interface DeliveryInterceptor {

    /** Returns true when it handled the message itself; false sends the shared frame (as {@code send} would, replaceable). */
    boolean intercept(LocalConnection connection, String channel, ObjectNode message, ByteBuffer encoded,
                      ChannelSend send);
}
