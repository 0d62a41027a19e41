package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** The report progress route and producer API on a 3-master Redis Cluster. */
@ExtendWith(OnRedisCluster.class)
class ClusterReportProgressIT extends ReportProgressIT {
}
