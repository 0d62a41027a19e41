package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.server.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Two nodes serving the report routes, and a producer that reaches them through Redis only. */
abstract class TwoNodeReportsBase {

    static TestCluster cluster;
    static ReportProducer producer;

    @BeforeAll
    static void startNodesAndProducer() throws Exception {
        cluster = TestCluster.start(2, Map.of(), ReportRoutes.all());
        producer = ReportProducer.connect(cluster.redisUrl(),
                PublisherOptions.builder().keyPrefix(cluster.prefix()).build());
    }

    @AfterAll
    static void stopNodesAndProducer() {
        producer.close();
        cluster.close();
    }
}
