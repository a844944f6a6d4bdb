package com.sessionflow.metrics;

import com.sessionflow.event.Event;
import com.sessionflow.functions.StringKeySerializer;
import com.sessionflow.session.SessionChange;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The metrics branch: sessions changelog (and out-of-session events) -> per-session deltas -> per
 * bucket and platform records. Operator uids are part of the savepoint format: never change them.
 */
public final class MetricsPipeline {

    public static final String UID_CONTRIBUTIONS = "metrics-session-contributions";
    public static final String UID_OUT_OF_SESSION = "metrics-out-of-session";
    public static final String UID_BUCKETS = "metrics-buckets";
    public static final String UID_SINK = "metrics-sink";

    private MetricsPipeline() {}

    public static DataStream<MetricsRecord> build(
            DataStream<SessionChange> sessions,
            DataStream<Event> outOfSessionEvents,
            MetricsSettings settings) {
        DataStream<MetricsDelta> contributions =
                sessions.keyBy(SessionChange::key, StringKeySerializer.TYPE)
                        .process(new SessionContributions(settings))
                        .uid(UID_CONTRIBUTIONS)
                        .name("metrics: session contributions");
        DataStream<MetricsDelta> outOfSession =
                outOfSessionEvents
                        .flatMap(new OutOfSessionDeltas(settings))
                        .uid(UID_OUT_OF_SESSION)
                        .name("metrics: out-of-session events");
        return contributions
                .union(outOfSession)
                .keyBy(MetricsDelta::key, StringKeySerializer.TYPE)
                .process(new BucketMetrics(settings))
                .uid(UID_BUCKETS)
                .name("metrics: buckets");
    }
}
