package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.EventIntake;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
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
 * Sessionizes one owner's events, keyed by owner. A thin shell around {@link OwnerTimeline}, {@link
 * InsertIds} and {@link OwnerRateLimit}: it keeps the owner's session summaries and pending timer
 * in one keyed value ({@link OwnerState}), the insert ids of an owner that sent many in buckets of
 * a map state, and turns the rules' times into event-time timers.
 *
 * <p>{@link EventIntake} judges each event (too late, duplicate, over its owner's rate, in or out
 * of session: session-rules §7) and says when the owner is next due; this class acts on it.
 *
 * <p>Emission: a session is emitted when the watermark reaches its close time. A late event (within
 * the allowed lateness) that changes an emitted session marks it changed and is due at the next
 * watermark, so a whole offline batch arriving between two watermarks yields one re-emission, with
 * revision + 1, and tombstones for ids the session no longer has.
 *
 * <p>Timers: an owner has at most one pending event-time timer, at the earliest time one of its
 * sessions is due (close, re-emission or purge) or its insert ids expire. Every event moves its
 * session's end, so a timer per event (and per purge) would pile up timers that fire for nothing:
 * the benchmark measured 12.5 timers per session and a third of the CPU spent on them.
 */
// openSessions has one writer, the task thread; the metrics thread only reads it
@SuppressWarnings("NonAtomicVolatileUpdate")
public class SessionizeFunction extends KeyedProcessFunction<String, Event, SessionChange> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-events") {};
    public static final OutputTag<Event> OUT_OF_SESSION =
            new OutputTag<>("out-of-session-events") {};
    public static final OutputTag<QuarantinedEvent> QUARANTINED =
            new OutputTag<>("quarantined-events") {};

    /** The name of the owner's keyed state ({@link OwnerState}). */
    public static final String STATE_NAME = "owner";

    /**
     * The name of the buckets of an owner's insert ids, once it has more than fit in its value
     * ({@link InsertIds}): bucket number to the ids (hash of device_id and insert_id, event time).
     */
    public static final String INSERT_ID_BUCKETS_STATE_NAME = "insert-id-buckets";

    /**
     * The name of the insert ids as state format 2 kept them, an entry per id (hash to event time):
     * read only to move them into buckets.
     */
    public static final String OLDER_INSERT_IDS_STATE_NAME = "insert-ids";

    private final OwnerTimeline timeline;

    private final InsertIds insertIds;

    private final OwnerRateLimit rateLimit;

    /** The order an event is judged in, and when an owner is next due. */
    private final EventIntake intake;

    private transient ValueState<OwnerState> ownerState;
    private transient MapState<Integer, DuplicateFilter> insertIdBuckets;
    private transient MapState<Long, Long> olderInsertIds;

    /**
     * The bucket the current event's duplicate check read (null: none there yet), so that
     * remembering its id does not read it again; {@code checkedBucket} is -1 before a check.
     */
    private transient DuplicateFilter checkedIds;

    private transient int checkedBucket;
    private transient Counter lateEvents;
    private transient Counter duplicateEvents;
    private transient Counter outOfSessionEvents;
    private transient Counter overRateEvents;
    private transient Counter sessionsEmitted;
    private transient Counter sessionRevisions;
    private transient Counter sessionRetractions;
    private transient Counter eventsIn;

    /**
     * Sessions of this subtask not emitted yet or changed since (counted since the subtask
     * started).
     */
    private transient volatile long openSessions;

    /** The last watermark this subtask saw, for the watermark-lag gauge. */
    private transient volatile long lastWatermark;

    private transient Histogram sessionLengths;

    /**
     * @param inlineInsertIds how many insert ids an owner keeps in its value ({@link
     *     InsertIds#inlineCapacityFor})
     */
    public SessionizeFunction(
            OwnerTimeline timeline,
            long dedupHorizonMs,
            int inlineInsertIds,
            OwnerRateLimit rateLimit) {
        this.timeline = timeline;
        this.insertIds = InsertIds.forHorizon(dedupHorizonMs, timeline, inlineInsertIds);
        this.rateLimit = rateLimit;
        this.intake = new EventIntake(timeline, insertIds, rateLimit);
    }

    /** The owner's keyed value, with its own serializer ({@link OwnerStateSerializer}). */
    public static ValueStateDescriptor<OwnerState> ownerStateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, OwnerStateSerializer.INSTANCE);
    }

    /** The buckets of an owner's insert ids, with their own serializer. */
    public static MapStateDescriptor<Integer, DuplicateFilter> insertIdBucketsDescriptor() {
        return new MapStateDescriptor<>(
                INSERT_ID_BUCKETS_STATE_NAME,
                IntSerializer.INSTANCE,
                InsertIdBucketSerializer.INSTANCE);
    }

    /** The insert ids of state format 2, an entry per id. */
    public static MapStateDescriptor<Long, Long> olderInsertIdsDescriptor() {
        return new MapStateDescriptor<>(OLDER_INSERT_IDS_STATE_NAME, Types.LONG, Types.LONG);
    }

    @Override
    public void open(OpenContext openContext) {
        ownerState = getRuntimeContext().getState(ownerStateDescriptor());
        insertIdBuckets = getRuntimeContext().getMapState(insertIdBucketsDescriptor());
        olderInsertIds = getRuntimeContext().getMapState(olderInsertIdsDescriptor());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        lateEvents = metrics.counter("lateEvents");
        duplicateEvents = metrics.counter("duplicateEvents");
        outOfSessionEvents = metrics.counter("outOfSessionEvents");
        overRateEvents = metrics.counter("overRateEvents");
        sessionsEmitted = metrics.counter("sessionsEmitted");
        sessionRevisions = metrics.counter("sessionRevisions");
        sessionRetractions = metrics.counter("sessionRetractions");
        eventsIn = metrics.counter("eventsIn");
        lastWatermark = Long.MIN_VALUE;
        metrics.gauge("openSessions", (Gauge<Long>) () -> Math.max(0, openSessions));
        metrics.gauge("watermarkLagMs", (Gauge<Long>) this::watermarkLagMs);
        // length of every emitted session record (a revision counts again), last 10000
        sessionLengths =
                metrics.histogram("sessionLengthMs", new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<SessionChange> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        eventsIn.inc();
        lastWatermark = watermark;
        checkedBucket = -1;
        OwnerState state = ownerState.value();
        if (state == null) state = new OwnerState();
        else bucketOlderInsertIds(state, watermark);
        if (rateLimit.applies() && state.rate == null) state.rate = new EventRate();
        OwnerState owner = state;
        EventIntake.Judgement judged =
                intake.judge(
                        event, watermark, state.rate, hash -> isDuplicate(owner, hash, watermark));
        if (judged.overRate()) {
            overRateEvents.inc();
            if (rateLimit.action() == OwnerRateLimit.Action.QUARANTINE) {
                ctx.output(
                        QUARANTINED,
                        new QuarantinedEvent(
                                event, rateLimit.eventsPerMinute(), state.rate.minute));
            }
        }
        switch (judged.verdict()) {
            case TOO_LATE -> {
                lateEvents.inc();
                ctx.output(
                        LATE,
                        new LateEvent(event, watermark, timeline.placementDeadline(event.time)));
            }
            case DUPLICATE -> duplicateEvents.inc();
            case HELD_BACK -> {
                List<Session> owned = state.sessionList();
                long pendingBefore = pending(owned);
                OwnerRateLimit.flag(owned, event.time);
                keep(state, owned, pendingBefore, watermark, ctx.timerService());
            }
            case OUT_OF_SESSION -> {
                if (judged.remember()) {
                    remember(state, judged.insertIdHash(), event.time, watermark);
                }
                outOfSessionEvents.inc();
                ctx.output(OUT_OF_SESSION, event);
                // nothing to keep in the owner's value, unless its insert id or rate changed it
                if (judged.remember() || rateLimit.applies()) {
                    List<Session> owned = state.sessionList();
                    keep(state, owned, pending(owned), watermark, ctx.timerService());
                }
            }
            case IN_SESSION -> {
                if (judged.remember()) {
                    remember(state, judged.insertIdHash(), event.time, watermark);
                }
                List<Session> owned = state.sessionList();
                long pendingBefore = pending(owned);
                timeline.place(owned, event);
                if (judged.overRate()) OwnerRateLimit.flag(owned, event.time);
                keep(state, owned, pendingBefore, watermark, ctx.timerService());
            }
        }
    }

    /**
     * Stores the owner's sessions (counting the newly pending ones) and sets its timer; an owner
     * with nothing else to keep is not stored for its rate alone.
     */
    private void keep(
            OwnerState state,
            List<Session> owned,
            long pendingBefore,
            long watermark,
            TimerService timers)
            throws Exception {
        openSessions += pending(owned) - pendingBefore;
        state.keep(owned);
        if (state.isEmpty()) return;
        schedule(state, watermark, timers);
        ownerState.update(state);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionChange> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        lastWatermark = watermark;
        OwnerState state = ownerState.value();
        if (state == null) return;
        bucketOlderInsertIds(state, watermark);
        state.pendingTimer = OwnerState.NO_TIMER;
        if (state.sessions.length > 0) {
            List<Session> owned = state.sessionList();
            long pendingBefore = pending(owned);
            timeline.advance(
                    owned,
                    watermark,
                    change -> {
                        if (change.isRetraction()) sessionRetractions.inc();
                        else if (change.session.revision == 1) sessionsEmitted.inc();
                        else sessionRevisions.inc();
                        if (!change.isRetraction())
                            sessionLengths.update(change.session.lengthMs());
                        out.collect(change);
                    });
            openSessions += pending(owned) - pendingBefore;
            state.keep(owned);
        }
        if (state.seen != null && state.seen.forget(insertIds, watermark)) state.seen = null;
        if (state.insertIdSweep != InsertIds.NONE && watermark >= state.insertIdSweep) {
            sweepInsertIds(state, watermark);
        }
        schedule(state, watermark, ctx.timerService());
        if (state.isEmpty()) ownerState.clear();
        else ownerState.update(state);
    }

    /**
     * Keeps the owner's one timer at or before the earliest time something is due: a changed
     * session's close time (or the next watermark, for one already past it), a session's purge
     * time, or the next sweep of its insert ids.
     */
    private void schedule(OwnerState state, long watermark, TimerService timers) {
        long next = intake.nextDue(state.sessions, state.seen, state.insertIdSweep, watermark);
        long current = state.pendingTimer;
        // an earlier timer stays: firing early costs one look at the owner, which then sets the
        // next one, while moving the timer on every event (each moves its session's end) costs a
        // delete and a register per event
        if (current != OwnerState.NO_TIMER && current <= next) return;
        if (current != OwnerState.NO_TIMER) timers.deleteEventTimeTimer(current);
        if (next != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(next);
            state.pendingTimer = next;
        }
    }

    private boolean isDuplicate(OwnerState state, long hash, long watermark) throws Exception {
        if (state.seen != null && state.seen.remembers(hash, insertIds, watermark)) return true;
        if (state.insertIdSweep == InsertIds.NONE) return false;
        checkedBucket = bucketOf(state, hash);
        checkedIds = insertIdBuckets.get(checkedBucket);
        return checkedIds != null && checkedIds.remembers(hash, insertIds, watermark);
    }

    /**
     * Remembers an insert id: inline while the owner has few, else in its bucket (all of the inline
     * ones move to buckets when they overflow). Either way the owner's value changes: its inline
     * ids, or its buckets' count and sweep.
     */
    private void remember(OwnerState state, long hash, long time, long watermark) throws Exception {
        if (state.insertIdSweep == InsertIds.NONE) {
            if (state.seen == null) state.seen = new DuplicateFilter();
            int capacity = insertIds.inlineCapacity();
            if (state.seen.size() >= capacity) state.seen.forget(insertIds, watermark);
            state.seen.add(hash, time);
            if (state.seen.size() <= capacity) return;
            DuplicateFilter overflow = state.seen;
            state.seen = null;
            putIntoBuckets(state, List.of(overflow), watermark);
            return;
        }
        int b = bucketOf(state, hash);
        DuplicateFilter bucket = b == checkedBucket ? checkedIds : insertIdBuckets.get(b);
        if (bucket == null) bucket = new DuplicateFilter();
        state.bucketedInsertIds -= bucket.size();
        bucket.forget(insertIds, watermark);
        bucket.add(hash, time);
        state.bucketedInsertIds += bucket.size();
        insertIdBuckets.put(b, bucket);
        sweepNoLaterThan(state, time);
        if (InsertIds.needsSplit(
                state.bucketedInsertIds, state.insertIdBits, state.insertIdSplit)) {
            splitNextBucket(state, watermark);
        }
    }

    private static int bucketOf(OwnerState state, long hash) {
        return InsertIds.bucketOf(hash, state.insertIdBits, state.insertIdSplit);
    }

    /** Puts ids into the owner's empty buckets, as many as their number needs. */
    private void putIntoBuckets(OwnerState state, List<DuplicateFilter> ids, long watermark)
            throws Exception {
        long n = 0;
        for (DuplicateFilter f : ids) n += f.size();
        state.insertIdBits = InsertIds.bucketBitsFor(n);
        state.insertIdSplit = 0;
        state.bucketedInsertIds = 0;
        for (Map.Entry<Integer, DuplicateFilter> bucket :
                DuplicateFilter.regroup(ids, hash -> bucketOf(state, hash), insertIds, watermark)
                        .entrySet()) {
            insertIdBuckets.put(bucket.getKey(), bucket.getValue());
            state.bucketedInsertIds += bucket.getValue().size();
            sweepNoLaterThan(state, bucket.getValue().earliest());
        }
        if (state.bucketedInsertIds == 0) state.insertIdSweep = InsertIds.NONE;
    }

    /** Splits the owner's next bucket into itself and its twin {@code 2^bits} above. */
    private void splitNextBucket(OwnerState state, long watermark) throws Exception {
        int split = state.insertIdSplit;
        int twin = split + (1 << state.insertIdBits);
        long bit = 1L << state.insertIdBits;
        if (++state.insertIdSplit == 1 << state.insertIdBits) {
            state.insertIdBits++;
            state.insertIdSplit = 0;
        }
        DuplicateFilter bucket = insertIdBuckets.get(split);
        if (bucket == null) return;
        state.bucketedInsertIds -= bucket.size();
        DuplicateFilter moved = bucket.splitOff(bit, insertIds, watermark);
        state.bucketedInsertIds += bucket.size() + moved.size();
        if (bucket.size() > 0) insertIdBuckets.put(split, bucket);
        else insertIdBuckets.remove(split);
        if (moved.size() > 0) insertIdBuckets.put(twin, moved);
    }

    /**
     * Moves the insert ids of an owner restored from state format 2 (an entry per id) into buckets,
     * once, when the owner is next seen.
     */
    private void bucketOlderInsertIds(OwnerState state, long watermark) throws Exception {
        if (state.insertIdSweep == InsertIds.NONE || state.insertIdBits != InsertIds.OLDER_LAYOUT) {
            return;
        }
        List<DuplicateFilter> older = new ArrayList<>();
        for (Map.Entry<Long, Long> id : olderInsertIds.entries()) {
            DuplicateFilter one = new DuplicateFilter();
            one.add(id.getKey(), id.getValue());
            older.add(one);
        }
        olderInsertIds.clear();
        state.insertIdSweep = InsertIds.NONE;
        putIntoBuckets(state, older, watermark);
        // stored now: a duplicate or too-late event does not store the owner's value
        ownerState.update(state);
    }

    /** Brings the next sweep forward to the expiry of an id at {@code time}. */
    private void sweepNoLaterThan(OwnerState state, long time) {
        long expiry = insertIds.expiry(time);
        if (state.insertIdSweep == InsertIds.NONE || state.insertIdSweep > expiry) {
            state.insertIdSweep = expiry;
        }
    }

    /** Drops the owner's expired insert ids from every bucket and sets the next sweep. */
    private void sweepInsertIds(OwnerState state, long watermark) throws Exception {
        long oldest = InsertIds.NONE;
        long held = 0;
        Iterator<Map.Entry<Integer, DuplicateFilter>> it = insertIdBuckets.iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, DuplicateFilter> entry = it.next();
            DuplicateFilter bucket = entry.getValue();
            int before = bucket.size();
            if (bucket.forget(insertIds, watermark)) {
                it.remove();
                continue;
            }
            if (bucket.size() != before) entry.setValue(bucket);
            held += bucket.size();
            long earliest = bucket.earliest();
            if (oldest == InsertIds.NONE || earliest < oldest) oldest = earliest;
        }
        // an emptied map still holds the owner's key on the heap backend
        if (oldest == InsertIds.NONE) insertIdBuckets.clear();
        state.bucketedInsertIds = held;
        state.insertIdSweep = insertIds.nextSweep(oldest, watermark);
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
}
