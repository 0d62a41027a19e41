package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.HungRedis;
import com.aegisx.ws.server.testing.RedisSentinelFixture;
import com.aegisx.ws.server.testing.SteadyTraffic;
import com.aegisx.ws.server.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sentinel mode with a master that hangs instead of dying (SIGSTOP: it accepts connections and
 * answers nothing, as a stuck process or a paused VM). The sentinels promote the replica within
 * seconds, but Lettuce asks them for the master only when a connection breaks, and a connection to
 * a hung master does not break: the node and the publisher stayed on it, every command timed out
 * and no message was delivered for as long as the master hung (over 100 s in this test, then the
 * test gave up). They now follow the sentinels' answer, and delivery resumes on the same socket.
 */
class SentinelHungMasterIT {

    @Test
    void theNodeAndThePublisherLeaveAHungMasterForThePromotedReplica() throws Exception {
        try (RedisSentinelFixture sentinel = RedisSentinelFixture.start();
             TestCluster cluster = TestCluster.start(sentinel, 1, Map.of(), List.of())) {
            String channel = "sentinel:hung";
            TestClient socket = cluster.connect(0);
            socket.send(Map.of("type", "subscribe", "channel", channel));
            socket.nextOfType("subscribed");
            int oldMaster = sentinel.masterPort();
            String pid = HungRedis.pidOf(sentinel.master());
            try (SteadyTraffic traffic = new SteadyTraffic(cluster.publisher().async(), channel, 10)) {
                SteadyTraffic.awaitTicks(20, socket);
                HungRedis.stop(pid);
                try {
                    await("the sentinels promote the replica").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                            .until(() -> sentinel.masterPort() != oldMaster);
                    String account = traffic.awaitResumedAndComplete(traffic.nextSeq(), socket); // within 60 s
                    System.out.println("Sentinel failover of hung master " + oldMaster + ": " + account);
                } finally {
                    HungRedis.resume(pid);
                }
            }
            assertTrue(socket.isOpen(), "the socket stays open");
        }
    }
}
