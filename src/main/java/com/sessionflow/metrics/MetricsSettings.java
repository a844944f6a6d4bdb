package com.sessionflow.metrics;

import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import com.sessionflow.session.ZeroLengthCause;
import com.sessionflow.time.DurationConverter;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How session metrics are computed: bucket size, emission interval, length bins, and the session
 * rules (gap, maximum length, allowed lateness) that decide when a bucket can no longer change.
 *
 * <p>Buckets line up with the days and hours of the project's time zone, as Amplitude's charts do:
 * a bucket size must divide a day, and buckets are counted from each local midnight, so a day
 * bucket is a local calendar day (23 or 25 hours across a daylight-saving change) and an hour
 * bucket a local hour (at :30 UTC in India). A bucket never crosses a local midnight. In UTC, the
 * default, buckets are aligned to the epoch.
 */
public final class MetricsSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final long MIN_BUCKET_MS = 60_000;
    public static final long DAY_MS = 86_400_000;
    public static final String DEFAULT_BINS = "0,3s,10s,30s,1m,3m,10m,30m,1h,1d";

    /** Relative accuracy of the percentiles (DDSketch's logarithmic mapping). */
    public static final double RELATIVE_ACCURACY = 0.01;

    private final SessionDefinition definition;
    private final long allowedLatenessMs;
    private final long bucketSizeMs;
    private final long intervalMs;
    private final long[] binEdges;

    /** The project's time zone: where days and hours start. */
    private final ZoneId zone;

    /** Buckets in UTC. */
    public MetricsSettings(
            SessionDefinition definition,
            long allowedLatenessMs,
            long bucketSizeMs,
            long intervalMs,
            long[] binEdges) {
        this(definition, allowedLatenessMs, bucketSizeMs, intervalMs, binEdges, ZoneId.of("UTC"));
    }

    public MetricsSettings(
            SessionDefinition definition,
            long allowedLatenessMs,
            long bucketSizeMs,
            long intervalMs,
            long[] binEdges,
            ZoneId zone) {
        checkBucketSize(bucketSizeMs);
        if (intervalMs < 1)
            throw new IllegalArgumentException("the metrics interval must be at least 1 ms");
        checkBins(binEdges);
        this.definition = definition;
        this.allowedLatenessMs = allowedLatenessMs;
        this.bucketSizeMs = bucketSizeMs;
        this.intervalMs = intervalMs;
        this.binEdges = binEdges.clone();
        this.zone = zone;
    }

    /** Throws IllegalArgumentException unless 1 minute <= size <= 1 day and size divides a day. */
    public static void checkBucketSize(long sizeMs) {
        if (sizeMs < MIN_BUCKET_MS || sizeMs > DAY_MS) {
            throw new IllegalArgumentException(sizeMs + " ms is not between 1 minute and 1 day");
        }
        if (DAY_MS % sizeMs != 0) {
            throw new IllegalArgumentException(
                    sizeMs + " ms does not divide a day evenly (buckets must line up with days)");
        }
    }

    /**
     * Bin edges such as {@code 0,3s,10s,1m,1h,1d} (a plain number is milliseconds): bins are
     * [e0,e1) [e1,e2) ...; at least two edges, strictly increasing, the first at least 0.
     */
    public static long[] parseBins(String text) {
        List<Long> edges = new ArrayList<>();
        for (String token : text.split(",", -1)) {
            String t = token.trim();
            if (t.isEmpty()) continue;
            long ms;
            if (t.matches("\\d+")) {
                ms = Long.parseLong(t);
            } else {
                try {
                    ms = new DurationConverter().convert(t).toMillis();
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            "'"
                                    + t
                                    + "' is neither milliseconds nor a duration such as 3s, 1m,"
                                    + " 1h");
                }
            }
            edges.add(ms);
        }
        long[] bins = edges.stream().mapToLong(Long::longValue).toArray();
        checkBins(bins);
        return bins;
    }

    private static void checkBins(long[] edges) {
        if (edges.length < 2)
            throw new IllegalArgumentException("give at least two bin edges, e.g. 0,3s,10s");
        if (edges[0] < 0) throw new IllegalArgumentException("bin edges cannot be negative");
        for (int i = 1; i < edges.length; i++) {
            if (edges[i] <= edges[i - 1]) {
                throw new IllegalArgumentException(
                        "bin edges must increase: " + Arrays.toString(edges));
            }
        }
    }

    public static MetricsSettings defaults(SessionDefinition definition, long allowedLatenessMs) {
        return new MetricsSettings(
                definition,
                allowedLatenessMs,
                Duration.ofHours(1).toMillis(),
                10_000,
                parseBins(DEFAULT_BINS));
    }

    public SessionDefinition definition() {
        return definition;
    }

    public long allowedLatenessMs() {
        return allowedLatenessMs;
    }

    public long bucketSizeMs() {
        return bucketSizeMs;
    }

    public long intervalMs() {
        return intervalMs;
    }

    public long[] binEdges() {
        return binEdges.clone();
    }

    int binCount() {
        return binEdges.length - 1;
    }

    long binEdge(int i) {
        return binEdges[i];
    }

    /** The zone as given (its IANA name, as the metrics records carry it). */
    public ZoneId zone() {
        return zone;
    }

    /**
     * The start of the bucket of {@code time}: the local time of day cut down to a multiple of the
     * bucket size, at the offset {@code time} has (so the two 02:00 of a night that turns the
     * clocks back are two buckets).
     */
    public long bucketStart(long time) {
        if (zone.normalized().equals(ZoneOffset.UTC))
            return Math.floorDiv(time, bucketSizeMs) * bucketSizeMs;
        ZonedDateTime local = Instant.ofEpochMilli(time).atZone(zone);
        long msOfDay = local.toLocalTime().toNanoOfDay() / 1_000_000;
        LocalDateTime start =
                local.toLocalDate()
                        .atStartOfDay()
                        .plus(Duration.ofMillis(msOfDay - msOfDay % bucketSizeMs));
        return ZonedDateTime.ofLocal(start, zone, local.getOffset()).toInstant().toEpochMilli();
    }

    /** The end of the bucket that starts at {@code bucketStart}: where the next one starts. */
    public long bucketEnd(long bucketStart) {
        long next = bucketStart(bucketStart + bucketSizeMs);
        // a day bucket of a 25-hour day: one bucket size on is still the same day
        return next > bucketStart ? next : bucketStart(bucketStart + 2 * bucketSizeMs);
    }

    /**
     * The bin of a length: [e_i, e_i+1). A length below the first edge goes to the first bin and
     * one at or above the last edge to the last bin (with the default bins only a session of
     * exactly the maximum length, 1 day, lands there: it is not over the limit).
     */
    public int bin(long lengthMs) {
        int i = Arrays.binarySearch(binEdges, lengthMs);
        int bin = i >= 0 ? i : -i - 2;
        return Math.max(0, Math.min(binCount() - 1, bin));
    }

    private OwnerTimeline timeline() {
        return new OwnerTimeline(definition, allowedLatenessMs);
    }

    /**
     * When the sessionizer forgets this version of the session: it cannot change after that (see
     * OwnerTimeline).
     */
    public long purgeTime(SessionRecord s) {
        return timeline().purgeTime(s);
    }

    /**
     * The watermark from which no session within the length limit that starts in the bucket can
     * still appear or change: the purge time of a session starting at the bucket's last millisecond
     * with the maximum length. This also covers new sessions (an event in the bucket is too late
     * from {@code bucket_end - 1 + gap - 1 + allowed_lateness}). Waiting for the maximum length
     * matters: the sessionizer emits a session only at its close, so a session that started in the
     * bucket may still be open long after the bucket ended.
     */
    public long finalBound(long bucketStart) {
        long longestEnd = satAdd(bucketEnd(bucketStart) - 1, definition.maxLengthMs());
        return timeline().purgeTime(longestEnd, false);
    }

    /** The facts metrics need from one version of a session. */
    public SessionFacts facts(SessionRecord s) {
        SessionFacts f = new SessionFacts();
        f.owner = s.owner;
        f.platform = platform(s.platform);
        f.bucketStart = bucketStart(s.sessionId);
        f.lengthMs = s.lengthMs();
        f.eventCount = s.eventCount;
        f.eventsWithoutSessionId = s.eventsWithoutSessionId;
        f.empty = s.isEmpty();
        f.zeroLength = s.isZeroLength();
        ZeroLengthCause cause = s.zeroLengthCause();
        f.zeroLengthCause = cause == null ? null : cause.code();
        f.overLimit = definition.isOverLimit(s);
        f.engaged = definition.isEngaged(s);
        f.purgeTime = purgeTime(s);
        return f;
    }

    /** The platform a session or event is counted under; {@value MetricsDelta#ALL} is reserved. */
    public static String platform(String platform) {
        if (platform == null || platform.isBlank()) return "unknown";
        String p = platform.trim();
        return p.equals(MetricsDelta.ALL) ? "all (platform)" : p;
    }

    private static long satAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }

    @Override
    public String toString() {
        return "metrics(bucket="
                + bucketSizeMs
                + "ms in "
                + zone
                + ", interval="
                + intervalMs
                + "ms, bins="
                + Arrays.toString(binEdges)
                + ")";
    }
}
