package com.sessionflow.metrics;

import com.sessionflow.event.Event;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** An out-of-session event counts in the bucket of its time, for its platform and for all. */
public class OutOfSessionDeltas implements FlatMapFunction<Event, MetricsDelta> {

    private static final long serialVersionUID = 1L;

    private final MetricsSettings settings;

    public OutOfSessionDeltas(MetricsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void flatMap(Event e, Collector<MetricsDelta> out) {
        long bucket = settings.bucketStart(e.time);
        out.collect(MetricsDelta.outOfSession(bucket, MetricsSettings.platform(e.platform), 1));
        out.collect(MetricsDelta.outOfSession(bucket, MetricsDelta.ALL, 1));
    }
}
