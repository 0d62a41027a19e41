package com.aegisx.ws.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time (user and kernel, separately) and resident memory of a process, from
 * {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. Linux only.
 */
public final class ProcStat {

    /** USER_HZ: the unit of utime/stime. 100 on every Linux this runs on (getconf CLK_TCK). */
    public static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcStat() {
    }

    /** CPU used so far, microseconds. */
    public record Cpu(long userMicros, long systemMicros) {
        public long totalMicros() {
            return userMicros + systemMicros;
        }

        public Cpu minus(Cpu earlier) {
            return new Cpu(userMicros - earlier.userMicros, systemMicros - earlier.systemMicros);
        }

        public Cpu plus(Cpu other) {
            return new Cpu(userMicros + other.userMicros, systemMicros + other.systemMicros);
        }
    }

    public static Cpu cpu(long pid) {
        try {
            return parseCpu(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
    }

    /**
     * CPU the JIT compiler threads of a JVM have used so far (its C1 and C2 compiler threads, from
     * {@code /proc/<pid>/task/<tid>/stat}). Threads that ended are not counted, so it is a lower
     * bound over a long window; HotSpot keeps its compiler threads while the JVM compiles.
     */
    public static Cpu compilerCpu(long pid) {
        Cpu total = new Cpu(0, 0);
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                if (isCompilerThread(stat)) {
                    total = total.plus(parseCpu(stat));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/" + pid + "/task", e);
        }
        return total;
    }

    /** Whether a thread's stat line is a HotSpot JIT compiler thread's ("C1 CompilerThread0", cut to 15 characters). */
    static boolean isCompilerThread(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return false;
        }
        String name = stat.substring(open + 1, close);
        return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    }

    public static Cpu self() {
        return cpu(ProcessHandle.current().pid());
    }

    /**
     * Parses a stat line. The command name (field 2) is in parentheses and may itself contain spaces
     * and parentheses, so fields are counted from the last ')'. utime and stime are fields 14, 15.
     */
    static Cpu parseCpu(String stat) {
        int close = stat.lastIndexOf(')');
        String[] rest = stat.substring(close + 2).trim().split(" ");
        // rest[0] is field 3 (state); field n is rest[n - 3]
        long utime = Long.parseLong(rest[14 - 3]);
        long stime = Long.parseLong(rest[15 - 3]);
        long perTick = 1_000_000L / CLOCK_TICKS_PER_SECOND;
        return new Cpu(utime * perTick, stime * perTick);
    }

    /** Resident set size in bytes (VmRSS). */
    public static long rssBytes(long pid) {
        try {
            return parseRss(Files.readString(Path.of("/proc/" + pid + "/status")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
        }
    }

    static long parseRss(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        throw new IllegalArgumentException("no VmRSS line");
    }
}
