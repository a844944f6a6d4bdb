package com.sessionflow.bench;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventParser;
import com.sessionflow.functions.InsertIdStore;
import com.sessionflow.functions.OwnerState;
import com.sessionflow.functions.OwnerStore;
import com.sessionflow.functions.SessionizeFunction;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Bytes of state per session: the job's operator (SessionizeFunction in Flink's keyed operator
 * harness) fed the generated traffic with the job's watermarks (so sessions close and are purged as
 * in the job), then, without a final watermark, the state is measured:
 *
 * <ul>
 *   <li>heap backend: retained heap (used heap after full GCs, minus the same before the operator
 *       existed): session lists, insert-id filters, timers, keys, the state maps;
 *   <li>both backends: the size of a full snapshot (what a checkpoint or savepoint writes), on
 *       RocksDB after a compaction of the sessionizer's states, so that it holds live values only;
 *   <li>RocksDB: the size of the instance's files after the snapshot.
 * </ul>
 *
 * Divided by the sessions held (open ones and closed ones kept for late events) and by the open
 * sessions (not emitted yet).
 */
final class StateSizeBench {

    private StateSizeBench() {}

    static Map<String, Object> run(Benchmarks.Options o, BenchSettings s) throws Exception {
        long minutes = Math.max(o.minMinutes, 90);
        BenchInput input =
                BenchInput.generate(o.seed, o.users, 0, minutes, Duration.ofMillis(s.gapMs));
        System.out.println("bench: input " + input);
        BenchInput.setCurrent(input);
        List<Map<String, Object>> measures = new ArrayList<>();
        measures.add(
                measure(
                        "heap",
                        new HashMapStateBackend(),
                        s.timeline(),
                        s.dedupHorizonMs,
                        input,
                        s));
        measures.add(
                measure("heap, dedup off", new HashMapStateBackend(), s.timeline(), 0, input, s));
        // what an open session itself costs: nothing kept for late events, as in plain session
        // windows
        measures.add(
                measure(
                        "heap, dedup off, no lateness",
                        new HashMapStateBackend(),
                        new OwnerTimeline(s.definition(), 0),
                        0,
                        input,
                        s));
        measures.add(
                measure("rocksdb", rocks(s, "rocksdb"), s.timeline(), s.dedupHorizonMs, input, s));
        measures.add(
                measure(
                        "rocksdb, dedup off",
                        rocks(s, "rocksdb-nodedup"),
                        s.timeline(),
                        0,
                        input,
                        s));
        measures.add(
                measure(
                        "rocksdb, dedup off, no lateness",
                        rocks(s, "rocksdb-open"),
                        new OwnerTimeline(s.definition(), 0),
                        0,
                        input,
                        s));
        // every id in buckets (none inline), to measure what an id costs there alone
        measures.add(
                measure(
                        "heap, ids in buckets only",
                        new HashMapStateBackend(),
                        s.timeline(),
                        s.dedupHorizonMs,
                        0,
                        input,
                        s));
        measures.add(
                measure(
                        "rocksdb, ids in buckets only",
                        rocks(s, "rocksdb-buckets"),
                        s.timeline(),
                        s.dedupHorizonMs,
                        0,
                        input,
                        s));
        // what one remembered insert id costs: the difference dedup makes, per id held
        dedupCost(measures.get(0), measures.get(1));
        dedupCost(measures.get(3), measures.get(4));
        dedupCost(measures.get(6), measures.get(1));
        dedupCost(measures.get(7), measures.get(4));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("records", input.size());
        r.put("events", input.events);
        r.put("owners", input.owners);
        r.put("users", input.users);
        r.put("simulatedMinutes", minutes);
        r.put("measures", measures);
        return r;
    }

    private static EmbeddedRocksDBStateBackend rocks(BenchSettings s, String dir)
            throws IOException {
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
        rocks.setDbStoragePath(Files.createDirectories(s.tmp().resolve(dir)).toString());
        // the harness has next to no managed memory: RocksDB would flush its memtables constantly
        rocks.getMemoryConfiguration().setFixedMemoryPerSlot(s.managedMemory);
        return rocks;
    }

    /**
     * Adds to each row of {@code with} the bytes per remembered insert id: its bytes minus those of
     * the same measure without dedup, over the ids held.
     */
    @SuppressWarnings("unchecked")
    private static void dedupCost(Map<String, Object> with, Map<String, Object> without) {
        List<Map<String, Object>> a = new ArrayList<>();
        a.add(with);
        a.addAll((List<Map<String, Object>>) with.get("more"));
        List<Map<String, Object>> b = new ArrayList<>();
        b.add(without);
        b.addAll((List<Map<String, Object>>) without.get("more"));
        long ids = (Long) with.get("insertIds");
        for (int i = 0; i < a.size(); i++) {
            long extra = (Long) a.get(i).get("bytes") - (Long) b.get(i).get("bytes");
            a.get(i).put("bytesPerInsertId", ids == 0 ? 0 : (double) extra / ids);
        }
    }

    /** With the insert-id layout the job picks for the backend. */
    private static Map<String, Object> measure(
            String name,
            org.apache.flink.runtime.state.StateBackend backend,
            OwnerTimeline timeline,
            long dedupMs,
            BenchInput input,
            BenchSettings s)
            throws Exception {
        return measure(
                name,
                backend,
                timeline,
                dedupMs,
                InsertIds.inlineCapacityFor(backend.getName()),
                input,
                s);
    }

