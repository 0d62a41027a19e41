package com.aegisx.ws.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.tracing.Tracing;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @Test
    void aConnectionIsToldApartFromTheSentinelsOnTheEventExecutorsNotOnTheIoThreadThatReportsIt() throws Exception {
        // A sentinel known by name: telling its connections apart from the data ones resolves it.
        RedisURI target = RedisURI.Builder.sentinel("sentinel-a.test", 26379, "mymaster").build();
        List<Runnable> events = new ArrayList<>();
        List<String> resolved = new CopyOnWriteArrayList<>();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        SentinelMasterWatch watch = new SentinelMasterWatch(null, target, Duration.ofSeconds(1), events::add, host -> {
            resolved.add(host);
            return new InetAddress[] {loopback};
        });
        RedisChannelHandler<?, ?> toSentinel = connection();
        RedisChannelHandler<?, ?> toData = connection();
        RedisChannelHandler<?, ?> goneAtOnce = connection();

        // On the I/O thread that reports the connections (DNS may be down): nothing resolved there.
        watch.onRedisConnected(toSentinel, new InetSocketAddress(loopback, 26379));
        watch.onRedisConnected(toData, new InetSocketAddress(loopback, 6380));
        watch.onRedisConnected(goneAtOnce, new InetSocketAddress(loopback, 6381));
        watch.onRedisDisconnected(goneAtOnce);
        assertEquals(List.of(), resolved, "no host name resolved on the I/O thread");

        events.forEach(Runnable::run);
        assertEquals(List.of("sentinel-a.test"), resolved, "resolved on the event executors");
        assertFalse(watch.watches(toSentinel), "a sentinel's connection is not a data connection");
        assertTrue(watch.watches(toData), "a data connection is watched");
        assertFalse(watch.watches(goneAtOnce), "a connection gone before it was told apart is not watched");
    }

    /** A connection object, never connected (its writer and resources are stand-ins). */
    private static RedisChannelHandler<?, ?> connection() {
        ClientResources resources = stub(ClientResources.class, "tracing", Tracing.disabled());
        RedisChannelWriter writer = stub(RedisChannelWriter.class, "getClientResources", resources);
        return new RedisChannelHandler<String, String>(writer, Duration.ofSeconds(1)) { };
    }

    /** An interface whose method {@code name} returns {@code value}, and every other one null. */
    private static <T> T stub(Class<T> type, String name, Object value) {
        return type.cast(Proxy.newProxyInstance(SentinelMasterWatchTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> method.getName().equals(name) ? value : null));
    }
}
