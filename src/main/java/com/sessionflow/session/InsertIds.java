package com.sessionflow.session;

import java.io.Serializable;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Deduplication: Amplitude counts an event retried with the same (device_id, insert_id) once; so do
 * we, per owner, within the dedup horizon of event time. An owner's insert ids are remembered one
 * entry each (a 64-bit hash and the event's time), so an event reads and writes only its own entry,
 * however many the owner sent: a hot owner costs what anyone costs. Expired entries are swept in
 * bulk: as soon as the oldest expires, but at most once per eighth of a horizon per owner, so an
 * owner that never stops sending is not swept (every entry visited) on every event.
 */
public final class InsertIds implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No insert id remembered. */
    public static final long NONE = Long.MIN_VALUE;

    private final long horizonMs;

    /**
     * @param horizonMs how long (event time) an insert id is remembered; 0 turns deduplication off
     */
    public InsertIds(long horizonMs) {
        this.horizonMs = horizonMs;
    }

    public static long hash(String deviceId, String insertId) {
        String key = (deviceId == null ? "" : deviceId) + '\u0000' + insertId;
        return MurmurHash3.hash(key.toCharArray(), 0x5e55_10f1L)[0];
    }

    /** Whether an event with this insert id is checked (and remembered) at all. */
    public boolean applies(String insertId) {
        return horizonMs > 0 && insertId != null;
    }

    /**
     * Whether an insert id first seen in an event of time {@code seenAt} (null: never) is still
     * remembered at {@code watermark}: a later event with it is a duplicate.
     */
    public boolean remembers(Long seenAt, long watermark) {
        return seenAt != null && (watermark == Long.MIN_VALUE || seenAt >= watermark - horizonMs);
    }

    /** The first watermark at which an insert id of an event at {@code time} is forgotten. */
    public long expiry(long time) {
        return time + horizonMs + 1;
    }

    /**
     * When to sweep next, after a sweep at {@code watermark} left {@code oldest} as the oldest
     * remembered time ({@link #NONE}: nothing left, no sweep).
     */
    public long nextSweep(long oldest, long watermark) {
        if (oldest == NONE) return NONE;
        return Math.max(expiry(oldest), watermark + Math.max(1, horizonMs / 8));
    }
}
