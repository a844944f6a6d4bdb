package com.sessionflow.functions;

import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.InsertIds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.IntSerializer;

/**
 * Where the sessionizer remembers an owner's insert ids: a few inline in the owner's value ({@link
 * OwnerState}, read with every event anyway), more in buckets of a map state, split one at a time
 * as they grow (linear hashing, the rules in {@link InsertIds}), so that no event reads or writes
 * more than its own bucket however many ids its owner has.
 *
 * <p>The owner's value holds the buckets' bookkeeping (bits, split, count, next sweep); this class
 * keeps it and the buckets in step. It also moves the ids of an owner restored from state format 2
 * (an entry per id) into buckets, once, when the owner is next seen.
 */
public final class InsertIdStore {

    /** The buckets of an owner's insert ids: bucket number to its ids (hash, event time). */
    static final String BUCKETS_STATE_NAME = "insert-id-buckets";

    /** The insert ids as state format 2 kept them, an entry per id (hash to event time). */
    static final String OLDER_ENTRIES_STATE_NAME = "insert-ids";

    private final InsertIds rules;
    private final MapState<Integer, DuplicateFilter> buckets;
    private final MapState<Long, Long> olderEntries;

    /**
     * A one-bucket read cache: the bucket the current event's duplicate check read (null: none
     * there yet), so that remembering its id does not read it again; -1 when nothing is cached.
     */
    private int cachedBucket = -1;

    private DuplicateFilter cached;

    InsertIdStore(
            InsertIds rules,
            MapState<Integer, DuplicateFilter> buckets,
            MapState<Long, Long> olderEntries) {
        this.rules = rules;
        this.buckets = buckets;
        this.olderEntries = olderEntries;
    }

    public static MapStateDescriptor<Integer, DuplicateFilter> bucketsDescriptor() {
        return new MapStateDescriptor<>(
                BUCKETS_STATE_NAME, IntSerializer.INSTANCE, InsertIdBucketSerializer.INSTANCE);
    }

    public static MapStateDescriptor<Long, Long> olderEntriesDescriptor() {
        return new MapStateDescriptor<>(OLDER_ENTRIES_STATE_NAME, Types.LONG, Types.LONG);
    }

    /** Whether the owner remembers {@code hash} at {@code watermark}. */
    boolean remembers(OwnerState owner, long hash, long watermark) throws Exception {
        cachedBucket = -1;
        if (owner.seen != null && owner.seen.remembers(hash, rules, watermark)) return true;
        if (!owner.hasBuckets()) return false;
        cachedBucket = bucketOf(owner, hash);
        cached = buckets.get(cachedBucket);
        return cached != null && cached.remembers(hash, rules, watermark);
    }

    /**
     * Remembers an insert id: inline while the owner has few, else in its bucket (all of the inline
     * ones move to buckets when they overflow). Either way the owner's value changes: its inline
     * ids, or its buckets' count and sweep.
     */
    void remember(OwnerState owner, long hash, long time, long watermark) throws Exception {
        if (!owner.hasBuckets()) {
            if (owner.seen == null) owner.seen = new DuplicateFilter();
            int capacity = rules.inlineCapacity();
            if (owner.seen.size() >= capacity) owner.seen.forget(rules, watermark);
            owner.seen.add(hash, time);
            if (owner.seen.size() <= capacity) return;
            DuplicateFilter overflow = owner.seen;
            owner.seen = null;
            putIntoBuckets(owner, List.of(overflow), watermark);
            return;
        }
        int b = bucketOf(owner, hash);
        DuplicateFilter bucket = b == cachedBucket ? cached : buckets.get(b);
        cachedBucket = -1;
        if (bucket == null) bucket = new DuplicateFilter();
        owner.bucketedInsertIds -= bucket.size();
        bucket.forget(rules, watermark);
        bucket.add(hash, time);
        owner.bucketedInsertIds += bucket.size();
        buckets.put(b, bucket);
        sweepNoLaterThan(owner, time);
        if (InsertIds.needsSplit(
                owner.bucketedInsertIds, owner.insertIdBits, owner.insertIdSplit)) {
            splitNextBucket(owner, watermark);
        }
    }

