package com.aegisx.ws.server;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every manager operation, routing and query of {@link MultiNodeIT}, on a 3-master Redis Cluster. */
@ExtendWith(OnRedisCluster.class)
class ClusterMultiNodeIT extends MultiNodeIT {
}
