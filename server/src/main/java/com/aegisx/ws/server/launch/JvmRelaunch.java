package com.aegisx.ws.server.launch;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a node started as {@code java -jar ws-server.jar} the JVM options it runs best with
 * ({@code NODE_JVM_OPTIONS}): a JVM's garbage collector is fixed when it starts, so when the
 * command line chose none, the node starts itself again, once, in a child JVM with the same
 * options plus these, and stays its parent until it ends.
 *
 * <p>Measured (load-tests/README.md, "Side by side"): with the JDK's default G1 the node spent a
 * third more CPU per delivered message than with ParallelGC, most of it G1's concurrent refinement
 * and write barriers; a cap on the young generation keeps idle RSS near the heap.
 *
 * <p>A command line that names a garbage collector ({@code -XX:+UseG1GC}, {@code
 * -XX:+UseParallelGC}...) is a choice: it is kept as it is, so is everything when {@code
 * NODE_JVM_OPTIONS} is empty. The child ends when its parent does, even a parent killed with
 * SIGKILL; the parent forwards SIGTERM/SIGINT (its shutdown hook stops the child and waits for
 * its graceful shutdown) and exits with the child's exit code.
 */
public final class JvmRelaunch {

    private static final Logger log = LoggerFactory.getLogger(JvmRelaunch.class);
    /** Set on the child's command line: it never starts another. */
    static final String RELAUNCHED_PROPERTY = "ws.node.relaunched";
    private static final Pattern GC_CHOICE = Pattern.compile("-XX:[+]Use\\w*GC");
    /** How long the parent waits for the child's graceful shutdown before killing it. */
    private static final long CHILD_STOP_SECONDS = 60;

    private JvmRelaunch() {
    }

    /**
     * The child's command, or empty when this JVM should run the node itself: it is the child
     * already, no options are wanted, or the command line chose a garbage collector.
     */
    static Optional<List<String>> childCommand(List<String> wanted, List<String> inputArguments, String javaHome,
                                               String classPath, String mainClass, String[] args,
                                               boolean relaunched) {
        if (relaunched || wanted.isEmpty() || classPath == null || classPath.isEmpty()
                || inputArguments.stream().anyMatch(arg -> GC_CHOICE.matcher(arg).lookingAt())) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome, "bin", "java").toString());
        command.addAll(inputArguments);
        command.addAll(wanted);
        command.add("-D" + RELAUNCHED_PROPERTY + "=true");
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return Optional.of(command);
    }

    /**
     * Runs the node in a child JVM with {@code wanted} added when this one was started without a
     * garbage collector choice; returns only when this JVM is to run the node itself (otherwise
     * it exits with the child's code).
     */
    public static void ifWanted(List<String> wanted, Class<?> mainClass, String[] args) {
        boolean relaunched = Boolean.getBoolean(RELAUNCHED_PROPERTY);
        if (relaunched) {
            endWithParent();
            return;
        }
        List<String> parentOptions = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        parentOptions.addAll(openedPackages());
        Optional<List<String>> command = childCommand(wanted, parentOptions, System.getProperty("java.home"),
                System.getProperty("java.class.path"), mainClass.getName(), args, false);
        if (command.isEmpty()) {
            return;
        }
        log.info("Starting the node in a JVM with {} (NODE_JVM_OPTIONS; name a garbage collector on the"
                + " command line, or set NODE_JVM_OPTIONS empty, to run in this JVM)", String.join(" ", wanted));
        Process child;
        try {
            child = new ProcessBuilder(command.get()).inheritIO().start();
        } catch (java.io.IOException e) {
            log.warn("Could not start the node's JVM ({}); running in this one", e.toString());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child), "ws-relaunch-stop"));
        int code;
        try {
            code = child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        }
        System.exit(code);
    }

    /**
     * The java.base packages open to the node in this JVM, as options: what the jar's manifest
     * opens ({@code Add-Opens}) is not on the command line, and a child started with {@code -cp}
     * does not read the manifest.
     */
    static List<String> openedPackages() {
        Module base = Object.class.getModule();
        Module node = JvmRelaunch.class.getModule();
        return base.getPackages().stream().filter(name -> base.isOpen(name, node)).sorted()
                .map(name -> "--add-opens=java.base/" + name + "=ALL-UNNAMED").toList();
    }

    /** SIGTERM to the child, then its graceful shutdown, then SIGKILL if it hangs. */
    private static void stop(Process child) {
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(CHILD_STOP_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** In the child: a parent that is gone (even by SIGKILL) takes the node down with it, gracefully. */
    private static void endWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            log.warn("The launching JVM (pid {}) ended; stopping the node", parent.pid());
            System.exit(1);
        }));
    }
}
