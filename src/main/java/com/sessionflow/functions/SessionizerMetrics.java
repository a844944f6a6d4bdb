package com.sessionflow.functions;

import com.sessionflow.session.SessionChange;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The sessionizer's metrics, as docs/operating.md lists them: events by verdict, session records by
 * kind, open sessions, watermark lag and session lengths.
 */
// openSessions and lastWatermark have one writer, the task thread; the metrics thread only reads
@SuppressWarnings("NonAtomicVolatileUpdate")
final class SessionizerMetrics {

    private final Counter eventsIn;
    private final Counter lateEvents;
    private final Counter duplicateEvents;
    private final Counter outOfSessionEvents;
    private final Counter overRateEvents;
    private final Counter sessionsEmitted;
    private final Counter sessionRevisions;
    private final Counter sessionRetractions;

    /** Length of every emitted session record (a revision counts again), the last 10,000. */
    private final Histogram sessionLengths;

    /**
     * Sessions of this subtask not emitted yet or changed since (counted since the subtask
     * started).
     */
    private volatile long openSessions;

    /** The last watermark this subtask saw, for the watermark-lag gauge. */
    private volatile long lastWatermark = Long.MIN_VALUE;

    SessionizerMetrics(MetricGroup metrics) {
        eventsIn = metrics.counter("eventsIn");
        lateEvents = metrics.counter("lateEvents");
        duplicateEvents = metrics.counter("duplicateEvents");
        outOfSessionEvents = metrics.counter("outOfSessionEvents");
        overRateEvents = metrics.counter("overRateEvents");
        sessionsEmitted = metrics.counter("sessionsEmitted");
        sessionRevisions = metrics.counter("sessionRevisions");
        sessionRetractions = metrics.counter("sessionRetractions");
        metrics.gauge("openSessions", (Gauge<Long>) () -> Math.max(0, openSessions));
        metrics.gauge("watermarkLagMs", (Gauge<Long>) this::watermarkLagMs);
        sessionLengths =
                metrics.histogram("sessionLengthMs", new DescriptiveStatisticsHistogram(10_000));
    }

    void eventIn(long watermark) {
        eventsIn.inc();
        lastWatermark = watermark;
    }

    void timerAt(long watermark) {
        lastWatermark = watermark;
    }

    void late() {
        lateEvents.inc();
    }

    void duplicate() {
        duplicateEvents.inc();
    }

    void outOfSession() {
        outOfSessionEvents.inc();
    }

    void overRate() {
        overRateEvents.inc();
    }

    /** Sessions became pending (positive) or were emitted (negative). */
    void pending(long change) {
        openSessions += change;
    }

    void emitted(SessionChange change) {
        if (change.isRetraction()) {
            sessionRetractions.inc();
            return;
        }
        if (change.session.revision == 1) sessionsEmitted.inc();
        else sessionRevisions.inc();
        sessionLengths.update(change.session.lengthMs());
    }

    /** Wall clock minus the current watermark; 0 before the first watermark and after the last. */
    private long watermarkLagMs() {
        long w = lastWatermark;
        return w == Long.MIN_VALUE || w == Long.MAX_VALUE ? 0 : System.currentTimeMillis() - w;
    }
}
