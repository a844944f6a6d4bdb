package com.sessionflow.session;

/**
 * An owner's recent event rate, as {@link OwnerRateLimit} counts it: its latest minute of event
 * time and the events counted in it. Two fields, kept in the owner's value. A Flink POJO.
 */
public class EventRate {

    /** No minute counted yet. */
    public static final long NO_MINUTE = Long.MIN_VALUE;

    /** Start (epoch ms) of the latest minute of event time the owner had an event in. */
    public long minute = NO_MINUTE;

    /** Events counted towards {@link #minute}. */
    public int count;

    public EventRate() {}
}
