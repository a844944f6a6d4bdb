package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sessionizes one owner's events, keyed by owner. A thin shell around {@link OwnerTimeline}: it
 * keeps the owner's open session summaries and seen insert ids in state and turns the rules'
 * times into event-time timers.
 *
 * <p>Emission: a session is emitted when the watermark reaches its close time. A late event
 * (within the allowed lateness) that changes an emitted session marks it changed and is due at
 * the next watermark, so a whole offline batch arriving between two watermarks yields one
 * re-emission, with revision + 1, and tombstones for ids the session no longer has.
 *
 * <p>Timers: an owner has at most one pending event-time timer, at the earliest time one of its
 * sessions is due (close, re-emission or purge) or its insert ids expire. Every event moves its
 * session's end, so a timer per event (and per purge) would pile up timers that fire for nothing:
 * the benchmark measured 12.5 timers per session and a third of the CPU spent on them.
 */
public class SessionizeFunction extends KeyedProcessFunction<String, Event, SessionChange> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-events") {};
    public static final OutputTag<Event> OUT_OF_SESSION = new OutputTag<>("out-of-session-events") {};

    private final OwnerTimeline timeline;
    /** How long (event time) an insert id is remembered; 0 turns deduplication off. */
    private final long dedupHorizonMs;

    private transient ListState<Session> sessions;
    private transient ValueState<DuplicateFilter> seenEvents;
    /** The owner's one pending event-time timer, if any. */
    private transient ValueState<Long> pendingTimer;
    private transient Counter lateEvents;
    private transient Counter duplicateEvents;
    private transient Counter outOfSessionEvents;
    private transient Counter sessionsEmitted;
    private transient Counter sessionRevisions;
    private transient Counter sessionRetractions;
    private transient Counter eventsIn;
    /** Sessions of this subtask not emitted yet or changed since (counted since the subtask started). */
    private transient volatile long openSessions;
    /** The last watermark this subtask saw, for the watermark-lag gauge. */
    private transient volatile long lastWatermark;
    private transient Histogram sessionLengths;

    public SessionizeFunction(OwnerTimeline timeline, long dedupHorizonMs) {
        this.timeline = timeline;
        // an insert id must be remembered at least as long as its event can still be placed
        this.dedupHorizonMs = dedupHorizonMs <= 0 ? 0 : Math.max(dedupHorizonMs, timeline.placementWindowMs());
    }

    @Override
    public void open(OpenContext openContext) {
        sessions = getRuntimeContext().getListState(new ListStateDescriptor<>("sessions", Session.class));
        seenEvents = getRuntimeContext().getState(new ValueStateDescriptor<>("seen-events", DuplicateFilter.class));
        pendingTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-timer", Long.class));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        lateEvents = metrics.counter("lateEvents");
        duplicateEvents = metrics.counter("duplicateEvents");
        outOfSessionEvents = metrics.counter("outOfSessionEvents");
        sessionsEmitted = metrics.counter("sessionsEmitted");
        sessionRevisions = metrics.counter("sessionRevisions");
        sessionRetractions = metrics.counter("sessionRetractions");
        eventsIn = metrics.counter("eventsIn");
        lastWatermark = Long.MIN_VALUE;
        metrics.gauge("openSessions", (Gauge<Long>) () -> Math.max(0, openSessions));
        metrics.gauge("watermarkLagMs", (Gauge<Long>) this::watermarkLagMs);
        // length of every emitted session record (a revision counts again), last 10000
        sessionLengths = metrics.histogram("sessionLengthMs", new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<SessionChange> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        eventsIn.inc();
        lastWatermark = watermark;
        if (timeline.isTooLate(event.time, watermark)) {
            lateEvents.inc();
            ctx.output(LATE, new LateEvent(event, watermark, timeline.placementDeadline(event.time)));
            return;
        }
        DuplicateFilter seen = null;
        if (dedupHorizonMs > 0 && event.insertId != null) {
            seen = seenEvents.value();
            if (seen == null) seen = new DuplicateFilter();
            if (!seen.firstSighting(DuplicateFilter.hash(event.deviceId, event.insertId), event.time, forgetBefore(watermark))) {
                duplicateEvents.inc();
                return;
            }
            seenEvents.update(seen);
        }
        if (timeline.definition().isOutOfSession(event)) {
            outOfSessionEvents.inc();
            ctx.output(OUT_OF_SESSION, event);
            // the insert id still has to be forgotten some day; a pending timer will see to it
            if (seen != null && pendingTimer.value() == null) schedule(List.of(), seen, watermark, ctx.timerService());
            return;
        }
        List<Session> owned = load();
        long pendingBefore = pending(owned);
        timeline.place(owned, event);
        openSessions += pending(owned) - pendingBefore;
        sessions.update(owned);
        schedule(owned, seen, watermark, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionChange> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        lastWatermark = watermark;
        pendingTimer.clear();
        List<Session> owned = load();
        if (!owned.isEmpty()) {
            long pendingBefore = pending(owned);
            timeline.advance(owned, watermark, change -> {
                if (change.isRetraction()) sessionRetractions.inc();
                else if (change.session.revision == 1) sessionsEmitted.inc();
                else sessionRevisions.inc();
                if (!change.isRetraction()) sessionLengths.update(change.session.lengthMs());
                out.collect(change);
            });
            openSessions += pending(owned) - pendingBefore;
            if (owned.isEmpty()) sessions.clear();
            else sessions.update(owned);
        }
        DuplicateFilter seen = seenEvents.value();
        if (seen != null) {
            int held = seen.hashes.length;
            if (seen.forget(forgetBefore(watermark))) {
                seenEvents.clear();
                seen = null;
            } else if (seen.hashes.length != held) {
                seenEvents.update(seen);
            }
        }
        schedule(owned, seen, watermark, ctx.timerService());
    }

    /**
     * Keeps the owner's one timer at or before the earliest time something is due: a changed
     * session's close time (or the next watermark, for one already past it), a session's purge
     * time, or the time its last insert id may be forgotten.
     */
    private void schedule(List<Session> owned, DuplicateFilter seen, long watermark, TimerService timers) throws Exception {
        long next = Long.MAX_VALUE;
        for (Session s : owned) {
            if (s.dirty) {
                long close = timeline.closeTime(s);
                next = Math.min(next, close > watermark ? close : watermark + 1);
            }
            next = Math.min(next, timeline.purgeTime(s));
        }
        if (seen != null && seen.hashes.length > 0) next = Math.min(next, seen.latest() + dedupHorizonMs + 1);
        Long current = pendingTimer.value();
        // an earlier timer stays: firing early costs one look at the owner, which then sets the
        // next one, while moving the timer on every event (each moves its session's end) costs a
        // delete, a register and a state write per event
        if (current != null && current <= next) return;
        if (current != null) timers.deleteEventTimeTimer(current);
        if (next != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(next);
            pendingTimer.update(next);
        }
    }

    private long forgetBefore(long watermark) {
        return watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - dedupHorizonMs;
    }

    private static long pending(List<Session> owned) {
        long n = 0;
        for (Session s : owned) {
            if (s.dirty) n++;
        }
        return n;
    }

    /** Wall clock minus the current watermark; 0 before the first watermark and after the last. */
    private long watermarkLagMs() {
        long w = lastWatermark;
        return w == Long.MIN_VALUE || w == Long.MAX_VALUE ? 0 : System.currentTimeMillis() - w;
    }

    private List<Session> load() throws Exception {
        List<Session> owned = new ArrayList<>(2);
        Iterable<Session> stored = sessions.get();
        if (stored != null) stored.forEach(owned::add);
        return owned;
    }
}
