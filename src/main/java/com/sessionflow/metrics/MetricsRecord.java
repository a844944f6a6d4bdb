package com.sessionflow.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.kafka.JsonRecords;
import com.sessionflow.session.ZeroLengthCause;

/**
 * One record of the metrics topic: the User Sessions measures of one bucket and platform (a POJO on
 * the wire; {@link #toJson()} gives the topic's JSON, fields in docs/formats.md).
 */
public class MetricsRecord {

    public long bucketStart;
    public long bucketEnd;

    /** The time zone whose days and hours the buckets follow (--time-zone). */
    public String timeZone;

    public String platform;
    public long sessions;
    public long lengthSessions;
    public long timeSpentMs;
    public long distinctUsers;
    public long events;

    /** Events of the sessions that carried no session_id: Amplitude's chart leaves them out. */
    public long eventsWithoutSessionId;

    public long[] binEdges;
    public long[] binCounts;
    public Double p50LengthMs;
    public Double p90LengthMs;
    public Double p99LengthMs;
    public long zeroLengthSessions;

    /** Zero-length sessions by cause ({@link ZeroLengthCause}). */
    public long zeroLengthOneEvent;

    public long zeroLengthMarkersOnly;
    public long zeroLengthOneInstant;
    public long zeroLengthSessionIdAfterEvents;

    public long engagedSessions;
    public long emptySessions;
    public long overLimitSessions;
    public long outOfSessionEvents;
    public boolean finalRecord;
    public String definition;

    public MetricsRecord() {}

    public String key() {
        return MetricsDelta.key(bucketStart, platform);
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonRecords.object();
        n.put("bucket_start", bucketStart);
        n.put("bucket_end", bucketEnd);
        n.put("time_zone", timeZone);
        n.put("platform", platform);
        n.put("sessions", sessions);
        n.put("length_sessions", lengthSessions);
        n.put("time_spent_ms", timeSpentMs);
        n.put("average_length_ms", ratio(timeSpentMs, lengthSessions));
        n.put("distinct_users", distinctUsers);
        n.put("time_spent_per_user_ms", ratio(timeSpentMs, distinctUsers));
        n.put("sessions_per_user", ratio(sessions, distinctUsers));
        n.put("events", events);
        n.put("events_per_session", ratio(events, sessions));
        n.put("events_without_session_id", eventsWithoutSessionId);
        ArrayNode bins = n.putArray("length_distribution");
        for (int i = 0; i < binCounts.length; i++) {
            ObjectNode b = bins.addObject();
            b.put("from_ms", binEdges[i]);
            b.put("to_ms", binEdges[i + 1]);
            b.put("sessions", binCounts[i]);
        }
        n.put("p50_length_ms", round(p50LengthMs));
        n.put("p90_length_ms", round(p90LengthMs));
        n.put("p99_length_ms", round(p99LengthMs));
        n.put("zero_length_sessions", zeroLengthSessions);
        ObjectNode causes = n.putObject("zero_length_by_cause");
        causes.put(ZeroLengthCause.ONE_EVENT.code(), zeroLengthOneEvent);
        causes.put(ZeroLengthCause.MARKERS_ONLY.code(), zeroLengthMarkersOnly);
        causes.put(ZeroLengthCause.ONE_INSTANT.code(), zeroLengthOneInstant);
        causes.put(ZeroLengthCause.SESSION_ID_AFTER_EVENTS.code(), zeroLengthSessionIdAfterEvents);
        n.put("engaged_sessions", engagedSessions);
        n.put("engagement_rate", ratio(engagedSessions, sessions));
        n.put("bounce_rate", ratio(sessions - engagedSessions, sessions));
        n.put("empty_sessions", emptySessions);
        n.put("over_limit_sessions", overLimitSessions);
        n.put("out_of_session_events", outOfSessionEvents);
        n.put("final", finalRecord);
        n.put("definition", definition);
        return n;
    }

    public byte[] toJsonBytes() {
        return JsonRecords.bytes(toJson());
    }

    private static Double ratio(long a, long b) {
        return b == 0 ? null : (double) a / b;
    }

    private static Double round(Double v) {
        return v == null ? null : Math.round(v * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "MetricsRecord" + toJson();
    }
}
