package com.aegisx.ws.server.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The shipped image's {@code HEALTHCHECK ... CMD [...]}, run here as Docker would run it in the container. */
final class DockerHealthcheck {

    static final Path DOCKERFILE = Path.of("..", "docker", "Dockerfile").toAbsolutePath().normalize();

    private DockerHealthcheck() {
    }

    /** The exec form's arguments (continuation lines joined). */
    static List<String> command() throws IOException {
        String text = String.join("\n", Files.readAllLines(DOCKERFILE)).replace("\\\n", " ");
        for (String line : text.split("\n")) {
            if (line.startsWith("HEALTHCHECK ")) {
                int cmd = line.indexOf(" CMD ");
                if (cmd < 0) {
                    throw new AssertionError("HEALTHCHECK without an exec-form CMD: " + line);
                }
                return new ObjectMapper().readValue(line.substring(cmd + 5).trim(), new TypeReference<List<String>>() { });
            }
        }
        throw new AssertionError("no HEALTHCHECK in " + DOCKERFILE);
    }

    /** Runs the check with exactly {@code env} (the container's variables) and returns its exit code. */
    static int run(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the healthcheck did not finish in 10 s");
        }
        return process.exitValue();
    }
}
