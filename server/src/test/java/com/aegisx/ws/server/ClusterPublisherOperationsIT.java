package com.aegisx.ws.server;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** The publisher client's user and connection operations (online count, disconnects) on a 3-master Redis Cluster. */
@ExtendWith(OnRedisCluster.class)
class ClusterPublisherOperationsIT extends PublisherOperationsIT {
}
