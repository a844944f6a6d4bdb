package com.sessionflow.metrics;

import com.sessionflow.session.ZeroLengthCause;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sums the deltas of one bucket and platform (key {@code <bucket_start>/<platform>}) into exact
 * counters, and emits the bucket's {@link MetricsRecord}: when it changed, at most once per metrics
 * interval (processing time), and once with {@code final: true} when the watermark has passed both
 * the bucket's {@link MetricsSettings#finalBound final bound} and the latest purge time of its
 * sessions. Then its state is cleared.
 *
 * <p>State per key: {@link BucketTotals} (counters and one count per length bin), a map owner ->
 * number of sessions (exact distinct users that can subtract) and a map length index -> number of
 * sessions ({@link LengthHistogram}, at most ~920 entries).
 */
public class BucketMetrics extends KeyedProcessFunction<String, MetricsDelta, MetricsRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BucketMetrics.class);

    private final MetricsSettings settings;

    private transient ValueState<BucketTotals> totals;
    private transient MapState<String, Long> users;
    private transient MapState<Integer, Long> lengths;
    private transient Counter recordsEmitted;
    private transient Counter finalRecords;
    private transient Counter changesAfterFinal;

    public BucketMetrics(MetricsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        totals =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("bucket-totals", BucketTotals.class));
        users =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("bucket-users", Types.STRING, Types.LONG));
        lengths =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("bucket-lengths", Types.INT, Types.LONG));
        recordsEmitted = getRuntimeContext().getMetricGroup().counter("metricsRecordsEmitted");
        finalRecords = getRuntimeContext().getMetricGroup().counter("metricsFinalRecords");
        changesAfterFinal =
                getRuntimeContext().getMetricGroup().counter("metricsChangesAfterFinal");
    }

    @Override
    public void processElement(MetricsDelta delta, Context ctx, Collector<MetricsRecord> out)
            throws Exception {
        BucketTotals t = totals.value();
        long watermark = ctx.timerService().currentWatermark();
        if (t == null) {
            if (watermark >= settings.finalBound(delta.bucketStart)) {
                // only a session over the length limit, still open when the bucket became final,
                // gets here
                changesAfterFinal.inc();
                LOG.warn(
                        "Change for metrics bucket {} after its final record, not counted: {}",
                        delta.key(),
                        delta);
                return;
            }
            t = new BucketTotals();
            t.bucketStart = delta.bucketStart;
            t.platform = delta.platform;
            t.bins = new long[settings.binCount()];
        }
        if (delta.session == null) {
            t.outOfSessionEvents += delta.outOfSessionEvents;
        } else {
            apply(t, delta.sign, delta.session);
        }
        t.changed = true;
        long due = Math.max(settings.finalBound(t.bucketStart), t.latestPurge);
        if (due > t.finalTimer) {
            ctx.timerService().registerEventTimeTimer(due);
            t.finalTimer = due;
        }
        if (t.emitTimer == 0) {
            t.emitTimer = ctx.timerService().currentProcessingTime() + settings.intervalMs();
            ctx.timerService().registerProcessingTimeTimer(t.emitTimer);
        }
        totals.update(t);
    }

    private void apply(BucketTotals t, int sign, SessionFacts s) throws Exception {
        t.sessions += sign;
        t.events += sign * s.eventCount;
        t.eventsWithoutSessionId += sign * s.eventsWithoutSessionId;
        if (s.zeroLength) t.zeroLengthSessions += sign;
        if (s.zeroLengthCause != null) {
            switch (ZeroLengthCause.ofCode(s.zeroLengthCause)) {
                case ONE_EVENT -> t.zeroLengthOneEvent += sign;
                case MARKERS_ONLY -> t.zeroLengthMarkersOnly += sign;
                case ONE_INSTANT -> t.zeroLengthOneInstant += sign;
                case SESSION_ID_AFTER_EVENTS -> t.zeroLengthSessionIdAfterEvents += sign;
            }
        }
        if (s.empty) t.emptySessions += sign;
        if (s.overLimit) t.overLimitSessions += sign;
        if (s.engaged) t.engagedSessions += sign;
        if (s.hasLength()) {
            t.lengthSessions += sign;
            t.timeSpentMs += sign * s.lengthMs;
            t.bins[settings.bin(s.lengthMs)] += sign;
            add(lengths, LengthHistogram.index(s.lengthMs), sign);
        }
        AddResult user = add(users, s.owner, sign);
        if (user == AddResult.ADDED) t.distinctUsers++;
        else if (user == AddResult.REMOVED) t.distinctUsers--;
        if (sign > 0) t.latestPurge = Math.max(t.latestPurge, s.purgeTime);
    }

    private enum AddResult {
        ADDED,
        CHANGED,
        REMOVED
    }

    private static <K> AddResult add(MapState<K, Long> map, K key, long delta) throws Exception {
        Long old = map.get(key);
        long now = (old == null ? 0 : old) + delta;
        if (now == 0) {
            map.remove(key);
            return AddResult.REMOVED;
        }
        if (now < 0) {
            // cannot happen (a session's subtraction follows its addition on one channel); never
            // stop the job for it
            LOG.error(
                    "Negative count for {} in metrics state: a subtraction without its addition;"
                            + " treated as 0",
                    key);
            map.remove(key);
            return old == null ? AddResult.CHANGED : AddResult.REMOVED;
        }
        map.put(key, now);
        return old == null ? AddResult.ADDED : AddResult.CHANGED;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricsRecord> out)
            throws Exception {
        BucketTotals t = totals.value();
        if (t == null) return;
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            long watermark = ctx.timerService().currentWatermark();
            if (watermark < Math.max(settings.finalBound(t.bucketStart), t.latestPurge)) return;
            if (t.emitted || !isZero(t)) {
                out.collect(record(t, true));
                recordsEmitted.inc();
                finalRecords.inc();
            }
            if (t.emitTimer != 0) ctx.timerService().deleteProcessingTimeTimer(t.emitTimer);
            totals.clear();
            users.clear();
            lengths.clear();
        } else {
            if (timestamp != t.emitTimer) return;
            t.emitTimer = 0;
            if (t.changed) {
                out.collect(record(t, false));
                recordsEmitted.inc();
                t.changed = false;
                t.emitted = true;
            }
            totals.update(t);
        }
    }

    private static boolean isZero(BucketTotals t) {
        return t.sessions == 0 && t.outOfSessionEvents == 0;
    }

    private MetricsRecord record(BucketTotals t, boolean isFinal) throws Exception {
        MetricsRecord r = new MetricsRecord();
        r.bucketStart = t.bucketStart;
        r.bucketEnd = settings.bucketEnd(t.bucketStart);
        r.timeZone = settings.zone().getId();
        r.platform = t.platform;
        r.sessions = t.sessions;
        r.lengthSessions = t.lengthSessions;
        r.timeSpentMs = t.timeSpentMs;
        r.distinctUsers = t.distinctUsers;
        r.events = t.events;
        r.eventsWithoutSessionId = t.eventsWithoutSessionId;
        r.binEdges = settings.binEdges();
        r.binCounts = t.bins.clone();
        TreeMap<Integer, Long> histogram = new TreeMap<>();
        for (Map.Entry<Integer, Long> e : lengths.entries())
            histogram.put(e.getKey(), e.getValue());
        r.p50LengthMs = LengthHistogram.quantile(histogram, 0.50);
        r.p90LengthMs = LengthHistogram.quantile(histogram, 0.90);
        r.p99LengthMs = LengthHistogram.quantile(histogram, 0.99);
        r.zeroLengthSessions = t.zeroLengthSessions;
        r.zeroLengthOneEvent = t.zeroLengthOneEvent;
        r.zeroLengthMarkersOnly = t.zeroLengthMarkersOnly;
        r.zeroLengthOneInstant = t.zeroLengthOneInstant;
        r.zeroLengthSessionIdAfterEvents = t.zeroLengthSessionIdAfterEvents;
        r.engagedSessions = t.engagedSessions;
        r.emptySessions = t.emptySessions;
        r.overLimitSessions = t.overLimitSessions;
        r.outOfSessionEvents = t.outOfSessionEvents;
        r.finalRecord = isFinal;
        r.definition = settings.definition().name();
        return r;
    }
}
