package com.aegisx.ws.server.testing;

import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;

/**
 * Makes a Redis server hang as a stuck process or a paused VM does, and wakes it again: SIGSTOP
 * keeps its connections open (the kernel still accepts and acknowledges) while nothing answers.
 */
public final class HungRedis {

    private HungRedis() {
    }

    /** The server's process id, from its own INFO (ask while it still answers). */
    public static String pidOf(RedisCommands<String, String> server) {
        for (String line : server.info("server").split("\r?\n")) {
            if (line.startsWith("process_id:")) {
                return line.substring("process_id:".length()).trim();
            }
        }
        throw new IllegalStateException("no process_id in INFO server");
    }

    public static void stop(String pid) throws IOException, InterruptedException {
        signal("STOP", pid);
    }

    public static void resume(String pid) throws IOException, InterruptedException {
        signal("CONT", pid);
    }

    private static void signal(String signal, String pid) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " exited with " + exit);
        }
    }
}
