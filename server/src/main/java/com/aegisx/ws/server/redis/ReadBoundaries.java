package com.aegisx.ws.server.redis;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Tells a {@link Listener} where each read of a Lettuce connection begins and ends, on the
 * connection's event loop. Lettuce decodes a read's messages, and calls the pub/sub listeners, inside
 * {@code channelRead}; Netty fires {@code channelReadComplete} once the read is done (also after a
 * failed read). So work a read's messages cause can be held and done together at its end: the
 * {@link PubSubDispatcher} writes a read's personal messages back to back there.
 *
 * <p>Installed first in the pipeline of every channel Lettuce opens with these client resources
 * (commands and pub/sub, reconnects included); for a channel that is not a pub/sub one the
 * listener finds nothing held. Events of one channel run on its event loop, one at a time, so
 * "inside a read" is a property of the calling thread.
 */
@ChannelHandler.Sharable
final class ReadBoundaries extends ChannelInboundHandlerAdapter implements NettyCustomizer {

    static final String HANDLER_NAME = "ws-read-boundaries";

    /** Called on the event loop thread of the channel being read. */
    interface Listener {
        /** A read began on the calling thread (called again for each chunk of the same read). */
        void readStarted();

        /** The read on the calling thread ended (or its channel closed): do what was held for it. */
        void readEnded();
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void readStarted() {
        }

        @Override
        public void readEnded() {
        }
    };

    private volatile Listener listener = NONE;

    /** Where the boundaries go from now on (the dispatcher, once it exists). */
    void listener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void afterChannelInitialized(Channel channel) {
        channel.pipeline().addFirst(HANDLER_NAME, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        listener.readStarted();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            listener.readEnded();
        } finally {
            ctx.fireChannelReadComplete();
        }
    }

    /** A channel that closes in the middle of a read still has its messages delivered. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            listener.readEnded();
        } finally {
            super.channelInactive(ctx);
        }
    }
}
