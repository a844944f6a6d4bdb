package com.sessionflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import com.sessionflow.session.TestSessions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When a bucket's records come: rate-limited while it changes, final once and only once. */
class BucketFinalityTest {

    static final long GAP = 1_000;
    static final long LATENESS = 2_000;
    static final long MAX_LENGTH = 600_000;
    static final long BUCKET = 60_000;
    static final long INTERVAL = 10_000;

    /**
     * Bucket [0, 60000): the latest session that can start in it starts at 59999 and, within the
     * limit, ends at 659999; it closes at 659999 + gap - 1 = 660998 and can change until its purge
     * time 660998 + gap + lateness = 663998.
     */
    static final long BUCKET_0_FINAL = 663_998;

    MetricsHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        SessionDefinition definition =
                SessionDefinition.builder()
                        .gap(Duration.ofMillis(GAP))
                        .maxLength(Duration.ofMillis(MAX_LENGTH))
                        .build();
        harness =
                new MetricsHarness(
                        new MetricsSettings(
                                definition,
                                LATENESS,
                                BUCKET,
                                INTERVAL,
                                MetricsSettings.parseBins(MetricsSettings.DEFAULT_BINS)));
    }

    static SessionRecord session(String owner, long start, long length, int revision) {
        return new TestSessions.Summary(owner, start)
                .platform("iOS")
                .endTime(start + length)
                .events(3, 3)
                .record(revision);
    }

    List<MetricsRecord> records() {
        return harness.records();
    }

    @Test
    void reEmittedAtMostOncePerIntervalThenFinalOnceTheBoundIsPassed() throws Exception {
        harness.change(SessionChange.update(session("u1", 10_000, 5_000, 1)), 10_000);
        assertThat(records()).isEmpty();
        harness.advanceProcessingTime(INTERVAL);
        assertThat(records())
                .extracting(MetricsRecord::key)
                .containsExactlyInAnyOrder("0/iOS", "0/all");
        assertThat(records())
                .allSatisfy(
                        r -> {
                            assertThat(r.finalRecord).isFalse();
                            assertThat(r.sessions).isEqualTo(1);
                            assertThat(r.timeSpentMs).isEqualTo(5_000);
                        });
        records().clear();

        // a revision and a second session within one interval: one record per key, with both
        harness.change(SessionChange.update(session("u1", 10_000, 7_000, 2)), 10_000);
        harness.advanceProcessingTime(INTERVAL / 2);
        harness.change(SessionChange.update(session("u2", 20_000, 1_000, 1)), 20_000);
        assertThat(records()).isEmpty();
        harness.advanceProcessingTime(INTERVAL / 2);
        assertThat(records())
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.finalRecord).isFalse();
                            assertThat(r.sessions).isEqualTo(2);
                            assertThat(r.timeSpentMs).isEqualTo(8_000);
                            assertThat(r.distinctUsers).isEqualTo(2);
                        });
        records().clear();
        harness.advanceProcessingTime(3 * INTERVAL);
        assertThat(records()).as("nothing changed: nothing re-emitted").isEmpty();

        harness.watermark(BUCKET_0_FINAL - 1);
        assertThat(records()).as("not final one millisecond before the bound").isEmpty();
        harness.watermark(BUCKET_0_FINAL);
        assertThat(records())
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.finalRecord).isTrue();
                            assertThat(r.sessions).isEqualTo(2);
                            assertThat(r.bucketStart).isZero();
                            assertThat(r.bucketEnd).isEqualTo(BUCKET);
                        });
        records().clear();
        harness.advanceProcessingTime(INTERVAL);
        harness.watermark(BUCKET_0_FINAL + 100_000);
        harness.watermark(Long.MAX_VALUE);
        assertThat(records()).as("final only once").isEmpty();
        assertThat(harness.bucketStateEntries()).isZero();
    }

    @Test
    void aSessionThatCanStillChangeKeepsItsBucketOpen() throws Exception {
        // bucket [60000, 120000): bound 663998 + 60000; an over-limit session in it is purged later
        long bound = BUCKET_0_FINAL + BUCKET;
        SessionRecord longSession = session("u3", 60_000, MAX_LENGTH + 100_000, 1);
        long purge = 60_000 + MAX_LENGTH + 100_000 + GAP - 1 + GAP + LATENESS;
        assertThat(purge).isGreaterThan(bound);
        harness.change(SessionChange.update(longSession), 60_000);
        harness.watermark(bound);
        assertThat(records()).noneMatch(r -> r.finalRecord);
        harness.watermark(purge - 1);
        assertThat(records()).noneMatch(r -> r.finalRecord);
        harness.watermark(purge);
        assertThat(records())
                .filteredOn(r -> r.finalRecord)
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.sessions).isEqualTo(1);
                            assertThat(r.overLimitSessions).isEqualTo(1);
                            assertThat(r.lengthSessions).isZero();
                            assertThat(r.p50LengthMs).isNull();
                        });
    }

    @Test
    void aRetractionBeforeTheBoundIsSubtractedAndAChangeAfterTheFinalRecordIsNotCounted()
            throws Exception {
        harness.change(SessionChange.update(session("u1", 10_000, 5_000, 1)), 10_000);
        harness.change(SessionChange.update(session("u2", 30_000, 2_000, 1)), 30_000);
        harness.change(SessionChange.retraction("u2", 30_000), 30_000);
        harness.watermark(BUCKET_0_FINAL);
        assertThat(records())
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.finalRecord).isTrue();
                            assertThat(r.sessions).isEqualTo(1);
                            assertThat(r.distinctUsers).isEqualTo(1);
                            assertThat(r.timeSpentMs).isEqualTo(5_000);
                        });
        records().clear();
        // cannot happen with the sessionizer's rules for sessions within the limit: dropped, not
        // double counted
        harness.change(SessionChange.update(session("u4", 40_000, 1_000, 1)), BUCKET_0_FINAL);
        harness.advanceProcessingTime(INTERVAL);
        harness.watermark(Long.MAX_VALUE);
        assertThat(records()).isEmpty();
    }
}
