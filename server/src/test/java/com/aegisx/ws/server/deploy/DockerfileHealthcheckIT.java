package com.aegisx.ws.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.aegisx.ws.server.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image's HEALTHCHECK asks a real node's readiness: healthy while the node serves, unhealthy
 * once it is gone. (Its reading of the status line: {@link DockerfileHealthcheckTest}.)
 */
class DockerfileHealthcheckIT {

    @Test
    void aServingNodeIsHealthyAndAStoppedOneIsNot() throws Exception {
        String port;
        try (TestCluster cluster = TestCluster.start(1)) {
            port = Integer.toString(cluster.node(0).managementPort());
            assertEquals(0, DockerHealthcheck.run(Map.of("MANAGEMENT_PORT", port)), "a ready node is healthy");
            assertEquals(0, DockerHealthcheck.run(Map.of("MANAGEMENT_PORT", port, "MANAGEMENT_HOST", "0.0.0.0")),
                    "with MANAGEMENT_HOST=0.0.0.0 too (compose, opened for a Prometheus on its network)");
        }
        assertNotEquals(0, DockerHealthcheck.run(Map.of("MANAGEMENT_PORT", port)), "a stopped node is unhealthy");
    }
}
