package com.sessionflow.session;

/**
 * An owner's recent event rate, as {@link OwnerRateLimit} counts it: its latest minute of event
 * time and the events counted in it. Two numbers, kept in the owner's value.
 */
public final class EventRate {

    /** No minute counted yet. */
    public static final long NO_MINUTE = Long.MIN_VALUE;

    /** Start (epoch ms) of the latest minute of event time the owner had an event in. */
    long minute = NO_MINUTE;

    /** Events counted towards {@link #minute}. */
    int count;

    public EventRate() {}

    /** A rate restored from state. */
    public static EventRate of(long minute, int count) {
        EventRate rate = new EventRate();
        rate.minute = minute;
        rate.count = count;
        return rate;
    }

    public long minute() {
        return minute;
    }

    public int count() {
        return count;
    }
}
