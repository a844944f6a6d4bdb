package com.sessionflow.time;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.PartitionClock;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.event.Rejection;
import com.sessionflow.reference.TestEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * Watermarks per partition: bounded out-of-orderness while flowing, the clock's pace when quiet
 * (session-rules §5).
 */
class QuietAwareWatermarksTest {

    static final long BOUND = 1_000;
    static final long QUIET = 30_000;

    static final class ManualClock implements RelativeClock {
        long millis = 5_000_000;

        @Override
        public long relativeTimeMillis() {
            return millis;
        }

        @Override
        public long relativeTimeNanos() {
            return millis * 1_000_000;
        }
    }

    static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        int idle;
        int active;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle++;
        }

        @Override
        public void markActive() {
            active++;
        }

        Long last() {
            return watermarks.isEmpty() ? null : watermarks.get(watermarks.size() - 1);
        }
    }

    final ManualClock clock = new ManualClock();
    final Output out = new Output();
    final QuietAwareWatermarks generator = new QuietAwareWatermarks(BOUND, QUIET, clock);

    void event(long time) {
        generator.onEvent(ParsedRecord.of(TestEvents.event(time)), time, out);
    }

    static ParsedRecord deadLetter() {
        return ParsedRecord.of(
                new DeadLetter(
                        Rejection.NOT_JSON,
                        "x",
                        new RecordOrigin(
                                "events", 0, 0, 9_000_000_000_000L, null, new byte[] {1})));
    }

    @Test
    void boundedOutOfOrdernessWhileFlowing() {
        event(100_000);
        event(103_000);
        event(101_000);
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(103_000 - BOUND - 1);
        // an event at max - bound is not late: it is after the watermark
        assertThat(103_000 - BOUND).isGreaterThan(out.last());
        clock.millis += QUIET - 1;
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).as("nothing new: no repeated watermark").hasSize(1);
        assertThat(out.idle).isZero();
    }

    @Test
    void advancesWithTheClockWhenQuiet() {
        event(100_000);
        generator.onPeriodicEmit(out);
        long flowing = 100_000 - BOUND - 1;
        clock.millis += QUIET;
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(flowing + QUIET);
        clock.millis += 60_000;
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(flowing + QUIET + 60_000);
        assertThat(out.idle)
                .as("a quiet partition keeps its watermark moving instead of going idle")
                .isZero();
    }

    @Test
    void aSessionClosesOnTimeWhenEverythingGoesQuiet() {
        // the last event of the night at 100000: its session closes at 100000 + gap - 1 in event
        // time
        long gap = 300_000;
        event(100_000);
        generator.onPeriodicEmit(out);
        clock.millis += gap + BOUND + 1 - 1;
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(100_000 + gap - 1);
    }

    @Test
    void neverGoesBackwards() {
        event(100_000);
        generator.onPeriodicEmit(out);
        clock.millis += 120_000;
        generator.onPeriodicEmit(out);
        long advanced = out.last();
        // traffic resumes with event times behind the clock-driven watermark
        event(101_000);
        generator.onPeriodicEmit(out);
        event(150_000);
        generator.onPeriodicEmit(out);
        for (int i = 1; i < out.watermarks.size(); i++) {
            assertThat(out.watermarks.get(i)).isGreaterThan(out.watermarks.get(i - 1));
        }
        assertThat(out.last()).isGreaterThanOrEqualTo(advanced);
        event(advanced + 10_000 + BOUND + 1);
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(advanced + 10_000);
    }

    @Test
    void anActivePartitionStopsAddingQuietTime() {
        event(100_000);
        clock.millis += QUIET;
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(100_000 - BOUND - 1 + QUIET);
        // an event arrives: the quiet time is over
        clock.millis += 1;
        event(100_000 + QUIET + 5_000);
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(100_000 + QUIET + 5_000 - BOUND - 1);
    }

    @Test
    void aPartitionThatNeverHadAnEventIsMarkedIdle() {
        generator.onPeriodicEmit(out);
        clock.millis += QUIET - 1;
        generator.onPeriodicEmit(out);
        assertThat(out.idle).isZero();
        clock.millis += 1;
        generator.onPeriodicEmit(out);
        assertThat(out.idle).isPositive();
        assertThat(out.watermarks).isEmpty();
        event(100_000);
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(100_000 - BOUND - 1);
    }

    @Test
    void deadLettersAreIgnored() {
        generator.onEvent(deadLetter(), 9_000_000_000_000L, out);
        clock.millis += QUIET;
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).isEmpty();
        assertThat(out.idle).as("a dead letter is not activity").isPositive();
        event(100_000);
        clock.millis += QUIET - 1;
        generator.onEvent(deadLetter(), 9_000_000_000_000L, out);
        clock.millis += 1;
        generator.onPeriodicEmit(out);
        assertThat(out.last())
                .as("quiet since the event, whatever dead letters came")
                .isEqualTo(100_000 - BOUND - 1 + QUIET);
    }

    @Test
    void strategyStampsEventsWithEventTimeAndDeadLettersWithTheKafkaTimestamp() {
        TimestampAssigner<ParsedRecord> assigner =
                EventTimes.strategy(Duration.ofSeconds(1), Duration.ofSeconds(30))
                        .createTimestampAssigner(null);
        assertThat(assigner.extractTimestamp(ParsedRecord.of(TestEvents.event(1234)), 99))
                .isEqualTo(1234);
        assertThat(assigner.extractTimestamp(deadLetter(), 99)).isEqualTo(99);
    }

    /** What the source does after a restore: the checkpointed clock comes before any event. */
    void restore(PartitionClock checkpointed) {
        generator.onEvent(ParsedRecord.of(checkpointed), Long.MIN_VALUE, out);
    }

    @Test
    void aRestoredPartitionHoldsItsWatermarkInsteadOfGoingIdle() {
        // checkpointed after it had been quiet a while: the watermark is above max - bound - 1
        PartitionClock checkpointed = new PartitionClock(100_000, 100_000 - BOUND - 1 + 45_000);
        restore(checkpointed);
        generator.onPeriodicEmit(out);
        assertThat(out.last()).as("emits what it had reached").isEqualTo(checkpointed.watermark);
        clock.millis += QUIET - 1;
        generator.onPeriodicEmit(out);
        assertThat(out.idle).as("a partition with a past is never idle").isZero();
        assertThat(out.watermarks).hasSize(1);
        // quiet time starts again at the restore, from the watermark it had reached: a downtime
        // is not quiet time
        clock.millis += 1 + 10_000;
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(100_000 - BOUND - 1 + 45_000 + QUIET + 10_000);
    }

    @Test
    void theHandedOverClockIsWhatTheSourceCheckpoints() {
        PartitionClock checkpointed = new PartitionClock(100_000, 100_000 - BOUND - 1);
        restore(checkpointed);
        event(120_000);
        generator.onPeriodicEmit(out);
        assertThat(checkpointed.maxEventTime).isEqualTo(120_000);
        assertThat(checkpointed.watermark).isEqualTo(120_000 - BOUND - 1);
        clock.millis += QUIET;
        generator.onPeriodicEmit(out);
        assertThat(checkpointed.watermark)
                .as("the quiet advance is remembered too")
                .isEqualTo(120_000 - BOUND - 1 + QUIET);
    }

    @Test
    void aClockHandedOverLateNeverTakesTheWatermarkBack() {
        event(200_000);
        restore(new PartitionClock(100_000, 100_000 - BOUND - 1));
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(200_000 - BOUND - 1);
    }

    @Test
    void aRestoredPartitionThatNeverHadAnEventStillGoesIdle() {
        restore(new PartitionClock());
        clock.millis += QUIET;
        generator.onPeriodicEmit(out);
        assertThat(out.idle).isPositive();
        assertThat(out.watermarks).isEmpty();
    }
}
