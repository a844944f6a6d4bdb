package com.sessionflow.time;

import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.PartitionClock;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Watermarks for one Kafka partition: bounded out-of-orderness while events flow, and event time
 * that keeps moving with the wall clock while the partition is quiet, so sessions still close on
 * time at night or once a replay has caught up with a live topic.
 *
 * <ul>
 *   <li>Flowing: {@code watermark = max event time - outOfOrderness - 1}.
 *   <li>Quiet for {@code quietAfter} or longer: the watermark reached at the last activity plus the
 *       quiet time, as if events stamped with the passing time kept coming. Quiet time is measured
 *       on Flink's input activity clock, which stands still while the source is back-pressured, so
 *       a slow job replaying a backlog never mistakes back pressure for silence.
 *   <li>A partition that has had no event at all is marked idle after {@code quietAfter}, so it
 *       does not hold the other partitions back.
 * </ul>
 *
 * <p>Its memory is a {@link PartitionClock}. After a restore or a rescale the source hands the
 * partition's checkpointed clock over as a control record before any event (see {@code
 * kafka.ClockKeepingKafkaSource}); from then on the generator writes into that clock, which the
 * source checkpoints. A restored partition is therefore neither idle nor behind: it holds the
 * watermark back as it did before, and its quiet time starts again at the restore (a downtime is
 * not quiet time: the records written meanwhile are still to be read). Dead letters carry no event
 * time and are ignored.
 */
public final class QuietAwareWatermarks implements WatermarkGenerator<ParsedRecord> {

    private final long outOfOrdernessMs;
    private final long quietAfterMs;
    private final RelativeClock activityClock;

    private PartitionClock clock = new PartitionClock();

    /** The watermark reached at the last activity: what quiet time is added to. */
    private long quietBase = Long.MIN_VALUE;

    private long lastActivity;
    private long lastEmitted = Long.MIN_VALUE;

    public QuietAwareWatermarks(
            long outOfOrdernessMs, long quietAfterMs, RelativeClock activityClock) {
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.quietAfterMs = quietAfterMs;
        this.activityClock = activityClock;
        this.lastActivity = activityClock.relativeTimeMillis();
    }

    @Override
    public void onEvent(ParsedRecord record, long eventTimestamp, WatermarkOutput output) {
        if (record.clock != null) {
            record.clock.advanceTo(clock);
            clock = record.clock;
        } else if (record.isEvent()) {
            clock.maxEventTime = Math.max(clock.maxEventTime, eventTimestamp);
            clock.watermark = Math.max(clock.watermark, clock.maxEventTime - outOfOrdernessMs - 1);
        } else {
            return;
        }
        quietBase = clock.watermark;
        lastActivity = activityClock.relativeTimeMillis();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long quiet = activityClock.relativeTimeMillis() - lastActivity;
        if (!clock.hadEvents()) {
            if (quiet >= quietAfterMs) output.markIdle();
            return;
        }
        if (quiet >= quietAfterMs) clock.watermark = Math.max(clock.watermark, quietBase + quiet);
        if (clock.watermark > lastEmitted) {
            lastEmitted = clock.watermark;
            output.emitWatermark(new Watermark(lastEmitted));
        }
    }
}
