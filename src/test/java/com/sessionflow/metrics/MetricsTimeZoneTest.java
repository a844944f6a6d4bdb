package com.sessionflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.session.SessionDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Buckets in the project's time zone (--time-zone): local days and hours, across daylight-saving
 * changes and in zones whose offset is not whole hours, against java.time's own truncation.
 */
class MetricsTimeZoneTest {

    static final long HOUR = Duration.ofHours(1).toMillis();
    static final long DAY = Duration.ofDays(1).toMillis();
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static MetricsSettings settings(long bucketMs, ZoneId zone) {
        return new MetricsSettings(
                SessionDefinition.builder().build(),
                HOUR,
                bucketMs,
                10_000,
                MetricsSettings.parseBins(MetricsSettings.DEFAULT_BINS),
                zone);
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(
                        "UTC",
                        "Europe/Berlin",
                        "America/New_York",
                        "Asia/Kolkata",
                        "Asia/Kathmandu",
                        "Australia/Adelaide",
                        "Pacific/Chatham")
                .map(ZoneId::of);
    }

    // 2025-01-01 to 2028-01-01: several daylight-saving changes of every zone above
    @Property(tries = 2000)
    void anHourBucketIsTheLocalHour(
            @ForAll("zones") ZoneId zone,
            @ForAll @LongRange(min = 1_735_689_600_000L, max = 1_830_297_600_000L) long time) {
        ZonedDateTime local = Instant.ofEpochMilli(time).atZone(zone);
        long expected = local.truncatedTo(ChronoUnit.HOURS).toInstant().toEpochMilli();
        MetricsSettings hours = settings(HOUR, zone);
        assertThat(hours.bucketStart(time)).isEqualTo(expected);
        assertThat(hours.bucketEnd(expected)).isGreaterThan(time);
    }

    @Property(tries = 2000)
    void aDayBucketIsTheLocalDay(
            @ForAll("zones") ZoneId zone,
            @ForAll @LongRange(min = 1_735_689_600_000L, max = 1_830_297_600_000L) long time) {
        LocalDate day = Instant.ofEpochMilli(time).atZone(zone).toLocalDate();
        MetricsSettings days = settings(DAY, zone);
        long start = days.bucketStart(time);
        assertThat(start).isEqualTo(day.atStartOfDay(zone).toInstant().toEpochMilli());
        assertThat(days.bucketEnd(start))
                .isEqualTo(day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli());
    }

    @Test
    void daysAcrossDaylightSavingChangesLast23And25Hours() {
        MetricsSettings days = settings(DAY, BERLIN);
        long spring = ZonedDateTime.of(2026, 3, 29, 12, 0, 0, 0, BERLIN).toInstant().toEpochMilli();
        long autumn =
                ZonedDateTime.of(2026, 10, 25, 12, 0, 0, 0, BERLIN).toInstant().toEpochMilli();
        assertThat(days.bucketEnd(days.bucketStart(spring)) - days.bucketStart(spring))
                .isEqualTo(23 * HOUR);
        assertThat(days.bucketEnd(days.bucketStart(autumn)) - days.bucketStart(autumn))
                .isEqualTo(25 * HOUR);
    }

    @Test
    void theHourRepeatedWhenClocksGoBackIsTwoBuckets() {
        MetricsSettings hours = settings(HOUR, BERLIN);
        // 2026-10-25 02:30 local, first at +02:00, an hour later again at +01:00
        long first = Instant.parse("2026-10-25T00:30:00Z").toEpochMilli();
        long second = first + HOUR;
        assertThat(hours.bucketStart(first)).isEqualTo(first - 30 * 60_000);
        assertThat(hours.bucketStart(second)).isEqualTo(second - 30 * 60_000);
        assertThat(hours.bucketEnd(hours.bucketStart(first))).isEqualTo(hours.bucketStart(second));
    }

    @Test
    void hoursInIndiaStartAtHalfPastInUtc() {
        long time = Instant.parse("2026-12-02T07:10:00Z").toEpochMilli();
        assertThat(settings(HOUR, ZoneId.of("Asia/Kolkata")).bucketStart(time))
                .isEqualTo(Instant.parse("2026-12-02T06:30:00Z").toEpochMilli());
    }

    @Test
    void inUtcBucketsStayAlignedToTheEpoch() {
        MetricsSettings quarter = settings(15 * 60_000, ZoneId.of("UTC"));
        long time = Instant.parse("2026-12-02T07:10:00Z").toEpochMilli();
        assertThat(quarter.bucketStart(time))
                .isEqualTo(Instant.parse("2026-12-02T07:00:00Z").toEpochMilli());
        assertThat(quarter.bucketEnd(quarter.bucketStart(time)))
                .isEqualTo(Instant.parse("2026-12-02T07:15:00Z").toEpochMilli());
    }
}
