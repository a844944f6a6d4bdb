package com.sessionflow.session;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongToIntFunction;

/**
 * Insert ids as 64-bit hashes with their event times: those of an owner that sent few, inside the
 * owner's value (at most {@link InsertIds#inlineCapacity()}), or one bucket of an owner that sent
 * more (see {@link InsertIds}). Its arrays are replaced, never changed in place.
 */
public class DuplicateFilter {

    long[] hashes = new long[0];
    long[] times = new long[0];

    public DuplicateFilter() {}

    DuplicateFilter(long[] hashes, long[] times) {
        this.hashes = hashes;
        this.times = times;
    }

    /** A copy that shares nothing that changes with this one. */
    public DuplicateFilter copy() {
        return new DuplicateFilter(
                Arrays.copyOf(hashes, hashes.length), Arrays.copyOf(times, times.length));
    }

    /** The event time the {@code i}-th id was seen at, and its hash. */
    public long time(int i) {
        return times[i];
    }

    public long hash(int i) {
        return hashes[i];
    }

    /**
     * Writes the ids as the state formats do: each hash in 8 bytes (they are random) and each time
     * as the difference from the one before, a few bytes.
     */
    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, hashes.length);
        long previous = 0;
        for (int i = 0; i < hashes.length; i++) {
            out.writeLong(hashes[i]);
            Varints.writeSigned(out, times[i] - previous);
            previous = times[i];
        }
    }

    public static DuplicateFilter readFrom(DataInput in) throws IOException {
        int n = Varints.readCount(in);
        long[] hashes = new long[n];
        long[] times = new long[n];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            hashes[i] = in.readLong();
            previous += Varints.readSigned(in);
            times[i] = previous;
        }
        return new DuplicateFilter(hashes, times);
    }

    public int size() {
        return hashes.length;
    }

    /** Whether {@code hash} is held and still remembered at {@code watermark}. */
    public boolean remembers(long hash, InsertIds rules, long watermark) {
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] == hash && rules.remembers(times[i], watermark)) return true;
        }
        return false;
    }

    public void add(long hash, long time) {
        hashes = Arrays.copyOf(hashes, hashes.length + 1);
        times = Arrays.copyOf(times, times.length + 1);
        hashes[hashes.length - 1] = hash;
        times[times.length - 1] = time;
    }

    /** Drops the ids no longer remembered at {@code watermark}; true when none is left. */
    public boolean forget(InsertIds rules, long watermark) {
        int kept = 0;
        for (long t : times) {
            if (rules.remembers(t, watermark)) kept++;
        }
        if (kept != times.length) {
            long[] h = new long[kept];
            long[] t = new long[kept];
            int j = 0;
            for (int i = 0; i < times.length; i++) {
                if (rules.remembers(times[i], watermark)) {
                    h[j] = hashes[i];
                    t[j++] = times[i];
                }
            }
            hashes = h;
            times = t;
        }
        return hashes.length == 0;
    }

    /** The latest event time held, or {@link InsertIds#NONE} when empty. */
    public long latest() {
        long latest = InsertIds.NONE;
        for (long t : times) latest = Math.max(latest, t);
        return latest;
    }

    /**
     * Splits a bucket: moves the ids whose hash has {@code bit} set into the returned twin and
     * keeps the others, dropping from both those no longer remembered at {@code watermark}.
     */
    public DuplicateFilter splitOff(long bit, InsertIds rules, long watermark) {
        forget(rules, watermark);
        int moved = 0;
        for (long h : hashes) {
            if ((h & bit) != 0) moved++;
        }
        DuplicateFilter twin = new DuplicateFilter(new long[moved], new long[moved]);
        long[] keptHashes = new long[hashes.length - moved];
        long[] keptTimes = new long[hashes.length - moved];
        int k = 0;
        int m = 0;
        for (int i = 0; i < hashes.length; i++) {
            if ((hashes[i] & bit) != 0) {
                twin.hashes[m] = hashes[i];
                twin.times[m++] = times[i];
            } else {
                keptHashes[k] = hashes[i];
                keptTimes[k++] = times[i];
            }
        }
        hashes = keptHashes;
        times = keptTimes;
        return twin;
    }

    /** The earliest event time held, or {@link InsertIds#NONE} when empty. */
    public long earliest() {
        return Arrays.stream(times).min().orElse(InsertIds.NONE);
    }

    /**
     * The ids of {@code filters} still remembered at {@code watermark}, regrouped into their
     * buckets ({@link InsertIds#bucketOf}).
     */
    public static Map<Integer, DuplicateFilter> regroup(
            Iterable<DuplicateFilter> filters,
            LongToIntFunction bucketOf,
            InsertIds rules,
            long watermark) {
        Map<Integer, int[]> sizes = new HashMap<>();
        for (DuplicateFilter f : filters) {
            for (int i = 0; i < f.hashes.length; i++) {
                if (rules.remembers(f.times[i], watermark)) {
                    sizes.computeIfAbsent(bucketOf.applyAsInt(f.hashes[i]), b -> new int[1])[0]++;
                }
            }
        }
        Map<Integer, DuplicateFilter> buckets = new HashMap<>();
        sizes.forEach(
                (b, n) -> buckets.put(b, new DuplicateFilter(new long[n[0]], new long[n[0]])));
        // filled from the end, counting each bucket's size down
        for (DuplicateFilter f : filters) {
            for (int i = 0; i < f.hashes.length; i++) {
                if (!rules.remembers(f.times[i], watermark)) continue;
                int b = bucketOf.applyAsInt(f.hashes[i]);
                int at = --sizes.get(b)[0];
                buckets.get(b).hashes[at] = f.hashes[i];
                buckets.get(b).times[at] = f.times[i];
            }
        }
        return buckets;
    }
}
