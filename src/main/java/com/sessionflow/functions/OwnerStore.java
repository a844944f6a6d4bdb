package com.sessionflow.functions;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;

/**
 * Where the sessionizer keeps an owner: its value ({@link OwnerState}, read and written once per
 * event) and its one pending event-time timer.
 *
 * <p>One timer per owner, at the earliest time anything of it is due: every event moves its
 * session's end, so a timer per event (and per purge) would pile up timers that fire for nothing.
 * The benchmark measured 12.5 timers per session and a third of the CPU spent on them.
 */
public final class OwnerStore {

    /** The name of the owner's keyed value. */
    static final String STATE_NAME = "owner";

    private final ValueState<OwnerState> value;
    private final InsertIdStore insertIds;

    /** Other timers are set on the key: never delete one, it may be theirs too. */
    private final boolean sharesTimers;

    OwnerStore(ValueState<OwnerState> value, InsertIdStore insertIds, boolean sharesTimers) {
        this.value = value;
        this.insertIds = insertIds;
        this.sharesTimers = sharesTimers;
    }

    /** The owner's keyed value, with its own serializer ({@link OwnerStateSerializer}). */
    public static ValueStateDescriptor<OwnerState> descriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, OwnerStateSerializer.INSTANCE);
    }

    /**
     * The current owner's value, null for an owner not seen (or forgotten); one restored with its
     * insert ids in the layout of state format 2 has them moved into buckets, and is stored.
     */
    OwnerState read(long watermark) throws Exception {
        OwnerState owner = value.value();
        if (owner == null) return null;
        // stored now: a duplicate or too-late event does not store the owner's value
        if (insertIds.bucketOlderLayout(owner, watermark)) value.update(owner);
        return owner;
    }

    /**
     * Stores the owner, or forgets it when nothing is left to keep, and moves its timer to {@code
     * due} ({@link Long#MAX_VALUE}: nothing is).
     */
    void write(OwnerState owner, long due, TimerService timers) throws Exception {
        long current = owner.pendingTimer;
        // an earlier timer stays: firing early costs one look at the owner, which then sets the
        // next one, while moving the timer on every event (each moves its session's end) costs a
        // delete and a register per event
        if (current == OwnerState.NO_TIMER || current > due) {
            // a timer left behind fires for nothing: one look at the owner
            if (current != OwnerState.NO_TIMER && !sharesTimers) {
                timers.deleteEventTimeTimer(current);
            }
            owner.pendingTimer = OwnerState.NO_TIMER;
            if (due != Long.MAX_VALUE) {
                timers.registerEventTimeTimer(due);
                owner.pendingTimer = due;
            }
        }
        if (owner.isEmpty()) value.clear();
        else value.update(owner);
    }

    /** The owner's timer fired: none is pending until {@link #write} sets the next one. */
    static void timerFired(OwnerState owner) {
        owner.pendingTimer = OwnerState.NO_TIMER;
    }
}
