package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.EventIntake;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The sessionizer under {@code --identity merged}, keyed by person: {@link SessionizeFunction}'s
 * events, plus the sessions a device kept as its own until a login showed whose they were ({@link
 * LinkDevicesFunction}), merged into the person's own. Same uid, state and outputs as {@link
 * SessionizeFunction}, so a job can switch identity modes from a savepoint.
 */
public class SessionizePersonsFunction
        extends KeyedCoProcessFunction<String, Event, Session, SessionChange> {

    private static final long serialVersionUID = 1L;

    private final EventIntake intake;

    private transient OwnerSessionizer persons;

    public SessionizePersonsFunction(
            OwnerTimeline timeline,
            long dedupHorizonMs,
            int inlineInsertIds,
            OwnerRateLimit rateLimit) {
        this.intake = OwnerSessionizer.intake(timeline, dedupHorizonMs, inlineInsertIds, rateLimit);
    }

    @Override
    public void open(OpenContext openContext) {
        persons = new OwnerSessionizer(intake, getRuntimeContext(), false);
    }

    @Override
    public void processElement1(Event event, Context ctx, Collector<SessionChange> out)
            throws Exception {
        persons.onEvent(
                event,
                ctx.timerService().currentWatermark(),
                ctx.timerService(),
                OwnerSessionizer.emitter(ctx::output, out::collect));
    }

    @Override
    public void processElement2(Session claimed, Context ctx, Collector<SessionChange> out)
            throws Exception {
        persons.adopt(claimed, ctx.timerService().currentWatermark(), ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionChange> out)
            throws Exception {
        persons.onTimer(
                ctx.timerService().currentWatermark(),
                ctx.timerService(),
                OwnerSessionizer.emitter(ctx::output, out::collect));
    }
}
