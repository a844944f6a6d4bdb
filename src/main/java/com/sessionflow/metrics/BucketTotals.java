package com.sessionflow.metrics;

import com.sessionflow.session.ZeroLengthCause;

/**
 * The exact counters of one bucket and platform (Flink state, a POJO). Users and the length
 * histogram live in map states next to it.
 */
public class BucketTotals {

    public long bucketStart;
    public String platform;
    public long sessions;

    /** Sessions in the length measures: neither empty nor over the limit. */
    public long lengthSessions;

    public long timeSpentMs;
    public long events;

    /** Events of its sessions that carried no session_id (Amplitude puts them out of session). */
    public long eventsWithoutSessionId;

    public long zeroLengthSessions;

    /** Zero-length sessions by cause ({@link ZeroLengthCause}). */
    public long zeroLengthOneEvent;

    public long zeroLengthMarkersOnly;
    public long zeroLengthOneInstant;
    public long zeroLengthSessionIdAfterEvents;

    public long emptySessions;
    public long overLimitSessions;
    public long engagedSessions;
    public long outOfSessionEvents;

    /** Owners with at least one session here (number of entries of the users map state). */
    public long distinctUsers;

    /** Sessions per length bin. */
    public long[] bins;

    /** The latest purge time of any session version added here. */
    public long latestPurge = Long.MIN_VALUE;

    /** The event-time timer registered for finality (0 = none yet). */
    public long finalTimer;

    /** The processing-time timer registered for the next emission (0 = none). */
    public long emitTimer;

    /** Changed since the last emitted record. */
    public boolean changed;

    /** A record of this bucket has been emitted. */
    public boolean emitted;

    public BucketTotals() {}
}
