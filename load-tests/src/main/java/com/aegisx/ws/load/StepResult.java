package com.aegisx.ws.load;

/**
 * One measured step. CPU figures are microseconds of CPU per delivered (node, Redis) or received
 * (generator) message; latency in milliseconds. {@code nodeDispatchMillis}: the nodes' mean time
 * from a pub/sub message leaving Lettuce's event loop to the end of its local fan-out (their
 * {@code ws_pubsub_dispatch_seconds}), NaN when not measured: next to the latency, it shows how
 * much of publish-to-receive the node's own fan-out takes. {@code nodeDispatchAllocatedBytes}: bytes
 * the nodes' dispatch workers allocated over the step (their {@code
 * ws_pubsub_dispatch_allocated_bytes_total}, the JVM's per-thread count), NaN when not measured.
 * {@code nodeDispatchCpuMillis}: the dispatch workers' CPU time per dispatched message (their {@code
 * ws_pubsub_dispatch_cpu_seconds_total}), NaN when not measured: a fan-out's wall time
 * ({@code nodeDispatchMillis}) well above it means the fan-out waited (for a core, or idle gaps).
 * Messages delivered on Lettuce's event loop (user topics) count in the wall time, not here.
 * {@code nodeJitCpu}: the part of {@code nodeCpu} the nodes' JIT compiler threads used (null when
 * not measured): a node a few seconds old still compiles, and that part varies from run to run.
 */
public record StepResult(
        String label,
        double publishRate,
        long published,
        long expected,
        long delivered,
        long lost,
        long duplicates,
        double seconds,
        LatencyStats.Summary latency,
        ProcStat.Cpu nodeCpu,
        ProcStat.Cpu redisCpu,
        ProcStat.Cpu generatorCpu,
        double nodeDispatchMillis,
        double nodeDispatchAllocatedBytes,
        double nodeDispatchCpuMillis,
        ProcStat.Cpu nodeJitCpu) {

    /** Bytes the dispatch workers allocated per delivered message (the broadcast path's allocation). */
    public double allocatedBytesPerDelivery() {
        return delivered == 0 ? Double.NaN : nodeDispatchAllocatedBytes / delivered;
    }

    public double deliveredPerSecond() {
        return seconds <= 0 ? 0 : delivered / seconds;
    }

    public double nodeUserPerMessage() {
        return perMessage(nodeCpu.userMicros());
    }

    public double nodeSystemPerMessage() {
        return perMessage(nodeCpu.systemMicros());
    }

    public double nodeTotalPerMessage() {
        return perMessage(nodeCpu.totalMicros());
    }

    /** The JIT compiler threads' share of {@link #nodeTotalPerMessage()}; NaN when not measured. */
    public double nodeJitPerMessage() {
        return nodeJitCpu == null ? Double.NaN : perMessage(nodeJitCpu.totalMicros());
    }

    public double redisPerMessage() {
        return redisCpu == null ? Double.NaN : perMessage(redisCpu.totalMicros());
    }

    public double generatorPerMessage() {
        return perMessage(generatorCpu.totalMicros());
    }

    /** Node CPU as a share of one core over the step. */
    public double nodeCores() {
        return seconds <= 0 ? 0 : nodeCpu.totalMicros() / (seconds * 1e6);
    }

    public double generatorCores() {
        return seconds <= 0 ? 0 : generatorCpu.totalMicros() / (seconds * 1e6);
    }

    /** The capacity rule: nothing lost and p99 under 50 ms. */
    public boolean withinCapacity() {
        return lost == 0 && latency.p99() < 50_000;
    }

    private double perMessage(long micros) {
        return delivered == 0 ? Double.NaN : (double) micros / delivered;
    }
}
