package com.sessionflow.session;

import java.util.Arrays;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * The (device_id, insert_id) pairs one owner sent within the dedup horizon, as 64-bit hashes with
 * their event times: 16 bytes an event. Amplitude counts a retried event once; so do we. A Flink
 * POJO, kept in keyed state.
 */
public class DuplicateFilter {

    public long[] hashes = new long[0];
    public long[] times = new long[0];

    public DuplicateFilter() {}

    public static long hash(String deviceId, String insertId) {
        String key = (deviceId == null ? "" : deviceId) + '\u0000' + insertId;
        return MurmurHash3.hash(key.toCharArray(), 0x5e55_10f1L)[0];
    }

    /**
     * Records the event unless it was seen already; forgets events older than {@code forgetBefore}.
     *
     * @return true when the event is new
     */
    public boolean firstSighting(long hash, long time, long forgetBefore) {
        forget(forgetBefore);
        for (long h : hashes) {
            if (h == hash) return false;
        }
        hashes = Arrays.copyOf(hashes, hashes.length + 1);
        times = Arrays.copyOf(times, times.length + 1);
        hashes[hashes.length - 1] = hash;
        times[times.length - 1] = time;
        return true;
    }

    /** Forgets events older than {@code forgetBefore}; true when nothing is left. */
    public boolean forget(long forgetBefore) {
        int kept = 0;
        for (long t : times) {
            if (t >= forgetBefore) kept++;
        }
        if (kept != times.length) {
            long[] h = new long[kept];
            long[] t = new long[kept];
            int j = 0;
            for (int i = 0; i < times.length; i++) {
                if (times[i] >= forgetBefore) {
                    h[j] = hashes[i];
                    t[j++] = times[i];
                }
            }
            hashes = h;
            times = t;
        }
        return hashes.length == 0;
    }

    /** The latest event time held, or Long.MIN_VALUE when empty. */
    public long latest() {
        return Arrays.stream(times).max().orElse(Long.MIN_VALUE);
    }
}
