package com.aegisx.ws.server.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmRelaunchTest {

    private static final List<String> WANTED = List.of("-XX:+UseParallelGC", "-XX:MaxNewSize=64m");
    private static final String[] ARGS = {"a1"};

    @Test
    void aCommandLineWithoutGcChoiceGetsAChildWithTheSameOptionsPlusTheWantedOnes() {
        List<String> command = JvmRelaunch.childCommand(WANTED, List.of("-Xmx512m", "-Dx=y"), "/jdk",
                "ws-server.jar", "com.example.Main", ARGS, false).orElseThrow();
        assertEquals(List.of(Path.of("/jdk", "bin", "java").toString(), "-Xmx512m", "-Dx=y",
                "-XX:+UseParallelGC", "-XX:MaxNewSize=64m", "-D" + JvmRelaunch.RELAUNCHED_PROPERTY + "=true",
                "-cp", "ws-server.jar", "com.example.Main", "a1"), command);
    }

    @Test
    void packagesOpenToTheNodeHereAreOpenedInTheChildToo() {
        // the test JVM opens sun.nio.ch as the server jar's manifest does (Add-Opens), which a -cp child would not read
        assertTrue(JvmRelaunch.openedPackages().contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"),
                JvmRelaunch.openedPackages().toString());
        assertTrue(JvmRelaunch.openedPackages().stream()
                .allMatch(option -> option.matches("--add-opens=java\\.base/[\\w.]+=ALL-UNNAMED")));
    }

    @Test
    void aGcChosenOnTheCommandLineIsKept() {
        for (String gc : List.of("-XX:+UseG1GC", "-XX:+UseParallelGC", "-XX:+UseZGC", "-XX:+UseSerialGC")) {
            assertTrue(JvmRelaunch.childCommand(WANTED, List.of("-Xmx512m", gc), "/jdk", "ws-server.jar",
                    "com.example.Main", ARGS, false).isEmpty(), gc);
        }
    }

    @Test
    void theChildAndAnEmptyWishNeverStartAnother() {
        assertTrue(JvmRelaunch.childCommand(WANTED, List.of(), "/jdk", "ws-server.jar", "M", ARGS, true).isEmpty());
        assertTrue(JvmRelaunch.childCommand(List.of(), List.of(), "/jdk", "ws-server.jar", "M", ARGS, false).isEmpty());
    }

    @Test
    void disablingAGcIsNotAChoice() {
        assertTrue(JvmRelaunch.childCommand(WANTED, List.of("-XX:-UseAdaptiveSizePolicy"), "/jdk", "ws-server.jar",
                "M", ARGS, false).isPresent());
    }
}