    /** Forgets the owner's expired inline ids, and sweeps its buckets when their sweep is due. */
    void expire(OwnerState owner, long watermark) throws Exception {
        if (owner.seen != null && owner.seen.forget(rules, watermark)) owner.seen = null;
        if (owner.hasBuckets() && watermark >= owner.insertIdSweep) sweep(owner, watermark);
    }

    /**
     * Moves the insert ids of an owner restored from state format 2 into buckets; true when it did,
     * so that the owner's value is stored even if the event changes nothing else.
     */
    boolean bucketOlderLayout(OwnerState owner, long watermark) throws Exception {
        if (!owner.hasBuckets() || owner.insertIdBits != InsertIds.OLDER_LAYOUT) return false;
        List<DuplicateFilter> older = new ArrayList<>();
        for (Map.Entry<Long, Long> id : olderEntries.entries()) {
            DuplicateFilter one = new DuplicateFilter();
            one.add(id.getKey(), id.getValue());
            older.add(one);
        }
        olderEntries.clear();
        owner.insertIdSweep = InsertIds.NONE;
        putIntoBuckets(owner, older, watermark);
        return true;
    }

    private static int bucketOf(OwnerState owner, long hash) {
        return InsertIds.bucketOf(hash, owner.insertIdBits, owner.insertIdSplit);
    }

    /** Puts ids into the owner's empty buckets, as many as their number needs. */
    private void putIntoBuckets(OwnerState owner, List<DuplicateFilter> ids, long watermark)
            throws Exception {
        cachedBucket = -1;
        long n = 0;
        for (DuplicateFilter f : ids) n += f.size();
        owner.insertIdBits = InsertIds.bucketBitsFor(n);
        owner.insertIdSplit = 0;
        owner.bucketedInsertIds = 0;
        for (Map.Entry<Integer, DuplicateFilter> bucket :
                DuplicateFilter.regroup(ids, hash -> bucketOf(owner, hash), rules, watermark)
                        .entrySet()) {
            buckets.put(bucket.getKey(), bucket.getValue());
            owner.bucketedInsertIds += bucket.getValue().size();
            sweepNoLaterThan(owner, bucket.getValue().earliest());
        }
        if (owner.bucketedInsertIds == 0) owner.insertIdSweep = InsertIds.NONE;
    }

    /** Splits the owner's next bucket into itself and its twin {@code 2^bits} above. */
    private void splitNextBucket(OwnerState owner, long watermark) throws Exception {
        int split = owner.insertIdSplit;
        int twin = split + (1 << owner.insertIdBits);
        long bit = 1L << owner.insertIdBits;
        if (++owner.insertIdSplit == 1 << owner.insertIdBits) {
            owner.insertIdBits++;
            owner.insertIdSplit = 0;
        }
        DuplicateFilter bucket = buckets.get(split);
        if (bucket == null) return;
        owner.bucketedInsertIds -= bucket.size();
        DuplicateFilter moved = bucket.splitOff(bit, rules, watermark);
        owner.bucketedInsertIds += bucket.size() + moved.size();
        if (bucket.size() > 0) buckets.put(split, bucket);
        else buckets.remove(split);
        if (moved.size() > 0) buckets.put(twin, moved);
    }

    /** Brings the next sweep forward to the expiry of an id at {@code time}. */
    private void sweepNoLaterThan(OwnerState owner, long time) {
        long expiry = rules.expiry(time);
        if (!owner.hasBuckets() || owner.insertIdSweep > expiry) owner.insertIdSweep = expiry;
    }

    /** Drops the owner's expired insert ids from every bucket and sets the next sweep. */
    private void sweep(OwnerState owner, long watermark) throws Exception {
        long oldest = InsertIds.NONE;
        long held = 0;
        Iterator<Map.Entry<Integer, DuplicateFilter>> it = buckets.iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, DuplicateFilter> entry = it.next();
            DuplicateFilter bucket = entry.getValue();
            int before = bucket.size();
            if (bucket.forget(rules, watermark)) {
                it.remove();
                continue;
            }
            if (bucket.size() != before) entry.setValue(bucket);
            held += bucket.size();
            long earliest = bucket.earliest();
            if (oldest == InsertIds.NONE || earliest < oldest) oldest = earliest;
        }
        // an emptied map still holds the owner's key on the heap backend
        if (oldest == InsertIds.NONE) buckets.clear();
        owner.bucketedInsertIds = held;
        owner.insertIdSweep = rules.nextSweep(oldest, watermark);
    }
}
