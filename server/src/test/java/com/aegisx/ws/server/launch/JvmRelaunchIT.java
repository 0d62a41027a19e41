package com.aegisx.ws.server.launch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.RedisExtension;
import com.aegisx.ws.server.testing.NodeStartLine;
import com.aegisx.ws.server.testing.RedisFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The packaged jar, started as a user starts it, runs the node in a child JVM with NODE_JVM_OPTIONS. */
@ExtendWith(RedisExtension.class)
class JvmRelaunchIT {

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "ws-server.jar");
    /** Cheap options that are easy to find on the child's command line. */
    private static final String WANTED = "-XX:+UseSerialGC -XX:MaxNewSize=16m";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process parent;
    private Path log;

    @AfterEach
    void stop() throws Exception {
        if (parent != null) {
            parent.descendants().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly();
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private int start(RedisFixture redis, String... jvmOptions) throws Exception {
        return startWith(redis, WANTED, jvmOptions);
    }

    /** {@code wanted}: NODE_JVM_OPTIONS, or null for the node's default. */
    private int startWith(RedisFixture redis, String wanted, String... jvmOptions) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after package: " + JAR.toAbsolutePath());
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", JAR.toString()));
        log = Files.createTempFile("jvm-relaunch-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Port 0, read back from the node's startup line: a port picked here could be taken by
        // another test JVM before the node binds it, and /ready would then answer from that JVM.
        builder.environment().put("PORT", "0");
        builder.environment().put("LOG_LEVEL", "INFO");
        builder.environment().put("MANAGEMENT_PORT", "0");
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().put("REDIS_URL", redis.url());
        builder.environment().put("REDIS_KEY_PREFIX", redis.uniquePrefix());
        if (wanted != null) {
            builder.environment().put("NODE_JVM_OPTIONS", wanted);
        } else {
            builder.environment().remove("NODE_JVM_OPTIONS");
        }
        parent = builder.start();
        int port = NodeStartLine.awaitPort(log, null, parent);
        URI ready = URI.create("http://127.0.0.1:" + port + "/ready");
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200);
        return port;
    }

    private List<ProcessHandle> children() {
        return parent.children().toList();
    }

    private static List<String> arguments(ProcessHandle process) {
        return List.of(process.info().arguments().orElse(new String[0]));
    }

    @Test
    void aPlainJavaJarRunsTheNodeInAChildWithTheWantedOptionsAndStopsItOnSigterm(RedisFixture redis) throws Exception {
        start(redis);
        List<ProcessHandle> children = children();
        assertEquals(1, children.size(), "one node JVM under the launcher");
        List<String> args = arguments(children.get(0));
        assertTrue(args.containsAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:MaxNewSize=16m",
                "-Dws.node.relaunched=true")), args.toString());
        ProcessHandle child = children.get(0);

        parent.destroy(); // SIGTERM, as docker stop or systemd send it
        assertTrue(parent.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS), "launcher ended");
        await().atMost(STARTUP).until(() -> !child.isAlive());
    }

    @Test
    void byDefaultTheChildRunsWithParallelGcAndTrimsItsNativeHeap(RedisFixture redis) throws Exception {
        startWith(redis, null);
        List<ProcessHandle> children = children();
        assertEquals(1, children.size(), "one node JVM under the launcher");
        // The child accepted every default option: it started and answers /ready (start() waited for it).
        assertTrue(arguments(children.get(0)).containsAll(List.of("-XX:+UseParallelGC", "-XX:MaxNewSize=64m",
                "-XX:TrimNativeHeapInterval=1000")), arguments(children.get(0)).toString());
    }

    @Test
    void theNodeEndsWhenItsLauncherIsKilled(RedisFixture redis) throws Exception {
        start(redis);
        ProcessHandle child = children().get(0);

        parent.destroyForcibly(); // SIGKILL: no hook runs in the launcher
        await().atMost(STARTUP).until(() -> !child.isAlive());
    }

    @Test
    void aGarbageCollectorNamedOnTheCommandLineKeepsTheNodeInThatJvm(RedisFixture redis) throws Exception {
        start(redis, "-XX:+UseG1GC");
        assertTrue(children().stream().noneMatch(c -> arguments(c).contains("-Dws.node.relaunched=true")),
                "no node JVM started under it");
    }
}
