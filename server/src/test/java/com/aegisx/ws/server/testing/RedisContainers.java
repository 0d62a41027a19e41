package com.aegisx.ws.server.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The only class that touches Testcontainers, so that a missing or broken Docker setup can at
 * worst fail the probe below, which callers treat as "no Docker".
 */
final class RedisContainers {

    private static final int REDIS_PORT = 6379;
    private static final long PROBE_TIMEOUT_SECONDS = 20;

    private RedisContainers() {
    }

    /**
     * Asks Testcontainers whether a Docker engine is usable. Runs on a daemon thread with a
     * timeout because the probe talks to sockets that may hang, and swallows everything because
     * "no Docker" must just mean "try the next way".
     */
    static boolean dockerAvailable() {
        try {
            CompletableFuture<Boolean> probe = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    probe.complete(DockerClientFactory.instance().isDockerAvailable());
                } catch (Throwable t) {
                    probe.complete(false);
                }
            }, "docker-probe");
            thread.setDaemon(true);
            thread.start();
            return probe.get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Throwable t) {
            return false;
        }
    }

    /** Starts {@code redis:7}; the returned handle stops it. Ryuk also removes it if the JVM dies. */
    static Started start(String password) {
        List<String> command = new ArrayList<>(List.of("redis-server", "--save", "", "--appendonly", "no"));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7"))
                .withExposedPorts(REDIS_PORT)
                .withCommand(command.toArray(String[]::new));
        container.start();
        return new Started(container.getHost(), container.getMappedPort(REDIS_PORT), container::stop);
    }

    record Started(String host, int port, Runnable stop) {
    }
}
