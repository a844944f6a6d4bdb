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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.OutputTag;

/**
 * Judge, store, emit for the current key's owner: what the sessionizer does with an event, a timer
 * and a session claimed by a login, against its stores. The sessionizer (keyed by owner) and the
 * device linker (its devices' own sessions before a login, keyed by device) each hold one; the
 * operator only passes in the watermark, its timers and where records go.
 */
final class OwnerSessionizer {

    /** Where the records of an owner go. */
    interface Emitter {
        void session(SessionChange change);

        void late(LateEvent event);

        void outOfSession(Event event);

        void quarantined(QuarantinedEvent event);
    }

    /** A keyed function's side outputs ({@code Context::output}). */
    interface SideOutputs {
        <X> void output(OutputTag<X> tag, X value);
    }

    /**
     * Sessions to {@code sessions}; late, out-of-session and quarantined events to the side outputs
     * of {@link SessionizeFunction}.
     */
    static Emitter emitter(SideOutputs side, Consumer<SessionChange> sessions) {
        return new Emitter() {
            @Override
            public void session(SessionChange change) {
                sessions.accept(change);
            }

            @Override
            public void late(LateEvent event) {
                side.output(SessionizeFunction.LATE, event);
            }

            @Override
            public void outOfSession(Event event) {
                side.output(SessionizeFunction.OUT_OF_SESSION, event);
            }

            @Override
            public void quarantined(QuarantinedEvent event) {
                side.output(SessionizeFunction.QUARANTINED, event);
            }
        };
    }

    private final EventIntake intake;
    private final OwnerTimeline timeline;
    private final OwnerRateLimit rateLimit;
    private final OwnerStore owners;
    private final InsertIdStore insertIds;
    private final SessionizerMetrics metrics;

    /**
     * @param sharesTimers the operator sets other timers on the key too: the owner's timer is never
     *     deleted, as a timer at the same time may be another's ({@link OwnerStore})
     */
    OwnerSessionizer(EventIntake intake, RuntimeContext context, boolean sharesTimers) {
        this.intake = intake;
        this.timeline = intake.timeline();
        this.rateLimit = intake.rateLimit();
        this.insertIds =
                new InsertIdStore(
                        intake.insertIds(),
                        context.getMapState(InsertIdStore.bucketsDescriptor()),
                        context.getMapState(InsertIdStore.olderEntriesDescriptor()));
        this.owners =
                new OwnerStore(context.getState(OwnerStore.descriptor()), insertIds, sharesTimers);
        this.metrics = new SessionizerMetrics(context.getMetricGroup());
    }

    /** The judge of events for the sessionizer's options. */
    static EventIntake intake(
            OwnerTimeline timeline,
            long dedupHorizonMs,
            int inlineInsertIds,
            OwnerRateLimit rateLimit) {
        return new EventIntake(
                timeline,
                InsertIds.forHorizon(dedupHorizonMs, timeline, inlineInsertIds),
                rateLimit);
    }

    /** Judges the event, places it among the owner's sessions and stores them. */
    void onEvent(Event event, long watermark, TimerService timers, Emitter out) throws Exception {
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
                out.quarantined(
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
                out.late(new LateEvent(event, watermark, timeline.placementDeadline(event.time)));
            }
            case DUPLICATE -> metrics.duplicate();
            case HELD_BACK, IN_SESSION -> {
                List<Session> owned = owner.sessionList();
                long pendingBefore = pending(owned);
                if (judged.verdict() == EventIntake.Verdict.IN_SESSION)
                    timeline.place(owned, event);
                if (judged.overRate()) OwnerRateLimit.flag(owned, event.time);
                keep(owner, owned, pendingBefore, watermark, timers);
            }
            case OUT_OF_SESSION -> {
                metrics.outOfSession();
                out.outOfSession(event);
                // nothing to keep in the owner's value, unless its insert id or rate changed it
                if (judged.remember() || rateLimit.applies()) {
                    List<Session> owned = owner.sessionList();
                    keep(owner, owned, pending(owned), watermark, timers);
                }
            }
        }
    }

    /**
     * Whether the owner has seen an event with the insert id of {@code event} (counted as a
     * duplicate): for an event that goes on to another owner.
     */
    boolean isDuplicate(Event event, long watermark) throws Exception {
        if (!intake.insertIds().applies(event.insertId)) return false;
        OwnerState owner = owners.read(watermark);
        boolean seen =
                owner != null
                        && insertIds.remembers(
                                owner, InsertIds.hash(event.deviceId, event.insertId), watermark);
        if (seen) metrics.duplicate();
        return seen;
    }

    /** Emits what is due at {@code watermark}, forgets what is past, and sets the next timer. */
    void onTimer(long watermark, TimerService timers, Emitter out) throws Exception {
        metrics.timerAt(watermark);
        OwnerState owner = owners.read(watermark);
        if (owner == null) return;
        OwnerStore.timerFired(owner);
        if (owner.sessions.length > 0) {
            List<Session> owned = owner.sessionList();
            long pendingBefore = pending(owned);
            timeline.advance(owned, watermark, counted(out));
            metrics.pending(pending(owned) - pendingBefore);
            owner.keep(owned);
        }
        insertIds.expire(owner, watermark);
        owners.write(owner, nextDue(owner, watermark), timers);
    }

    /**
     * Takes the owner's sessions that {@code claimed} selects out of its keeping, retracting the
     * keys they were emitted under; the caller hands them to their new owner.
     */
    List<Session> release(
            Predicate<Session> claimed, long watermark, TimerService timers, Emitter out)
            throws Exception {
        OwnerState owner = owners.read(watermark);
        if (owner == null) return List.of();
        List<Session> owned = owner.sessionList();
        List<Session> released = new ArrayList<>();
        long pendingBefore = pending(owned);
        for (Session s : owned) {
            if (claimed.test(s)) released.add(s);
        }
        if (released.isEmpty()) return released;
        owned.removeAll(released);
        for (Session s : released) timeline.retract(s, counted(out));
        metrics.pending(pending(owned) - pendingBefore);
        owner.keep(owned);
        owners.write(owner, nextDue(owner, watermark), timers);
        return released;
    }

    /** Merges a session another owner's login handed over into the owner's sessions. */
    void adopt(Session claimed, long watermark, TimerService timers) throws Exception {
        OwnerState stored = owners.read(watermark);
        OwnerState owner = stored != null ? stored : new OwnerState();
        List<Session> owned = owner.sessionList();
        long pendingBefore = pending(owned);
        timeline.adopt(owned, claimed);
        keep(owner, owned, pendingBefore, watermark, timers);
    }

    /** Session changes to {@code out}, counted. */
    private Consumer<SessionChange> counted(Emitter out) {
        return change -> {
            metrics.emitted(change);
            out.session(change);
        };
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
