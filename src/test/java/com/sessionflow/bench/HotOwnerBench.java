package com.sessionflow.bench;

import com.sessionflow.event.Event;
import com.sessionflow.functions.SessionizeFunction;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.SessionChange;
import com.sessionflow.testing.AmplitudeJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * What a hot owner's event costs next to an ordinary owner's (skew issue): the job's operator in
 * Flink's keyed operator harness, with the job's defaults, fed one event every 50 ms of event time
 * (unique insert ids, watermark every 256 events), first spread over 20,000 ordinary owners, then
 * with 1 and then 10 hot owners sending half of all events. Each event's {@code processElement} is
 * timed on its own (after a warm-up fifth of the input), so hot and ordinary events are compared in
 * the same run, on the same state. Timers are left out: they fire in {@code processWatermark}.
 */
final class HotOwnerBench {

    static final int ORDINARY_OWNERS = 20_000;
    static final long EVENT_EVERY_MS = 50;

    private HotOwnerBench() {}

    static Map<String, Object> run(Benchmarks.Options o, BenchSettings s) throws Exception {
        int events = (int) o.events;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String backend : List.of("heap", "rocksdb")) {
            for (int hot : new int[] {0, 1, 10}) {
                rows.add(measure(backend, hot, events, o.seed, s));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("events", events);
        r.put("ordinaryOwners", ORDINARY_OWNERS);
        r.put("measures", rows);
        return r;
    }

    private static Map<String, Object> measure(
            String backend, int hotOwners, int events, long seed, BenchSettings s)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, SessionChange>(
                        new KeyedProcessOperator<>(
                                // the insert-id layout the job picks for the backend
                                new SessionizeFunction(
                                        s.timeline(),
                                        s.dedupHorizonMs,
                                        InsertIds.inlineCapacityFor(backend),
                                        OwnerRateLimit.DEFAULT)),
                        e -> e.owner,
                        Types.STRING);
        harness.setStateBackend(backend(backend, s));
        harness.open();
        SplittableRandom random = new SplittableRandom(seed);
        long t0 = 1_780_000_000_000L;
        long[] nanos = new long[2];
        long[] counted = new long[2];
        int warmUp = events / 5;
        for (int i = 0; i < events; i++) {
            long time = t0 + i * EVENT_EVERY_MS;
            boolean hot = hotOwners > 0 && random.nextBoolean();
            String owner =
                    hot
                            ? "hot-" + random.nextInt(hotOwners)
                            : "user-" + random.nextInt(ORDINARY_OWNERS);
            Event e = AmplitudeJson.event(owner, owner + "-d", "view_item", time, "i" + i, "iOS");
            long start = System.nanoTime();
            harness.processElement(e, time);
            long spent = System.nanoTime() - start;
            if (i >= warmUp) {
                nanos[hot ? 1 : 0] += spent;
                counted[hot ? 1 : 0]++;
            }
            if ((i & 255) == 255) {
                harness.processWatermark(time - s.outOfOrdernessMs - 1);
                harness.getOutput().clear();
            }
        }
        harness.close();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backend);
        m.put("hotOwners", hotOwners);
        double ordinary = counted[0] == 0 ? 0 : nanos[0] / (double) counted[0];
        double hotCost = counted[1] == 0 ? 0 : nanos[1] / (double) counted[1];
        m.put("ordinaryEventMicros", ordinary / 1_000);
        m.put("hotEventMicros", hotCost / 1_000);
        m.put("hotOverOrdinary", hotOwners == 0 ? null : hotCost / ordinary);
        System.out.printf(
                "bench: hot-owner %s, %d hot: ordinary %.2f us, hot %.2f us an event%n",
                backend, hotOwners, ordinary / 1_000, hotCost / 1_000);
        return m;
    }

    private static StateBackend backend(String name, BenchSettings s) throws Exception {
        if (name.equals("heap")) return new HashMapStateBackend();
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
        Path dir = Files.createDirectories(s.tmp().resolve("hot-owner-rocksdb"));
        rocks.setDbStoragePath(dir.toString());
        rocks.getMemoryConfiguration().setFixedMemoryPerSlot(s.managedMemory);
        return rocks;
    }
}
