package com.aegisx.ws.server.history;

import com.aegisx.ws.server.testing.OnRedisCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link HistoryRecoveryIT} on a 3-master Redis Cluster: the history script appends and SPUBLISHes in the channel's slot. */
@ExtendWith(OnRedisCluster.class)
class ClusterHistoryRecoveryIT extends HistoryRecoveryIT {
}
