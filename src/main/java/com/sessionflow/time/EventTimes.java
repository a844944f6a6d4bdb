package com.sessionflow.time;

import com.sessionflow.event.ParsedRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The job's watermark strategy: event time from each event, {@link QuietAwareWatermarks} per
 * partition.
 */
public final class EventTimes {

    private EventTimes() {}

    public static WatermarkStrategy<ParsedRecord> strategy(
            Duration outOfOrderness, Duration quietAfter) {
        long bound = outOfOrderness.toMillis();
        long quiet = quietAfter.toMillis();
        return WatermarkStrategy.<ParsedRecord>forGenerator(
                        ctx -> new QuietAwareWatermarks(bound, quiet, ctx.getInputActivityClock()))
                // a dead letter keeps its Kafka timestamp; the generator ignores it
                .withTimestampAssigner(
                        (record, kafkaTimestamp) ->
                                record.isEvent() ? record.event.time : kafkaTimestamp);
    }
}
