package com.sessionflow.metrics;

import com.sessionflow.session.SessionChange;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the sessions changelog into metric deltas, keyed by session key ({@code owner/session_id}).
 * It keeps the last version of each session it passed on, so an update becomes "subtract the old
 * version, add the new one" and a retraction "subtract the old version": no session is ever counted
 * twice. Each delta goes to the session's platform and to {@value MetricsDelta#ALL}.
 *
 * <p>State per key: one {@link SessionFacts}, kept until the key can no longer change anything: the
 * later of the version's purge time and its bucket's final bound (a session can be revised after
 * its own purge time when a late event merges it into a longer, still open session, whose update or
 * retraction of this key comes when that session closes).
 */
public class SessionContributions
        extends KeyedProcessFunction<String, SessionChange, MetricsDelta> {

    private static final long serialVersionUID = 1L;

    private final MetricsSettings settings;
    private transient ValueState<SessionFacts> last;

    public SessionContributions(MetricsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        last =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("last-version", SessionFacts.class));
    }

    @Override
    public void processElement(SessionChange change, Context ctx, Collector<MetricsDelta> out)
            throws Exception {
        SessionFacts old = last.value();
        if (old != null) emit(-1, old, out);
        if (change.isRetraction()) {
            last.clear();
            return;
        }
        SessionFacts now = settings.facts(change.session);
        emit(1, now, out);
        last.update(now);
        ctx.timerService().registerEventTimeTimer(expiry(now));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricsDelta> out)
            throws Exception {
        SessionFacts facts = last.value();
        // timers of earlier versions are ignored: only the current version's expiry clears
        if (facts != null && timestamp >= expiry(facts)) last.clear();
    }

    private long expiry(SessionFacts f) {
        return Math.max(f.purgeTime, settings.finalBound(f.bucketStart));
    }

    private static void emit(int sign, SessionFacts f, Collector<MetricsDelta> out) {
        out.collect(MetricsDelta.session(f.platform, sign, f));
        out.collect(MetricsDelta.session(MetricsDelta.ALL, sign, f));
    }
}
