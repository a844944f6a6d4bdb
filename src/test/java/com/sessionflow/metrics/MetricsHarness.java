package com.sessionflow.metrics;

import com.sessionflow.event.Event;
import com.sessionflow.session.SessionChange;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

/**
 * The two metrics operators chained as in {@link MetricsPipeline}, each in Flink's keyed operator
 * test harness: changes and out-of-session events in, metrics records out, in order.
 */
final class MetricsHarness implements AutoCloseable {

    private final KeyedOneInputStreamOperatorTestHarness<String, SessionChange, MetricsDelta>
            contributions;
    private final KeyedOneInputStreamOperatorTestHarness<String, MetricsDelta, MetricsRecord>
            buckets;
    private final OutOfSessionDeltas outOfSession;
    private final List<MetricsRecord> records = new ArrayList<>();
    private long processingTime;

    MetricsHarness(MetricsSettings settings) throws Exception {
        contributions =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SessionContributions(settings)),
                        SessionChange::key,
                        Types.STRING);
        buckets =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new BucketMetrics(settings)),
                        MetricsDelta::key,
                        Types.STRING);
        outOfSession = new OutOfSessionDeltas(settings);
        contributions.open();
        buckets.open();
    }

    void change(SessionChange change, long timestamp) throws Exception {
        contributions.processElement(change, timestamp);
        forwardContributions();
    }

    void outOfSession(Event event) throws Exception {
        List<MetricsDelta> deltas = new ArrayList<>();
        outOfSession.flatMap(
                event,
                new Collector<>() {
                    @Override
                    public void collect(MetricsDelta d) {
                        deltas.add(d);
                    }

                    @Override
                    public void close() {}
                });
        for (MetricsDelta d : deltas) buckets.processElement(d, event.time);
        drainBuckets();
    }

    void watermark(long watermark) throws Exception {
        contributions.processWatermark(watermark);
        forwardContributions();
        buckets.processWatermark(watermark);
        drainBuckets();
    }

    void advanceProcessingTime(long ms) throws Exception {
        processingTime += ms;
        contributions.setProcessingTime(processingTime);
        buckets.setProcessingTime(processingTime);
        drainBuckets();
    }

    /** Every record emitted so far, in order. */
    List<MetricsRecord> records() {
        return records;
    }

    int bucketStateEntries() {
        return buckets.numKeyedStateEntries();
    }

    int contributionStateEntries() {
        return contributions.numKeyedStateEntries();
    }

    @SuppressWarnings("unchecked")
    private void forwardContributions() throws Exception {
        for (Object o : contributions.getOutput()) {
            if (o instanceof StreamRecord) {
                StreamRecord<MetricsDelta> r = (StreamRecord<MetricsDelta>) o;
                buckets.processElement(r.getValue(), r.getTimestamp());
            }
            // watermarks are forwarded by watermark(), after the records that preceded them
        }
        contributions.getOutput().clear();
        drainBuckets();
    }

    @SuppressWarnings("unchecked")
    private void drainBuckets() {
        for (Object o : buckets.getOutput()) {
            if (o instanceof StreamRecord)
                records.add(((StreamRecord<MetricsRecord>) o).getValue());
            else if (!(o instanceof Watermark)) throw new AssertionError("unexpected output " + o);
        }
        buckets.getOutput().clear();
    }

    @Override
    public void close() throws Exception {
        contributions.close();
        buckets.close();
    }
}
