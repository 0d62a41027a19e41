package com.aegisx.ws.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void parsesUserAndKernelTimeEvenWithParenthesesInTheName() {
        // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 999 1 2 3";
        ProcStat.Cpu cpu = ProcStat.parseCpu(stat);
        assertEquals(1234 * 10_000L, cpu.userMicros());
        assertEquals(567 * 10_000L, cpu.systemMicros());
        assertEquals((1234 + 567) * 10_000L, cpu.totalMicros());
    }

    @Test
    void recognisesTheJitCompilerThreadsByName() {
        String tail = " S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 999 1 2 3";
        assertTrue(ProcStat.isCompilerThread("4250 (C2 CompilerThre)" + tail));
        assertTrue(ProcStat.isCompilerThread("4251 (C1 CompilerThre)" + tail));
        assertFalse(ProcStat.isCompilerThread("4252 (lettuce-nioEven)" + tail));
        assertFalse(ProcStat.isCompilerThread("4253 (GC Thread#0)" + tail));
        assertFalse(ProcStat.isCompilerThread("4254 (x) (C2 CompilerThre)" + tail), "a name that only contains it");
    }

    @Test
    void readsTheCompilerThreadsOfThisJvm() {
        ProcStat.Cpu jit = ProcStat.compilerCpu(ProcessHandle.current().pid());
        assertTrue(jit.totalMicros() >= 0);
        assertTrue(jit.totalMicros() <= ProcStat.self().totalMicros());
    }

    @Test
    void differencesAndSums() {
        ProcStat.Cpu a = new ProcStat.Cpu(100, 50);
        ProcStat.Cpu b = new ProcStat.Cpu(250, 80);
        assertEquals(new ProcStat.Cpu(150, 30), b.minus(a));
        assertEquals(new ProcStat.Cpu(350, 130), a.plus(b));
    }

    @Test
    void parsesResidentSetSize() {
        String status = "Name:\tjava\nVmPeak:\t 100 kB\nVmRSS:\t  204800 kB\nThreads:\t12\n";
        assertEquals(204800L * 1024, ProcStat.parseRss(status));
    }

    @Test
    void readsThisProcess() {
        ProcStat.Cpu cpu = ProcStat.self();
        assertTrue(cpu.totalMicros() >= 0);
        assertTrue(ProcStat.rssBytes(ProcessHandle.current().pid()) > 0);
    }
}
