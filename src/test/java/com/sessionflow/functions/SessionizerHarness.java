package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * SessionizeFunction in Flink's keyed operator test harness, with what tests need: feed events and
 * watermarks, read the changes emitted since the last look, the side outputs, a compacted view of
 * the changelog, and a snapshot/restore round trip.
 */
final class SessionizerHarness implements AutoCloseable {

    private final OwnerTimeline timeline;
    private final long dedupHorizonMs;
    private final StateBackend backend;
    private final int inlineInsertIds;
    private final OwnerRateLimit rateLimit;
    private KeyedOneInputStreamOperatorTestHarness<String, Event, SessionChange> harness;
    private long checkpointId;

    private final List<SessionChange> all = new ArrayList<>();
    private final List<SessionChange> unread = new ArrayList<>();
    private final List<LateEvent> late = new ArrayList<>();
    private final List<Event> outOfSession = new ArrayList<>();
    private final List<QuarantinedEvent> quarantined = new ArrayList<>();

    /** What a compacted topic holds: key -> latest session; a tombstone removes the key. */
    private final Map<String, SessionRecord> compacted = new LinkedHashMap<>();

    SessionizerHarness(OwnerTimeline timeline, long dedupHorizonMs) throws Exception {
        this(timeline, dedupHorizonMs, (StateBackend) null);
    }

    /** On {@code backend} (null: heap), with the insert-id layout the pipeline picks for it. */
    SessionizerHarness(OwnerTimeline timeline, long dedupHorizonMs, StateBackend backend)
            throws Exception {
        this(
                timeline,
                dedupHorizonMs,
                backend,
                InsertIds.inlineCapacityFor(backend == null ? "hashmap" : backend.getName()));
    }

    SessionizerHarness(
            OwnerTimeline timeline, long dedupHorizonMs, StateBackend backend, int inlineInsertIds)
            throws Exception {
        this(timeline, dedupHorizonMs, backend, inlineInsertIds, OwnerRateLimit.DEFAULT);
    }

    /** With the job's defaults on the heap backend but for the owner rate limit. */
    SessionizerHarness(OwnerTimeline timeline, long dedupHorizonMs, OwnerRateLimit rateLimit)
            throws Exception {
        this(timeline, dedupHorizonMs, null, InsertIds.INLINE_ON_HEAP, rateLimit);
    }

    SessionizerHarness(
            OwnerTimeline timeline,
            long dedupHorizonMs,
            StateBackend backend,
            int inlineInsertIds,
            OwnerRateLimit rateLimit)
            throws Exception {
        this.timeline = timeline;
        this.dedupHorizonMs = dedupHorizonMs;
        this.backend = backend;
        this.inlineInsertIds = inlineInsertIds;
        this.rateLimit = rateLimit;
        harness = create();
        harness.open();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Event, SessionChange> create()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, SessionChange>(
                        new KeyedProcessOperator<>(
                                new SessionizeFunction(
                                        timeline, dedupHorizonMs, inlineInsertIds, rateLimit)),
                        e -> e.owner,
                        Types.STRING);
        if (backend != null) h.setStateBackend(backend);
        return h;
    }

    SessionizerHarness event(Event e) throws Exception {
        harness.processElement(e, e.time);
        collect();
        return this;
    }

    SessionizerHarness events(Event... events) throws Exception {
        for (Event e : events) event(e);
        return this;
    }

    SessionizerHarness watermark(long w) throws Exception {
        harness.processWatermark(w);
        collect();
        return this;
    }

    /** The changes emitted since the last call. */
    List<SessionChange> changes() {
        List<SessionChange> c = new ArrayList<>(unread);
        unread.clear();
        return c;
    }

    List<SessionChange> allChanges() {
        return all;
    }

    List<LateEvent> late() {
        return late;
    }

    List<Event> outOfSession() {
        return outOfSession;
    }

    List<QuarantinedEvent> quarantined() {
        return quarantined;
    }

    Map<String, SessionRecord> compacted() {
        return compacted;
    }

    int numKeyedStateEntries() {
        return harness.numKeyedStateEntries();
    }

    /** What the operator keeps for {@code owner}, or null. */
    OwnerState ownerState(String owner) throws Exception {
        harness.getOperator().setCurrentKey(owner);
        return harness.getOperator()
                .getKeyedStateBackend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        OwnerStore.descriptor())
                .value();
    }

    /**
     * The insert ids the operator remembers for {@code owner} in buckets of their own: hash to
     * event time.
     */
    Map<Long, Long> insertIds(String owner) throws Exception {
        harness.getOperator().setCurrentKey(owner);
        Map<Long, Long> ids = new TreeMap<>();
        for (DuplicateFilter bucket :
                harness.getOperator()
                        .getKeyedStateBackend()
                        .getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                InsertIdStore.bucketsDescriptor())
                        .values()) {
            for (int i = 0; i < bucket.size(); i++) ids.put(bucket.hash(i), bucket.time(i));
        }
        return ids;
    }

    /**
     * Gives {@code owner} its insert ids as state format 2 kept them, an entry per id, and nothing
     * else: what a restore of such a savepoint leaves until the owner is next seen.
     */
    void putInOlderLayout(String owner, Map<Long, Long> ids, long sweep) throws Exception {
        harness.getOperator().setCurrentKey(owner);
        var backend = harness.getOperator().getKeyedStateBackend();
        OwnerState state = new OwnerState();
        state.insertIdSweep = sweep;
        backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        OwnerStore.descriptor())
                .update(state);
        backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        InsertIdStore.olderEntriesDescriptor())
                .putAll(ids);
    }

    /** How many insert ids of {@code owner} are still in the layout of state format 2. */
    int olderLayoutInsertIds(String owner) throws Exception {
        harness.getOperator().setCurrentKey(owner);
        int n = 0;
        for (Long ignored :
                harness.getOperator()
                        .getKeyedStateBackend()
                        .getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                InsertIdStore.olderEntriesDescriptor())
                        .keys()) {
            n++;
        }
        return n;
    }

    int numEventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    /** Takes a snapshot, throws the operator away and restores a new one from the snapshot. */
    void snapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot = harness.snapshot(++checkpointId, checkpointId);
        collect();
        harness.close();
        harness = create();
        harness.initializeState(snapshot);
        harness.open();
    }

    private void collect() {
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                SessionChange c = (SessionChange) r.getValue();
                all.add(c);
                unread.add(c);
                if (c.isRetraction()) compacted.remove(c.key());
                else compacted.put(c.key(), c.session);
            }
        }
        harness.getOutput().clear();
        var lateOut = harness.getSideOutput(SessionizeFunction.LATE);
        if (lateOut != null) {
            lateOut.forEach(r -> late.add(r.getValue()));
            lateOut.clear();
        }
        var oos = harness.getSideOutput(SessionizeFunction.OUT_OF_SESSION);
        if (oos != null) {
            oos.forEach(r -> outOfSession.add(r.getValue()));
            oos.clear();
        }
        var quarantine = harness.getSideOutput(SessionizeFunction.QUARANTINED);
        if (quarantine != null) {
            quarantine.forEach(r -> quarantined.add(r.getValue()));
            quarantine.clear();
        }
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
