package com.sessionflow.metrics;

import java.util.Objects;

/** What the metrics keep of one version of a session (a Flink POJO: small, constant size). */
public class SessionFacts {

    public String owner;

    /** Never null: a missing platform is "unknown". */
    public String platform;

    /** Start of the bucket of the session's start (session_id). */
    public long bucketStart;

    public long lengthMs;
    public long eventCount;

    /** Its events without a session_id. */
    public long eventsWithoutSessionId;

    public boolean empty;
    public boolean zeroLength;

    /** Why its length is 0 ({@code ZeroLengthCause#code}); null when it has a length. */
    public String zeroLengthCause;

    public boolean overLimit;

    /** GA4's engaged session ({@code SessionDefinition#isEngaged}); the others are bounces. */
    public boolean engaged;

    /** When the sessionizer forgets this version. */
    public long purgeTime;

    public SessionFacts() {}

    /** Counted in the length measures (time spent, average, bins, percentiles)? */
    public boolean hasLength() {
        return !empty && !overLimit;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SessionFacts f)) return false;
        return bucketStart == f.bucketStart
                && lengthMs == f.lengthMs
                && eventCount == f.eventCount
                && eventsWithoutSessionId == f.eventsWithoutSessionId
                && empty == f.empty
                && zeroLength == f.zeroLength
                && Objects.equals(zeroLengthCause, f.zeroLengthCause)
                && overLimit == f.overLimit
                && engaged == f.engaged
                && purgeTime == f.purgeTime
                && Objects.equals(owner, f.owner)
                && Objects.equals(platform, f.platform);
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, bucketStart, lengthMs);
    }

    @Override
    public String toString() {
        return "Facts{"
                + owner
                + " "
                + platform
                + " bucket="
                + bucketStart
                + " len="
                + lengthMs
                + " events="
                + eventCount
                + (empty ? " empty" : "")
                + (overLimit ? " over" : "")
                + "}";
    }
}
