package com.sessionflow.metrics;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import java.util.Map;
import java.util.SortedMap;

/**
 * A histogram of session lengths that can subtract: DDSketch's logarithmic index mapping turns a
 * length into a bucket index, and the caller keeps an exact count per index (in Flink state). A
 * retraction decrements its index exactly, which quantile sketches that only merge (KLL, t-digest)
 * cannot do.
 *
 * <p>Error bound: every length in index i lies in [lowerBound(i), upperBound(i)), and the index's
 * representative value is within {@link MetricsSettings#RELATIVE_ACCURACY} (1%) of each of them, so
 * a quantile is within 1% of the exact quantile of the same rank. Length 0 has its own index and is
 * exact. With lengths up to 1 day there are at most ~920 indices.
 */
public final class LengthHistogram {

    /** The index of length 0 (a logarithm has no index for 0). */
    public static final int ZERO_INDEX = Integer.MIN_VALUE;

    private static final IndexMapping MAPPING =
            new LogarithmicMapping(MetricsSettings.RELATIVE_ACCURACY);

    private LengthHistogram() {}

    public static int index(long lengthMs) {
        return lengthMs <= 0 ? ZERO_INDEX : MAPPING.index((double) lengthMs);
    }

    public static double value(int index) {
        return index == ZERO_INDEX ? 0 : MAPPING.value(index);
    }

    /**
     * The q-quantile with the rank {@code floor(q * (n - 1))} (0-based, of the n lengths in
     * ascending order): the representative value of the index where the cumulative count first
     * exceeds that rank; null when the histogram is empty.
     *
     * @param counts count per index, in ascending index order
     */
    public static Double quantile(SortedMap<Integer, Long> counts, double q) {
        long n = 0;
        for (long c : counts.values()) n += c;
        if (n <= 0) return null;
        long rank = (long) Math.floor(q * (n - 1));
        long cumulative = 0;
        for (Map.Entry<Integer, Long> e : counts.entrySet()) {
            cumulative += e.getValue();
            if (cumulative > rank) return value(e.getKey());
        }
        throw new IllegalStateException("cumulative count never passed rank " + rank);
    }
}
