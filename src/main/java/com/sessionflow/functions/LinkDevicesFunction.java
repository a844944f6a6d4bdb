package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.IdentityMerge;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code --identity merged}: keyed by device_id, gives each anonymous event the person it belongs
 * to ({@link IdentityMerge}, {@link com.sessionflow.session.DeviceLinks}) before the sessionizer,
 * which is keyed by that owner. Identified events pass at once and link their device; anonymous
 * ones wait in a list state until their owner is decided.
 */
public class LinkDevicesFunction extends KeyedProcessFunction<String, Event, Event> {

    private static final long serialVersionUID = 1L;

    private final IdentityMerge merge;

    private transient ValueState<DeviceState> device;
    private transient ListState<Event> waiting;
    private transient Counter anonymousMerged;
    private transient Counter holdOverflow;

    public LinkDevicesFunction(IdentityMerge merge) {
        this.merge = merge;
    }

    /** The key of the linker: the device, or for an event without one its owner (passed on). */
    public static String keyOf(Event e) {
        return e.deviceId != null ? e.deviceId : e.owner;
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
        anonymousMerged = getRuntimeContext().getMetricGroup().counter("anonymousEventsMerged");
        holdOverflow = getRuntimeContext().getMetricGroup().counter("anonymousEventsHoldOverflow");
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        if (e.deviceId == null) {
            out.collect(e);
            return;
        }
        DeviceState s = device.value();
        if (s == null) s = new DeviceState();
        long watermark = ctx.timerService().currentWatermark();
        if (!IdentityMerge.isAnonymous(e)) {
            s.links.link(e.time, e.userId);
            out.collect(e);
            // a login can decide waiting events, or make them wait for its own time
            if (s.held > 0) release(s, watermark, ctx, out);
        } else if (merge.releaseTime(e.time, s.links) <= watermark) {
            emit(e, s, out);
        } else {
            waiting.add(e);
            s.held++;
            if (s.held > IdentityMerge.MAX_HELD) {
                // a runaway anonymous device: what waits goes on now, as the links say today
                holdOverflow.inc(s.held);
                release(s, Long.MAX_VALUE, ctx, out);
            } else {
                schedule(s, merge.releaseTime(e.time, s.links), ctx);
            }
        }
        merge.settle(s.links, watermark);
        long expiry = IdentityMerge.expiry(e.time);
        if (expiry > s.expiry) {
            s.expiry = expiry;
            ctx.timerService().registerEventTimeTimer(expiry);
        }
        device.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) throws Exception {
        DeviceState s = device.value();
        if (s == null) return;
        if (s.held > 0 && timestamp >= s.releaseTimer) release(s, timestamp, ctx, out);
        if (timestamp >= s.expiry && s.held == 0) {
            device.clear();
            return;
        }
        device.update(s);
    }

    /**
     * Emits every waiting event whose owner is decided at {@code watermark}, keeps the others and
     * sets the timer for the earliest of them.
     */
    private void release(DeviceState s, long watermark, Context ctx, Collector<Event> out)
            throws Exception {
        List<Event> kept = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (Event e : waiting.get()) {
            long due = merge.releaseTime(e.time, s.links);
            if (due <= watermark) {
                emit(e, s, out);
            } else {
                kept.add(e);
                next = Math.min(next, due);
            }
        }
        waiting.update(kept);
        s.held = kept.size();
        s.releaseTimer = DeviceState.NO_TIMER;
        if (s.held > 0) schedule(s, next, ctx);
    }

    private void emit(Event e, DeviceState s, Collector<Event> out) {
        e.owner = merge.ownerOf(e, s.links);
        if (!e.owner.equals(e.deviceId)) anonymousMerged.inc();
        out.collect(e);
    }

    private void schedule(DeviceState s, long due, Context ctx) {
        if (s.releaseTimer == DeviceState.NO_TIMER || due < s.releaseTimer) {
            s.releaseTimer = due;
            ctx.timerService().registerEventTimeTimer(due);
        }
    }
}
