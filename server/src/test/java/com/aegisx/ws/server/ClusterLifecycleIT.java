package com.aegisx.ws.server;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** The lifecycle suite (index cleanup, the dead-node sweep, inactivity, shutdown, manual cleanup) on a 3-master Redis Cluster: the node zset, the sweeper and every index work across shards. */
@ExtendWith(OnRedisCluster.class)
class ClusterLifecycleIT extends LifecycleIT {
}
