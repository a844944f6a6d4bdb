package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.DeviceLink;
import com.sessionflow.session.IdentityMerge;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * The pipeline of merged identity in Flink's operator harnesses: events split as {@link
 * SplitIdentities} splits them (identified ones to the sessionizer, their links and anonymous
 * events to the linker), the linker, keyed by device, and the sessionizer of persons, keyed by
 * owner, with what the linker emits handed on in order (events and claimed sessions to the
 * sessionizer, device sessions to the changelog).
 */
final class MergedHarness implements AutoCloseable {

    final KeyedTwoInputStreamOperatorTestHarness<String, Event, DeviceLink, Event> linker;
    final KeyedTwoInputStreamOperatorTestHarness<String, Event, Session, SessionChange> persons;

    private int linkerRead;
    private int changesRead;
    private int personsOutRead;
    private int deviceRead;
    private int claimedRead;

    /** Every change, in the order it reached the changelog. */
    final List<SessionChange> changes = new ArrayList<>();

    /** The owner of every event the linker passed on, as "type:owner". */
    final List<String> passed = new ArrayList<>();

    /** What a compacted topic holds: key -> latest session; a tombstone removes the key. */
    final Map<String, SessionRecord> compacted = new LinkedHashMap<>();

    MergedHarness(OwnerTimeline timeline, long dedupHorizonMs) throws Exception {
        linker =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new LinkDevicesFunction(
                                        timeline,
                                        dedupHorizonMs,
                                        InsertIds.INLINE_ON_HEAP,
                                        OwnerRateLimit.DEFAULT)),
                        e -> e.deviceId,
                        link -> link.deviceId,
                        Types.STRING);
        persons =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new SessionizePersonsFunction(
                                        timeline,
                                        dedupHorizonMs,
                                        InsertIds.INLINE_ON_HEAP,
                                        OwnerRateLimit.DEFAULT)),
                        e -> e.owner,
                        Session::owner,
                        Types.STRING);
        linker.open();
        persons.open();
    }

    MergedHarness event(Event e) throws Exception {
        if (IdentityMerge.isAnonymous(e)) {
            linker.processElement1(e, e.time);
        } else {
            passed.add(e.eventType + ":" + e.owner);
            persons.processElement1(e, e.time);
            collect();
            DeviceLink link = DeviceLink.of(e);
            if (link != null) linker.processElement2(link, e.time);
        }
        pass();
        return this;
    }

    MergedHarness watermark(long w) throws Exception {
        linker.processBothWatermarks(new Watermark(w));
        pass();
        return this;
    }

    /** The changes since the last call. */
    List<SessionChange> newChanges() {
        List<SessionChange> fresh = new ArrayList<>(changes.subList(changesRead, changes.size()));
        changesRead = changes.size();
        return fresh;
    }

    /** Key -> event count of the compacted changelog. */
    Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        compacted.forEach((k, v) -> counts.put(k, v.eventCount));
        return counts;
    }

    private void pass() throws Exception {
        List<Object> out = new ArrayList<>(linker.getOutput());
        for (Object o : out.subList(linkerRead, out.size())) {
            // claimed sessions and device sessions emitted before this element or watermark
            drainSides();
            if (o instanceof StreamRecord<?> r) {
                Event e = (Event) r.getValue();
                passed.add(e.eventType + ":" + e.owner);
                persons.processElement1(e, e.time);
            } else if (o instanceof Watermark w) {
                persons.processBothWatermarks(w);
            }
            collect();
        }
        linkerRead = out.size();
        drainSides();
        collect();
    }

    private void drainSides() throws Exception {
        List<StreamRecord<SessionChange>> device = side(LinkDevicesFunction.DEVICE_SESSIONS);
        for (StreamRecord<SessionChange> r : device.subList(deviceRead, device.size())) {
            record(r.getValue());
        }
        deviceRead = device.size();
        List<StreamRecord<Session>> claimed = side(LinkDevicesFunction.CLAIMED);
        for (StreamRecord<Session> r : claimed.subList(claimedRead, claimed.size())) {
            persons.processElement2(r.getValue(), r.getTimestamp());
        }
        claimedRead = claimed.size();
    }

    /** The events either operator found too late. */
    List<LateEvent> late() {
        List<LateEvent> late = new ArrayList<>();
        side(SessionizeFunction.LATE).forEach(r -> late.add(r.getValue()));
        var personsLate = persons.getSideOutput(SessionizeFunction.LATE);
        if (personsLate != null) personsLate.forEach(r -> late.add(r.getValue()));
        return late;
    }

    private void collect() {
        List<Object> out = new ArrayList<>(persons.getOutput());
        for (Object o : out.subList(personsOutRead, out.size())) {
            if (o instanceof StreamRecord<?> r) record((SessionChange) r.getValue());
        }
        personsOutRead = out.size();
    }

    private void record(SessionChange c) {
        changes.add(c);
        if (c.isRetraction()) compacted.remove(c.key());
        else compacted.put(c.key(), c.session);
    }

    private <T> List<StreamRecord<T>> side(OutputTag<T> tag) {
        var q = linker.getSideOutput(tag);
        return q == null ? List.of() : new ArrayList<>(q);
    }

    @Override
    public void close() throws Exception {
        linker.close();
        persons.close();
    }
}
