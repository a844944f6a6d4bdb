package com.sessionflow.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Turns the {@link Probe}'s times and counters into a scenario's result. */
final class Results {

    private Results() {}

    /**
     * Rates over the whole input (first record to end of output) and over its second half (middle
     * record to end of output: the state then holds the owners of the first half).
     */
    static Map<String, Object> throughput(BenchInput input, String output) {
        Map<String, Object> r = new LinkedHashMap<>();
        long wall = Probe.lastNanos() - Probe.firstNanos();
        long cpu = Probe.lastCpuNanos() - Probe.firstCpuNanos();
        r.put("records", input.size());
        r.put("events", input.events);
        r.put("owners", input.owners);
        r.put("wallMs", wall / 1_000_000);
        r.put("cpuMs", cpu / 1_000_000);
        r.put("eventsPerSec", rate(input.events, wall));
        r.put("eventsPerCpuSec", rate(input.events, cpu));
        if (Probe.middleNanos() > 0) {
            // events are spread evenly enough over records for half the records to be half the
            // events
            long wall2 = Probe.lastNanos() - Probe.middleNanos();
            long cpu2 = Probe.lastCpuNanos() - Probe.middleCpuNanos();
            r.put("secondHalfEventsPerSec", rate(input.events / 2, wall2));
            r.put("secondHalfEventsPerCpuSec", rate(input.events / 2, cpu2));
        }
        r.put("counters", FlinkBench.counters());
        return r;
    }

    static long rate(long n, long nanos) {
        return nanos <= 0 ? 0 : Math.round(n * 1e9 / nanos);
    }
}
