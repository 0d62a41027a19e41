package com.aegisx.ws.server.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The boundaries of a read reach the listener around what the handlers after them do with it. */
class ReadBoundariesTest {

    @Test
    void aReadIsAnnouncedBeforeTheDecoderSeesItAndEndedAfter() {
        List<String> events = new CopyOnWriteArrayList<>();
        ReadBoundaries boundaries = new ReadBoundaries();
        boundaries.listener(new ReadBoundaries.Listener() {
            @Override
            public void readStarted() {
                events.add("started");
            }

            @Override
            public void readEnded() {
                events.add("ended");
            }
        });
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() { // stands for Lettuce's decoder
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                events.add("decoded " + msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                events.add("read complete");
            }
        });
        boundaries.afterChannelInitialized(channel);
        assertSame(boundaries, channel.pipeline().first(), "first in the pipeline, before any decoder");

        channel.pipeline().fireChannelRead("m1");
        channel.pipeline().fireChannelRead("m2");
        channel.pipeline().fireChannelReadComplete();
        assertEquals(List.of("started", "decoded m1", "started", "decoded m2", "ended", "read complete"), events);

        events.clear();
        channel.pipeline().fireChannelRead("m3");
        channel.close(); // closed in the middle of a read: what it held is still let go
        assertEquals(List.of("started", "decoded m3", "ended"), events);
    }
}
