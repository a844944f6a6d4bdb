package com.sessionflow.metrics;

/**
 * One change to a bucket's measures, routed by {@link #key()}: a session version added ({@code
 * sign} +1) or subtracted (-1), or out-of-session events (never subtracted).
 */
public class MetricsDelta {

    /** The platform name of the all-platforms record. */
    public static final String ALL = "all";

    public long bucketStart;

    /** The record this delta goes to: a platform or {@link #ALL}. */
    public String platform;

    public int sign;

    /** The session version, or null for out-of-session events. */
    public SessionFacts session;

    public long outOfSessionEvents;

    public MetricsDelta() {}

    public static MetricsDelta session(String platform, int sign, SessionFacts facts) {
        MetricsDelta d = new MetricsDelta();
        d.bucketStart = facts.bucketStart;
        d.platform = platform;
        d.sign = sign;
        d.session = facts;
        return d;
    }

    public static MetricsDelta outOfSession(long bucketStart, String platform, long events) {
        MetricsDelta d = new MetricsDelta();
        d.bucketStart = bucketStart;
        d.platform = platform;
        d.sign = 1;
        d.outOfSessionEvents = events;
        return d;
    }

    /** The metrics record's Kafka key: {@code <bucket_start>/<platform>}. */
    public String key() {
        return key(bucketStart, platform);
    }

    public static String key(long bucketStart, String platform) {
        return bucketStart + "/" + platform;
    }

    @Override
    public String toString() {
        return "Delta{"
                + key()
                + " "
                + (session == null
                        ? "out_of_session=" + outOfSessionEvents
                        : (sign > 0 ? "+" : "-") + session)
                + "}";
    }
}
