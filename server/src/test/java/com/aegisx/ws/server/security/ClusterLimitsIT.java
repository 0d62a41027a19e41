package com.aegisx.ws.server.security;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** The limits suite (subscriptions, payload, channel names, rate, cluster-wide connection limits per user and address) on a 3-master Redis Cluster. */
@ExtendWith(OnRedisCluster.class)
class ClusterLimitsIT extends LimitsIT {
}
