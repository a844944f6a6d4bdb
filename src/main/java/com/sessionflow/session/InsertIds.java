package com.sessionflow.session;

import java.io.Serializable;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Deduplication: Amplitude counts an event retried with the same (device_id, insert_id) once; so do
 * we, per owner, within the dedup horizon of event time. An owner's ids are remembered as 64-bit
 * hashes of the pair with their event times, in one of two places:
 *
 * <ul>
 *   <li>up to {@link #inlineCapacity} of them in the owner's value ({@link DuplicateFilter}), 16
 *       bytes an id: on the heap backend the cheapest in memory (57 bytes an id measured, against
 *       128 as map entries, which box every hash and time); on RocksDB only a few, since the value
 *       is rewritten on every event, but so a person's events touch one key, not two;
 *   <li>beyond that in entries of their own, one per id, so that an event reads and writes only its
 *       own entry however many the owner sent: a bot or a stuck SDK costs per event what a person
 *       costs (28 bytes an id on RocksDB). Expired entries are swept in bulk as soon as the oldest
 *       expires, but at most once per eighth of a horizon, so an owner that never stops is not
 *       swept on every event; once all have expired the owner goes back to the inline ids.
 * </ul>
 */
public final class InsertIds implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No insert id remembered. */
    public static final long NONE = Long.MIN_VALUE;

    /** How many ids an owner keeps in its value on the heap backend. */
    public static final int INLINE_ON_HEAP = 64;

    /**
     * How many ids an owner keeps in its value on RocksDB: few, since the value is rewritten on
     * every event, but enough for most people's owners, so that their events write one key, not
     * two.
     */
    public static final int INLINE_ON_ROCKSDB = 16;

    private final long horizonMs;
    private final int inlineCapacity;

    /**
     * @param horizonMs how long (event time) an insert id is remembered; 0 turns deduplication off
     * @param inlineCapacity how many ids an owner keeps in its value before they move to entries of
     *     their own
     */
    public InsertIds(long horizonMs, int inlineCapacity) {
        this.horizonMs = horizonMs;
        this.inlineCapacity = inlineCapacity;
    }

    /**
     * The job's ids for {@code --dedup-horizon} (0: off): an id is remembered at least as long as
     * its event can still be placed, so a retry that is not too late is always recognised.
     */
    public static InsertIds forHorizon(
            long dedupHorizonMs, OwnerTimeline timeline, int inlineCapacity) {
        return new InsertIds(
                dedupHorizonMs <= 0 ? 0 : Math.max(dedupHorizonMs, timeline.placementWindowMs()),
                inlineCapacity);
    }

    /** The inline capacity that costs least on a state backend ({@code state.backend.type}). */
    public static int inlineCapacityFor(String stateBackend) {
        return stateBackend.toLowerCase(java.util.Locale.ROOT).contains("rocksdb")
                ? INLINE_ON_ROCKSDB
                : INLINE_ON_HEAP;
    }

    public int inlineCapacity() {
        return inlineCapacity;
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
