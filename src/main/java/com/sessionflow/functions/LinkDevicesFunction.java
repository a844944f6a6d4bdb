package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.DeviceLink;
import com.sessionflow.session.EventIntake;
import com.sessionflow.session.IdentityMerge;
import com.sessionflow.session.OwnerRateLimit;
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
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Merged identity, keyed by device_id: decides whose each anonymous event is ({@link
 * IdentityMerge}, {@link com.sessionflow.session.DeviceLinks}) without waiting for a login that may
 * never come. Its inputs are the device's anonymous events and the links its identified events make
 * ({@link SplitIdentities}; the identified events themselves go straight to the sessionizer). A
 * device's anonymous events before its first login are sessionized here, as the device's own, and
 * written when their gap expires ({@link #DEVICE_SESSIONS}); a login claims them: they are
 * retracted here and handed to the user's sessionizer ({@link #CLAIMED}). Anonymous events after a
 * login pass to the sessionizer as the user's, once the watermark passes their time.
 */
public class LinkDevicesFunction extends KeyedCoProcessFunction<String, Event, DeviceLink, Event> {

    private static final long serialVersionUID = 1L;

    /** The sessions of devices without a login, and their retractions when a login claims them. */
    public static final OutputTag<SessionChange> DEVICE_SESSIONS =
            new OutputTag<>("device-sessions", SessionChangeSerializer.TYPE);

    /** A device's sessions a login claimed, as its user's: to the sessionizer, by that user. */
    public static final OutputTag<Session> CLAIMED =
            new OutputTag<>("claimed-sessions", ClaimedSessionSerializer.TYPE);

    private final IdentityMerge merge;
    private final EventIntake intake;

    private transient ValueState<DeviceState> device;
    private transient ListState<Event> waiting;
    private transient OwnerSessionizer ownSessions;
    private transient Counter anonymousMerged;
    private transient Counter holdOverflow;

    /** The sessionizer's options: a device's own sessions follow the same rules. */
    public LinkDevicesFunction(
            OwnerTimeline timeline,
            long dedupHorizonMs,
            int inlineInsertIds,
            OwnerRateLimit rateLimit) {
        this.merge = new IdentityMerge(timeline);
        this.intake = OwnerSessionizer.intake(timeline, dedupHorizonMs, inlineInsertIds, rateLimit);
    }

    @Override
    public void open(OpenContext openContext) {
        device =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("device", DeviceState.class));
        waiting =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "waiting-anonymous-events",
                                        TypeInformation.of(Event.class)));
        // the device's own sessions share the key's timers with its claims and expiry
        ownSessions = new OwnerSessionizer(intake, getRuntimeContext(), true);
        anonymousMerged = getRuntimeContext().getMetricGroup().counter("anonymousEventsMerged");
        holdOverflow = getRuntimeContext().getMetricGroup().counter("anonymousEventsHoldOverflow");
    }

    /** An anonymous event of the device. */
    @Override
    public void processElement1(Event e, Context ctx, Collector<Event> out) throws Exception {
        DeviceState stored = device.value();
        DeviceState s = stored != null ? stored : new DeviceState();
        // most anonymous events change nothing of the device: it is then not written again
        boolean changed = stored == null;
        long watermark = ctx.timerService().currentWatermark();
        if (IdentityMerge.isDevicesOwn(e, s.links)) {
            ownSessions.onEvent(e, watermark, ctx.timerService(), emitter(ctx));
            changed |= !s.ownSessions;
            s.ownSessions = true;
            if (!s.links.isEmpty()) {
                claimWhenDue(s, watermark, ctx);
                changed = true;
            }
        } else if (s.ownSessions && ownSessions.isDuplicate(e, watermark)) {
            // a retry of an event the device kept as its own before its login was known: dropped
        } else if (e.time <= watermark) {
            emit(e, s, out);
        } else {
            waiting.add(e);
            s.held++;
            if (s.held > IdentityMerge.MAX_HELD) {
                // a runaway device: what waits goes on now, as the links say today
                holdOverflow.inc(s.held);
                release(s, Long.MAX_VALUE, ctx, out);
            } else {
                schedule(s, e.time, ctx);
            }
            changed = true;
        }
        // a device with links settles them as the watermark moves
        if (moveExpiry(s, e.time, ctx) || changed || !s.links.isEmpty()) store(s, watermark);
    }

    /** A user seen on the device. */
    @Override
    public void processElement2(DeviceLink link, Context ctx, Collector<Event> out)
            throws Exception {
        DeviceState s = device.value();
        if (s == null) s = new DeviceState();
        long watermark = ctx.timerService().currentWatermark();
        boolean first = s.links.isEmpty() || link.time < s.links.firstTime();
        s.links.link(link.time, link.userId);
        if (first && s.ownSessions) claimWhenDue(s, watermark, ctx);
        // a login can decide waiting events, or make them wait for its own time
        if (s.held > 0) release(s, watermark, ctx, out);
        moveExpiry(s, link.time, ctx);
        store(s, watermark);
    }

    /** Moves the device's expiry for an event at {@code time}; true when it moved. */
    private static boolean moveExpiry(DeviceState s, long time, Context ctx) {
        long expiry = IdentityMerge.expiry(time);
        if (expiry <= s.expiry) return false;
        s.expiry = expiry;
        ctx.timerService().registerEventTimeTimer(expiry);
        return true;
    }

    /** Settles the device's links and stores it. */
    private void store(DeviceState s, long watermark) throws Exception {
        merge.settle(s.links, watermark);
        device.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        DeviceState s = device.value();
        boolean due =
                s != null && s.releaseTimer != DeviceState.NO_TIMER && watermark >= s.releaseTimer;
        // claims first: a claimed session is not written (and forgotten) as the device's
        if (due) {
            s.releaseTimer = DeviceState.NO_TIMER;
            if (s.held > 0) release(s, watermark, ctx, out);
            if (s.ownSessions) claimWhenDue(s, watermark, ctx);
        }
        ownSessions.onTimer(watermark, ctx.timerService(), emitter(ctx));
        if (s == null) return;
        if (timestamp >= s.expiry && s.held == 0) {
            device.clear();
        } else if (due) {
            device.update(s);
        }
    }

    /**
     * Hands the device's own sessions its first login claims to that login's user, once the
     * watermark has passed the login (no earlier one can come any more); until then, sets a timer.
     */
    private void claimWhenDue(DeviceState s, long watermark, Context ctx) throws Exception {
        long due = s.links.firstTime();
        if (due > watermark) {
            schedule(s, due, ctx);
            return;
        }
        List<Session> claimed =
                ownSessions.release(
                        session -> merge.claims(session, s.links, s.claimedFrom),
                        watermark,
                        ctx.timerService(),
                        emitter(ctx));
        for (Session session : claimed) {
            s.claimedFrom = IdentityMerge.claimedFrom(s.claimedFrom, session);
            session.moveTo(IdentityMerge.claimant(session, s.links));
            anonymousMerged.inc(session.eventCount());
            ctx.output(CLAIMED, session);
        }
    }

    /**
     * Emits every waiting event whose owner is decided at {@code watermark}, keeps the others and
     * sets the timer for the earliest of them. An event that waited in a version before the device
     * kept sessions of its own becomes one of them now.
     *
     * @param upTo the watermark to release up to ({@link Long#MAX_VALUE}: all)
     */
    private void release(DeviceState s, long upTo, Context ctx, Collector<Event> out)
            throws Exception {
        List<Event> kept = new ArrayList<>();
        long next = Long.MAX_VALUE;
        long watermark = ctx.timerService().currentWatermark();
        for (Event e : waiting.get()) {
            if (IdentityMerge.isDevicesOwn(e, s.links)) {
                ownSessions.onEvent(e, watermark, ctx.timerService(), emitter(ctx));
                s.ownSessions = true;
            } else if (e.time <= upTo) {
                emit(e, s, out);
            } else {
                kept.add(e);
                next = Math.min(next, e.time);
            }
        }
        waiting.update(kept);
        s.held = kept.size();
        if (s.held > 0) schedule(s, next, ctx);
    }

    private void emit(Event e, DeviceState s, Collector<Event> out) {
        e.owner = s.links.ownerAt(e.time);
        anonymousMerged.inc();
        out.collect(e);
    }

    private void schedule(DeviceState s, long due, Context ctx) {
        if (s.releaseTimer == DeviceState.NO_TIMER || due < s.releaseTimer) {
            s.releaseTimer = due;
            ctx.timerService().registerEventTimeTimer(due);
        }
    }

    /**
     * The device's own sessions to {@link #DEVICE_SESSIONS}, its other records as the
     * sessionizer's.
     */
    private static OwnerSessionizer.Emitter emitter(Context ctx) {
        return OwnerSessionizer.emitter(ctx::output, c -> ctx.output(DEVICE_SESSIONS, c));
    }
}
