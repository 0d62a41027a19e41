package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** The report stream route on a 3-master Redis Cluster. */
@ExtendWith(OnRedisCluster.class)
class ClusterReportStreamIT extends ReportStreamIT {
}
