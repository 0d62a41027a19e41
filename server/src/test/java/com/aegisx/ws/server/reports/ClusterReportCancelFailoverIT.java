package com.aegisx.ws.server.reports;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.reports.CancelRequest;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.OnRedisCluster;
import com.aegisx.ws.server.testing.RedisClusterFixture;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The report producer's cancel subscription on a Redis Cluster survives a failover of the master
 * that owns its cancel topic's slot: a client's cancel after the promotion still reaches the
 * producer's callback (sharded pub/sub: the subscription lived on the dead master).
 */
@ExtendWith(OnRedisCluster.class)
class ClusterReportCancelFailoverIT extends TwoNodeReportsBase {

    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void aCancelAfterAFailoverOfTheCancelTopicsMasterReachesTheProducer() throws Exception {
        RedisClusterFixture redis = RedisClusterFixture.shared();
        String reportId = "report-" + UUID.randomUUID();
        producer.register(reportId, "alice", "tpl-sales");
        CompletableFuture<CancelRequest> callback = new CompletableFuture<>();
        producer.onCancel(reportId, callback::complete);
        String topic = cluster.keys().reportCancelTopic(reportId);
        int victim = redis.ownerOf(topic);
        double failoversBefore = TestCluster.counter(cluster.node(0), "ws_redis_failovers_total");
        int promoted = redis.failOver(victim);
        try {
            await("the producer listens again on the promoted master " + promoted).atMost(SETTLE).ignoreExceptions()
                    .until(() -> redis.node(promoted).pubsubShardNumsub(topic).getOrDefault(topic, 0L) == 1);
            // A socket accepted before the node has noticed the failover is closed 1013 (its
            // registration goes to the dead master), and /ready may still say 200 until the node
            // notices: wait for the node to have followed the failover, then for /ready.
            await("node 0 followed the failover").atMost(SETTLE).until(() ->
                    TestCluster.counter(cluster.node(0), "ws_redis_failovers_total") > failoversBefore);
            await("node ready after the failover").atMost(SETTLE).until(() -> cluster.node(0).isReady());
            TestClient owner = cluster.connect(0, "/api/v1/reports/progress/" + reportId, TestCluster.token("alice"));
            JsonNode ack = owner.sendAndAwaitReply(Map.of("type", "cancel_report", "id", "c1"));
            assertEquals("cancel_requested", ack.path("type").asText(), ack.toString());
            assertEquals(true, ack.path("data").path("producerListening").asBoolean(), ack.toString());
            await("the producer's cancel callback").atMost(SETTLE).until(callback::isDone);
            assertEquals("alice", callback.get().requestedBy());
        } finally {
            redis.restore(victim);
        }
    }
}
