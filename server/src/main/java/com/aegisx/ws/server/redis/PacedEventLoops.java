package com.aegisx.ws.server.redis;

import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lettuce's event loops, each with its reads paced ({@link PacedIoHandler}) while they come less
 * than {@code REDIS_READ_BATCH_MICROS} apart. Only Netty's NIO transport (what Lettuce uses here,
 * no native transport on the class path) is paced; any other transport, and Lettuce's computation
 * threads, are Lettuce's defaults.
 */
final class PacedEventLoops extends DefaultEventLoopGroupProvider {

    private static final String THREAD_PREFIX = "lettuce-nioEventLoop";
    private final long windowNanos;
    private final AtomicLong pauses = new AtomicLong();

    /** {@code windowMicros}: the pacing window, above 0. */
    PacedEventLoops(int windowMicros) {
        super(DefaultClientResources.DEFAULT_IO_THREADS);
        if (windowMicros <= 0) {
            throw new IllegalArgumentException("windowMicros must be above 0: " + windowMicros);
        }
        this.windowNanos = TimeUnit.MICROSECONDS.toNanos(windowMicros);
    }

    @Override
    protected <T extends EventLoopGroup> EventExecutorGroup doCreateEventLoopGroup(Class<T> type, int threads,
            io.lettuce.core.resource.ThreadFactoryProvider threadFactories) { // not the inherited nested type
        if (!MultiThreadIoEventLoopGroup.class.equals(type) || Transports.socketChannelClass() != NioSocketChannel.class) {
            return super.doCreateEventLoopGroup(type, threads, threadFactories);
        }
        IoHandlerFactory nio = NioIoHandler.newFactory();
        IoHandlerFactory paced = executor -> new PacedIoHandler(nio.newHandler(executor), windowNanos,
                PacedIoHandler.Pause.PARK, pauses);
        return new MultiThreadIoEventLoopGroup(threads, threadFactories.getThreadFactory(THREAD_PREFIX), paced);
    }

    /** Pauses the loops took to gather reads since start. */
    long pauses() {
        return pauses.get();
    }
}
