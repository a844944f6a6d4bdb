package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.EventIntake;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.SessionChange;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sessionizes one owner's events, keyed by owner: judge, store, emit. {@link EventIntake} judges
 * each event (too late, duplicate, over its owner's rate, in or out of session: session-rules §7)
 * and {@link OwnerTimeline} places it; {@link OwnerStore} keeps the owner's value and its one
 * timer, {@link InsertIdStore} its insert ids; {@link OwnerSessionizer} moves between them.
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
            new OutputTag<>("out-of-session-events", EventSerializer.TYPE);
    public static final OutputTag<QuarantinedEvent> QUARANTINED =
            new OutputTag<>("quarantined-events") {};

    /** The order an event is judged in, and when an owner is next due. */
    private final EventIntake intake;

    private transient OwnerSessionizer owners;

    /**
     * @param inlineInsertIds how many insert ids an owner keeps in its value ({@link
     *     InsertIds#inlineCapacityFor})
     */
    public SessionizeFunction(
            OwnerTimeline timeline,
            long dedupHorizonMs,
            int inlineInsertIds,
            OwnerRateLimit rateLimit) {
        this.intake = OwnerSessionizer.intake(timeline, dedupHorizonMs, inlineInsertIds, rateLimit);
    }

    @Override
    public void open(OpenContext openContext) {
        owners = new OwnerSessionizer(intake, getRuntimeContext(), false);
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<SessionChange> out)
            throws Exception {
        owners.onEvent(
                event,
                ctx.timerService().currentWatermark(),
                ctx.timerService(),
                OwnerSessionizer.emitter(ctx::output, out::collect));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionChange> out)
            throws Exception {
        owners.onTimer(
                ctx.timerService().currentWatermark(),
                ctx.timerService(),
                OwnerSessionizer.emitter(ctx::output, out::collect));
    }
}
