package com.aegisx.ws.server.events;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lifecycle stream on a 3-master Redis Cluster: the index scripts with their events (one slot
 * each), the offline-due sweep, and the consumer helper reading the 16 shards across masters.
 */
@ExtendWith(OnRedisCluster.class)
class ClusterLifecycleEventsIT extends LifecycleEventsIT {
}