    private static Map<String, Object> measure(
            String name,
            org.apache.flink.runtime.state.StateBackend backend,
            OwnerTimeline timeline,
            long dedupMs,
            int inlineInsertIds,
            BenchInput input,
            BenchSettings s)
            throws Exception {
        long before = usedHeapAfterGc();
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, SessionChange>(
                        new KeyedProcessOperator<>(
                                new SessionizeFunction(
                                        timeline,
                                        dedupMs,
                                        inlineInsertIds,
                                        OwnerRateLimit.DEFAULT)),
                        e -> e.owner,
                        Types.STRING);
        harness.setStateBackend(backend);
        // snapshots of a realistic state are far above the 5 MB default of in-memory checkpoint
        // storage
        harness.setCheckpointStorage(
                new org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage(
                        Integer.MAX_VALUE));
        harness.open();
        EventParser parser = BenchInput.parser();
        long[] maxTime = {Long.MIN_VALUE};
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < input.size(); i++) {
            int index = i;
            parser.parse(
                    input.origin(i),
                    p -> {
                        if (!p.isEvent()) return;
                        maxTime[0] = Math.max(maxTime[0], p.event.time);
                        try {
                            harness.processElement(p.event, p.event.time);
                        } catch (Exception e) {
                            throw new IllegalStateException("record " + index, e);
                        }
                    });
            if ((i & 255) == 255) {
                long w = maxTime[0] - s.outOfOrdernessMs - 1;
                if (w > watermark) {
                    watermark = w;
                    harness.processWatermark(w);
                }
                harness.getOutput().clear();
                clearSideOutputs(harness);
            }
        }
        harness.getOutput().clear();
        clearSideOutputs(harness);
        long[] counts = new long[3];
        long[] inline = {0};
        KeyedStateBackend<String> keyed = harness.getOperator().getKeyedStateBackend();
        keyed.applyToAllKeys(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                OwnerStore.descriptor(),
                (String key, ValueState<OwnerState> state) -> {
                    inline[0] += state.value().inlineInsertIds();
                    List<Session> held = state.value().heldSessions();
                    if (!held.isEmpty()) counts[2]++;
                    for (Session x : held) {
                        counts[0]++;
                        if (x.isPending()) counts[1]++;
                    }
                });
        long[] insertIds = {inline[0]};
        keyed.applyToAllKeys(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                InsertIdStore.bucketsDescriptor(),
                (String key, MapState<Integer, DuplicateFilter> buckets) -> {
                    for (DuplicateFilter bucket : buckets.values()) insertIds[0] += bucket.size();
                });
        long heap = usedHeapAfterGc() - before;
        int timers = name.startsWith("rocksdb") ? -1 : harness.numEventTimeTimers();
        if (keyed instanceof RocksDBKeyedStateBackend<String> rocks) {
            // RocksDB's snapshot copies its files, which hold overwritten values until compaction
            // drops them, so without this the bytes depend on when it last ran: live state only
            rocks.compactState(OwnerStore.descriptor());
            rocks.compactState(InsertIdStore.bucketsDescriptor());
        }
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        long snapshotBytes = snapshot.getStateSize();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", name);
        m.put("sessions", counts[0]);
        m.put("openSessions", counts[1]);
        m.put("owners", counts[2]);
        m.put("timers", timers);
        m.put("insertIds", insertIds[0]);
        if (!name.startsWith("rocksdb")) m.put("keyedStateEntries", harness.numKeyedStateEntries());
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!name.startsWith("rocksdb")) rows.add(row(m, "retained heap", heap, counts));
        rows.add(row(m, "full snapshot", snapshotBytes, counts));
        if (name.startsWith("rocksdb"))
            rows.add(
                    row(
                            m,
                            "RocksDB files",
                            dirSize(
                                    Path.of(
                                            ((EmbeddedRocksDBStateBackend) backend)
                                                    .getDbStoragePaths()[0])),
                            counts));
        harness.close();
        System.out.println("bench: state " + name + " " + rows);
        // one row per measure
        Map<String, Object> first = rows.get(0);
        first.put("more", rows.subList(1, rows.size()));
        return first;
    }

    private static Map<String, Object> row(
            Map<String, Object> base, String measure, long bytes, long[] counts) {
        Map<String, Object> r = new LinkedHashMap<>(base);
        r.put("measure", measure);
        r.put("bytes", bytes);
        r.put("bytesPerSession", counts[0] == 0 ? 0 : (double) bytes / counts[0]);
        r.put("bytesPerOpenSession", counts[1] == 0 ? 0 : (double) bytes / counts[1]);
        r.put("bytesPerOwner", counts[2] == 0 ? 0 : (double) bytes / counts[2]);
        return r;
    }

    private static void clearSideOutputs(
            KeyedOneInputStreamOperatorTestHarness<String, Event, SessionChange> h) {
        var late = h.getSideOutput(SessionizeFunction.LATE);
        if (late != null) late.clear();
        var oos = h.getSideOutput(SessionizeFunction.OUT_OF_SESSION);
        if (oos != null) oos.clear();
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long dirSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }
}
