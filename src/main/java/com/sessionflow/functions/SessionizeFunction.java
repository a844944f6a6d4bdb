package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.EventIntake;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sessionizes one owner's events, keyed by owner: judge, store, emit. {@link EventIntake} judges
 * each event (too late, duplicate, over its owner's rate, in or out of session: session-rules §7)
 * and {@link OwnerTimeline} places it; {@link OwnerStore} keeps the owner's value and its one
 * timer, {@link InsertIdStore} its insert ids; this class moves between them, emits and counts.
 *
 * <p>Emission: a session is emitted when the watermark reaches its close time. A late event (within
 * the allowed lateness) that changes an emitted session marks it changed and is due at the next
 * watermark, so a whole offline batch arriving between two watermarks yields one re-emission, with
 * revision + 1, and tombstones for ids the session no longer has.
 */
public class SessionizeFunction extends KeyedProcessFunction<String, Event, SessionChange> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-events") {};
    public static final OutputTag<Event> OUT_OF_SESSION =
            new OutputTag<>("out-of-session-events") {};
    public static final OutputTag<QuarantinedEvent> QUARANTINED =
            new OutputTag<>("quarantined-events") {};

    private final OwnerTimeline timeline;
    private final OwnerRateLimit rateLimit;

    /** The order an event is judged in, and when an owner is next due. */
    private final EventIntake intake;

    private transient OwnerStore owners;
    private transient InsertIdStore insertIds;
    private transient SessionizerMetrics metrics;

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
        this.rateLimit = rateLimit;
        this.intake =
                new EventIntake(
                        timeline,
                        InsertIds.forHorizon(dedupHorizonMs, timeline, inlineInsertIds),
                        rateLimit);
    }

    @Override
    public void open(OpenContext openContext) {
        insertIds =
                new InsertIdStore(
                        intake.insertIds(),
                        getRuntimeContext().getMapState(InsertIdStore.bucketsDescriptor()),
                        getRuntimeContext().getMapState(InsertIdStore.olderEntriesDescriptor()));
        owners = new OwnerStore(getRuntimeContext().getState(OwnerStore.descriptor()), insertIds);
        metrics = new SessionizerMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<SessionChange> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        metrics.eventIn(watermark);
        OwnerState stored = owners.read(watermark);
        OwnerState owner = stored != null ? stored : new OwnerState();
        if (rateLimit.applies() && owner.rate == null) owner.rate = new EventRate();
        EventIntake.Judgement judged =
                intake.judge(
                        event,
                        watermark,
                        owner.rate,
                        hash -> insertIds.remembers(owner, hash, watermark));
        if (judged.overRate()) {
            metrics.overRate();
            if (rateLimit.action() == OwnerRateLimit.Action.QUARANTINE) {
                ctx.output(
                        QUARANTINED,
                        new QuarantinedEvent(
                                event, rateLimit.eventsPerMinute(), owner.rate.minute()));
            }
        }
        if (judged.remember()) {
            insertIds.remember(owner, judged.insertIdHash(), event.time, watermark);
        }
        switch (judged.verdict()) {
            case TOO_LATE -> {
                metrics.late();
                ctx.output(
                        LATE,
                        new LateEvent(event, watermark, timeline.placementDeadline(event.time)));
            }
            case DUPLICATE -> metrics.duplicate();
            case HELD_BACK, IN_SESSION -> {
                List<Session> owned = owner.sessionList();
                long pendingBefore = pending(owned);
                if (judged.verdict() == EventIntake.Verdict.IN_SESSION)
                    timeline.place(owned, event);
                if (judged.overRate()) OwnerRateLimit.flag(owned, event.time);
                keep(owner, owned, pendingBefore, watermark, ctx.timerService());
            }
            case OUT_OF_SESSION -> {
                metrics.outOfSession();
                ctx.output(OUT_OF_SESSION, event);
                // nothing to keep in the owner's value, unless its insert id or rate changed it
                if (judged.remember() || rateLimit.applies()) {
                    List<Session> owned = owner.sessionList();
                    keep(owner, owned, pending(owned), watermark, ctx.timerService());
                }
            }
        }
    }

    /**
     * Stores the owner's sessions (counting the newly pending ones) and sets its timer; an owner
     * with nothing else to keep is not stored for its rate alone.
     */
    private void keep(
            OwnerState owner,
            List<Session> owned,
            long pendingBefore,
            long watermark,
            TimerService timers)
            throws Exception {
        metrics.pending(pending(owned) - pendingBefore);
        owner.keep(owned);
        if (!owner.isEmpty()) owners.write(owner, nextDue(owner, watermark), timers);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionChange> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        metrics.timerAt(watermark);
        OwnerState owner = owners.read(watermark);
        if (owner == null) return;
        OwnerStore.timerFired(owner);
        if (owner.sessions.length > 0) {
            List<Session> owned = owner.sessionList();
            long pendingBefore = pending(owned);
            timeline.advance(
                    owned,
                    watermark,
                    change -> {
                        metrics.emitted(change);
                        out.collect(change);
                    });
            metrics.pending(pending(owned) - pendingBefore);
            owner.keep(owned);
        }
        insertIds.expire(owner, watermark);
        owners.write(owner, nextDue(owner, watermark), ctx.timerService());
    }

    private long nextDue(OwnerState owner, long watermark) {
        return intake.nextDue(owner.sessions, owner.seen, owner.insertIdSweep, watermark);
    }

    private static long pending(List<Session> owned) {
        long n = 0;
        for (Session s : owned) {
            if (s.isPending()) n++;
        }
        return n;
    }
}
