package com.aegisx.ws.server.testing;

import com.aegisx.ws.server.TestCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(OnRedisCluster.class)} on a subclass of a multi-node suite re-runs all of its
 * tests with the nodes on the shared 3-master Redis Cluster ({@link RedisClusterFixture#shared()})
 * instead of the standalone Redis. It switches before any {@code @BeforeAll} of the suite runs.
 */
public final class OnRedisCluster implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        RedisClusterFixture.shared(); // start it here: a skip or failure belongs to the class
        TestCluster.useBackend(RedisClusterFixture::shared);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestCluster.useDefaultBackend();
    }
}
