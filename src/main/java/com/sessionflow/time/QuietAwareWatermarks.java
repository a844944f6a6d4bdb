package com.sessionflow.time;

import com.sessionflow.event.ParsedRecord;
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
 *   <li>Quiet for {@code quietAfter} or longer: the watermark adds the quiet time, as if events
 *       stamped with the passing time kept coming. Quiet time is measured on Flink's input activity
 *       clock, which stands still while the source is back-pressured, so a slow job replaying a
 *       backlog never mistakes back pressure for silence.
 *   <li>A partition that has had no event at all is marked idle after {@code quietAfter}, so it
 *       does not hold the other partitions back.
 * </ul>
 *
 * Dead letters carry no event time and are ignored.
 */
public final class QuietAwareWatermarks implements WatermarkGenerator<ParsedRecord> {

    private final long outOfOrdernessMs;
    private final long quietAfterMs;
    private final RelativeClock clock;

    private long maxEventTime = Long.MIN_VALUE;
    private long lastActivity;
    private long lastEmitted = Long.MIN_VALUE;

    public QuietAwareWatermarks(long outOfOrdernessMs, long quietAfterMs, RelativeClock clock) {
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.quietAfterMs = quietAfterMs;
        this.clock = clock;
        this.lastActivity = clock.relativeTimeMillis();
    }

    @Override
    public void onEvent(ParsedRecord record, long eventTimestamp, WatermarkOutput output) {
        if (!record.isEvent()) return;
        maxEventTime = Math.max(maxEventTime, eventTimestamp);
        lastActivity = clock.relativeTimeMillis();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long quiet = clock.relativeTimeMillis() - lastActivity;
        if (maxEventTime == Long.MIN_VALUE) {
            if (quiet >= quietAfterMs) output.markIdle();
            return;
        }
        long watermark = maxEventTime - outOfOrdernessMs - 1;
        if (quiet >= quietAfterMs) watermark += quiet;
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
