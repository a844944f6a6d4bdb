package com.sessionflow.session;

import java.util.Arrays;

/**
 * The insert ids of an owner that sent few, kept inside the owner's value: 64-bit hashes with their
 * event times, 16 bytes an id, at most {@link InsertIds#inlineCapacity()} of them. An owner that
 * sends more has its ids in entries of their own instead (see {@link InsertIds}). A Flink POJO.
 */
public class DuplicateFilter {

    public long[] hashes = new long[0];
    public long[] times = new long[0];

    public DuplicateFilter() {}

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
        return Arrays.stream(times).max().orElse(InsertIds.NONE);
    }
}
