package com.sessionflow.session;

import java.io.Serializable;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Deduplication: Amplitude counts an event retried with the same (device_id, insert_id) once; so do
 * we, per owner, within the dedup horizon of event time. An owner's ids are remembered as 64-bit
 * hashes of the pair with their event times, in one of two places:
 *
 * <ul>
 *   <li>up to {@link #inlineCapacity} of them in the owner's value ({@link DuplicateFilter}): on
 *       the heap backend up to 64; on RocksDB only a few, since the value is rewritten on every
 *       event, but so a person's events touch one key, not two;
 *   <li>beyond that in buckets of their own, by the hash's low bits, with at most {@link
 *       #IDS_PER_BUCKET} ids a bucket on average: an event reads and writes only its own bucket
 *       however many the owner sent, so a bot or a stuck SDK costs per event what a person costs,
 *       and each RocksDB entry's own overhead (its key, sequence number and lengths, about 20
 *       bytes) is shared by the bucket's ids instead of paid by each (28 bytes an id as entries of
 *       their own, measured). As the owner's ids grow its buckets split one at a time (linear
 *       hashing), so no event moves more than one bucket's ids. Expired ids are dropped from a
 *       bucket whenever it is written, and from all of them in a sweep as soon as the oldest
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

    /**
     * How many ids a bucket holds at most on average: a bucket is read and written whole on every
     * event of its owner (about 180 bytes), while the RocksDB entry's overhead is shared by this
     * many. 16 measured 15.8 bytes an id on RocksDB and a hot owner's event 1.2-1.35x an ordinary
     * one's; 32 measured 15.1 bytes and 1.3-2.1x (docs/benchmarks.md, "Insert ids in buckets").
     */
    public static final int IDS_PER_BUCKET = 16;

    /** At most 2^20 buckets an owner: beyond about 16 M ids its buckets only grow. */
    static final int MAX_BUCKET_BITS = 20;

    /**
     * An owner's {@code insertIdBits} restored from state format 2 or older, whose ids are still in
     * the entries of that layout, one per id: they move into buckets when the owner is next seen.
     */
    public static final int OLDER_LAYOUT = -1;

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

    /**
     * The bucket of an id among an owner's {@code 2^bits + split} (linear hashing): the low {@code
     * bits} bits of its hash, or one bit more for the buckets below {@code split}, already split.
     */
    public static int bucketOf(long hash, int bits, int split) {
        int bucket = (int) (hash & ((1L << bits) - 1));
        return bucket < split ? (int) (hash & ((1L << (bits + 1)) - 1)) : bucket;
    }

    /**
     * How many bits of bucket an owner whose ids move into buckets, {@code ids} of them, starts
     * with.
     */
    public static int bucketBitsFor(long ids) {
        int bits = 0;
        while (bits < MAX_BUCKET_BITS && ids > (long) IDS_PER_BUCKET << bits) bits++;
        return bits;
    }

    /**
     * Whether an owner's buckets are too full for its {@code ids}, so that the next one splits: one
     * bucket a time, into itself and its twin {@code 2^bits} above, so that no event moves more
     * than a bucket's ids however many the owner has.
     */
    public static boolean needsSplit(long ids, int bits, int split) {
        return bits < MAX_BUCKET_BITS && ids > IDS_PER_BUCKET * ((1L << bits) + split);
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
