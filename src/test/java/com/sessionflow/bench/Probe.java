package com.sessionflow.bench;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a scenario's operators report to the benchmark in the same JVM: counters by name, and the
 * wall-clock and process CPU time at the first record, at the middle record and at the end of the
 * output, so that job start-up and shutdown are not measured.
 */
public final class Probe {

    private static final Map<String, AtomicLong> COUNTERS = new ConcurrentHashMap<>();
    private static volatile long firstNanos;
    private static volatile long firstCpuNanos;
    private static volatile long middleNanos;
    private static volatile long middleCpuNanos;
    private static final AtomicLong lastNanos = new AtomicLong();
    private static final AtomicLong lastCpuNanos = new AtomicLong();

    private Probe() {}

    public static void reset() {
        COUNTERS.clear();
        firstNanos = 0;
        firstCpuNanos = 0;
        middleNanos = 0;
        middleCpuNanos = 0;
        lastNanos.set(0);
        lastCpuNanos.set(0);
    }

    public static void add(String counter, long delta) {
        COUNTERS.computeIfAbsent(counter, k -> new AtomicLong()).addAndGet(delta);
    }

    public static long get(String counter) {
        AtomicLong c = COUNTERS.get(counter);
        return c == null ? 0 : c.get();
    }

    public static Map<String, AtomicLong> counters() {
        return COUNTERS;
    }

    public static void first() {
        firstCpuNanos = cpuNanos();
        firstNanos = System.nanoTime();
    }

    public static void middle() {
        middleCpuNanos = cpuNanos();
        middleNanos = System.nanoTime();
    }

    /** An output reached its end (several outputs: the latest counts). */
    public static void end() {
        long now = System.nanoTime();
        long cpu = cpuNanos();
        lastNanos.accumulateAndGet(now, Math::max);
        lastCpuNanos.accumulateAndGet(cpu, Math::max);
    }

    public static long firstNanos() {
        return firstNanos;
    }

    public static long firstCpuNanos() {
        return firstCpuNanos;
    }

    public static long middleNanos() {
        return middleNanos;
    }

    public static long middleCpuNanos() {
        return middleCpuNanos;
    }

    public static long lastNanos() {
        return lastNanos.get();
    }

    public static long lastCpuNanos() {
        return lastCpuNanos.get();
    }

    /** CPU time of this whole process (every thread: task threads, GC, JIT). */
    public static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
