package com.aegisx.ws.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away {@code redis-server} child process on a free loopback port, with no persistence.
 *
 * <p>It is started through a small {@code sh} wrapper that kills Redis when the JVM's end of
 * its stdin pipe closes. That happens on {@link #stop()}, but also when the test JVM is killed
 * outright (surefire timeout, kill -9), where no shutdown hook runs: no orphaned Redis is left.
 */
public final class RedisServerProcess implements AutoCloseable {

    public static final String HOST = "127.0.0.1";

    private static final List<String> EXTRA_DIRS = List.of("/usr/bin", "/usr/local/bin");
    private static final long START_TIMEOUT_MS = 10_000;
    private static final String WRAPPER = String.join("\n",
            "bin=$1; shift",
            "exec 3<&0",
            "\"$bin\" \"$@\" 3<&- </dev/null &",
            "pid=$!",
            "( cat <&3 >/dev/null; kill \"$pid\" 2>/dev/null ) &",
            "exec 3<&-",
            "wait \"$pid\"");

    private final Path binary;
    private final String password;
    private final Path dir;
    private final Options options;
    private int port;
    private Process process;

    /**
     * How to run the server beyond the defaults: a config file written into the server's own
     * directory (the first argument: sentinel needs one it can rewrite) and extra arguments
     * (cluster mode, sentinel mode, masterauth...). Both see {@code %PORT%} and {@code %DIR%}
     * replaced by the chosen port and the server's directory.
     */
    public record Options(String configFile, List<String> extraArgs, TestTls tls) {
        public static final Options NONE = new Options(null, List.of());

        public Options(String configFile, List<String> extraArgs) {
            this(configFile, extraArgs, null);
        }

        public static Options args(String... args) {
            return new Options(null, List.of(args));
        }

        /** The same, listening with TLS only (see {@link TestTls#serverArgs()}). */
        public Options withTls(TestTls tls) {
            return new Options(configFile, extraArgs, tls);
        }
    }

    private RedisServerProcess(Path binary, String password, Path dir, Options options) {
        this.binary = binary;
        this.password = password;
        this.dir = dir;
        this.options = options;
    }

    /** The redis-server binary: first on PATH, then in /usr/bin and /usr/local/bin. */
    public static Optional<Path> findBinary() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    candidates.add(Path.of(entry, "redis-server"));
                }
            }
        }
        EXTRA_DIRS.forEach(d -> candidates.add(Path.of(d, "redis-server")));
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    /**
     * Starts Redis on a free port and returns once it answers PING.
     *
     * @param password value for {@code --requirepass}, or null for no auth
     */
    public static RedisServerProcess start(Path binary, String password) {
        return start(binary, password, Options.NONE);
    }

    /** As {@link #start(Path, String)}, with a config file and extra arguments (see {@link Options}). */
    public static RedisServerProcess start(Path binary, String password, Options options) {
        Path dir;
        try {
            dir = Files.createTempDirectory("test-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisServerProcess server = new RedisServerProcess(binary, password, dir, options);
        // The free port may be taken between probing and binding; a few retries make that harmless.
        for (int attempt = 1; ; attempt++) {
            server.port = freePort();
            try {
                server.launch();
                return server;
            } catch (PortInUseException e) {
                if (attempt == 5) {
                    throw new IllegalStateException("redis-server found no free port: " + e.getMessage());
                }
            }
        }
    }

    public String host() {
        return HOST;
    }

    /** Whether the server listens with TLS only. */
    public boolean tls() {
        return options.tls() != null;
    }

    public Path binary() {
        return binary;
    }

    public int port() {
        return port;
    }

    /** The --requirepass value, or null. */
    public String password() {
        return password;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops Redis (all data is lost). Idempotent. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            // Closing stdin is the wrapper's signal to SIGTERM Redis; see the class comment.
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Already closed: the wrapper has seen EOF.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** The server's own working directory (its log, a cluster's nodes.conf, a sentinel's config). */
    public Path dir() {
        return dir;
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        return readLog(dir.resolve("redis-" + port + ".log"));
    }

    /** Starts Redis again on the same port, empty; with {@link #stop()} this simulates an outage. */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (PortInUseException e) {
            throw new IllegalStateException("port " + port + " was taken while Redis was down", e);
        }
    }

    /**
     * Stops Redis and deletes its working directory, first printing the connections it refused (see
     * {@link #refusedConnections()}): a test that saw a connection drop has the server's side in its log.
     */
    @Override
    public synchronized void close() {
        stop();
        refusedConnections().forEach(line -> System.out.println(this + " refused a connection: " + line));
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Only a temp directory; the OS cleans it eventually.
        }
    }

    @Override
    public String toString() {
        return "redis-server " + binary + " on " + HOST + ":" + port;
    }

    /**
     * The log's lines on connections Redis dropped before they became clients (a failed TLS
     * handshake, an fd it could not register), logged at WARNING. (A connection over maxclients is
     * dropped unlogged: INFO stats, rejected_connections.) A client sees such a drop as a connection
     * closed or reset mid-handshake.
     */
    public List<String> refusedConnections() {
        try (Stream<String> lines = Files.lines(dir.resolve("redis-" + port + ".log"), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("Error accepting a client connection")
                    || l.contains("Error registering fd event")).toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    private synchronized void launch() throws PortInUseException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", WRAPPER, "sh", binary.toString()));
        if (options.configFile() != null) {
            Path config = dir.resolve("redis-" + port + ".conf");
            try {
                Files.writeString(config, substitute(options.configFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            command.add(config.toString());
        }
        if (options.tls() == null) {
            command.addAll(List.of("--port", String.valueOf(port)));
        } else {
            options.tls().serverArgs().forEach(arg -> command.add(substitute(arg)));
        }
        command.addAll(List.of("--bind", HOST, "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", dir.toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        options.extraArgs().forEach(arg -> command.add(substitute(arg)));
        Path log = dir.resolve("redis-" + port + ".log");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        }
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        try {
            while (!answersPing()) {
                // waitFor doubles as the poll interval and as early detection of a crash.
                if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                    String output = readLog(log);
                    process = null;
                    if (output.contains("Address already in use")) {
                        throw new PortInUseException(output);
                    }
                    throw new IllegalStateException(this + " exited at startup:\n" + output);
                }
                if (System.currentTimeMillis() > deadline) {
                    stop();
                    throw new IllegalStateException(this + " did not answer PING within "
                            + START_TIMEOUT_MS + " ms:\n" + readLog(log));
                }
            }
            if (!ListeningSockets.ownedBy(process.toHandle(), port)) {
                // Another process bound the port after freePort() and before this redis-server (which
                // fails with "Address already in use", or is about to): the PONG came from a stranger.
                String output = readLog(log);
                stop();
                throw new PortInUseException("another process listens on port " + port + ":\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException("interrupted while starting " + this, e);
        }
    }

    private String substitute(String text) {
        return text.replace("%PORT%", String.valueOf(port)).replace("%DIR%", dir.toString());
    }

    /** A raw RESP round trip, so readiness checks need no client library and log no reconnects. */
    private boolean answersPing() {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(HOST, port), 500);
            plain.setSoTimeout(1000);
            Socket socket = options.tls() == null ? plain
                    : options.tls().sslContext().getSocketFactory().createSocket(plain, HOST, port, true);
            OutputStream out = socket.getOutputStream();
            if (password != null) {
                out.write(resp("AUTH", password));
            }
            out.write(resp("PING"));
            out.flush();
            InputStream in = socket.getInputStream();
            if (password != null && !readLine(in).startsWith("+OK")) {
                return false;
            }
            return readLine(in).equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readLog(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static final class PortInUseException extends Exception {
        private static final long serialVersionUID = 1L;

        PortInUseException(String message) {
            super(message);
        }
    }
}
