package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dedup rules, without Flink: which pair is one insert id, how long it is remembered. */
class InsertIdsTest {

    static final long HORIZON = 10_000;
    final InsertIds insertIds = new InsertIds(HORIZON, InsertIds.INLINE_ON_HEAP);

    @Test
    void theDeviceIsPartOfThePair() {
        Set<Long> hashes = new HashSet<>();
        assertThat(hashes.add(InsertIds.hash("d1", "i1"))).isTrue();
        assertThat(hashes.add(InsertIds.hash("d1", "i1"))).as("same pair, same hash").isFalse();
        assertThat(hashes.add(InsertIds.hash("d2", "i1"))).isTrue();
        assertThat(hashes.add(InsertIds.hash(null, "i1"))).isTrue();
        assertThat(hashes.add(InsertIds.hash("d1", "i2"))).isTrue();
        // no ambiguity from concatenation
        assertThat(InsertIds.hash("ab", "c")).isNotEqualTo(InsertIds.hash("a", "bc"));
    }

    @Test
    void rememberedForTheHorizonOfEventTime() {
        assertThat(insertIds.remembers(null, 5_000)).as("never seen").isFalse();
        assertThat(insertIds.remembers(1_000L, Long.MIN_VALUE)).as("before any watermark").isTrue();
        assertThat(insertIds.remembers(1_000L, 1_000 + HORIZON)).isTrue();
        assertThat(insertIds.remembers(1_000L, 1_000 + HORIZON + 1))
                .as("a forgotten pair counts as new again")
                .isFalse();
    }

    @Test
    void appliesOnlyToEventsWithAnInsertIdAndWhenOn() {
        assertThat(insertIds.applies("i1")).isTrue();
        assertThat(insertIds.applies(null)).isFalse();
        assertThat(new InsertIds(0, 0).applies("i1")).as("dedup off").isFalse();
    }

    @Test
    void forgottenAtItsExpiry() {
        assertThat(insertIds.remembers(1_000L, insertIds.expiry(1_000) - 1)).isTrue();
        assertThat(insertIds.remembers(1_000L, insertIds.expiry(1_000))).isFalse();
    }

    @Test
    void theNextSweepComesWhenTheOldestExpiresButNotSoonerThanAnEighthOfAHorizon() {
        assertThat(insertIds.nextSweep(InsertIds.NONE, 50_000)).isEqualTo(InsertIds.NONE);
        // an owner that sent little: swept as soon as its oldest id expires
        assertThat(insertIds.nextSweep(45_000, 50_000)).isEqualTo(insertIds.expiry(45_000));
        // an owner that sends all the time: its oldest expires right away, yet not swept again
        // before an eighth of a horizon has passed
        assertThat(insertIds.nextSweep(40_001, 50_000)).isEqualTo(50_000 + HORIZON / 8);
    }

    @Test
    void anOwnerKeepsFewerIdsInlineOnRocksDbThanOnTheHeap() {
        assertThat(InsertIds.inlineCapacityFor("rocksdb")).isEqualTo(InsertIds.INLINE_ON_ROCKSDB);
        assertThat(InsertIds.inlineCapacityFor("ROCKSDB")).isEqualTo(InsertIds.INLINE_ON_ROCKSDB);
        assertThat(
                        InsertIds.inlineCapacityFor(
                                "org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackendFactory"))
                .isEqualTo(InsertIds.INLINE_ON_ROCKSDB);
        assertThat(InsertIds.inlineCapacityFor("hashmap")).isEqualTo(InsertIds.INLINE_ON_HEAP);
        assertThat(InsertIds.INLINE_ON_ROCKSDB).isLessThan(InsertIds.INLINE_ON_HEAP);
    }

    @Test
    void bucketsSplitOneByOneAsTheIdsGrow() {
        assertThat(InsertIds.bucketBitsFor(1)).isZero();
        assertThat(InsertIds.bucketBitsFor(InsertIds.IDS_PER_BUCKET)).isZero();
        assertThat(InsertIds.bucketBitsFor(InsertIds.IDS_PER_BUCKET + 1)).isEqualTo(1);
        assertThat(InsertIds.bucketBitsFor(InsertIds.IDS_PER_BUCKET * 1024L)).isEqualTo(10);
        assertThat(InsertIds.bucketBitsFor(Long.MAX_VALUE)).isEqualTo(InsertIds.MAX_BUCKET_BITS);
        // 4 buckets, one of them split: 5 buckets hold up to 5 * IDS_PER_BUCKET
        assertThat(InsertIds.needsSplit(5L * InsertIds.IDS_PER_BUCKET, 2, 1)).isFalse();
        assertThat(InsertIds.needsSplit(5L * InsertIds.IDS_PER_BUCKET + 1, 2, 1)).isTrue();
        assertThat(InsertIds.needsSplit(Long.MAX_VALUE, InsertIds.MAX_BUCKET_BITS, 0)).isFalse();
    }

    @Test
    void anIdsBucketIsItsHashsLowBitsAndOneMoreOnceItsBucketSplit() {
        assertThat(InsertIds.bucketOf(-1L, 0, 0)).isZero();
        assertThat(InsertIds.bucketOf(0b1011, 2, 0)).isEqualTo(0b11);
        // buckets 0 to 2 have split, bucket 3 has not
        assertThat(InsertIds.bucketOf(0b1010, 2, 3)).isEqualTo(0b010);
        assertThat(InsertIds.bucketOf(0b1110, 2, 3)).isEqualTo(0b110);
        assertThat(InsertIds.bucketOf(0b1111, 2, 3)).isEqualTo(0b11);
        // a split moves a bucket's ids to itself or to its twin 2^bits above, nowhere else
        for (int i = 0; i < 1000; i++) {
            long h = InsertIds.hash("d", "i" + i);
            int before = InsertIds.bucketOf(h, 4, 5);
            int after = InsertIds.bucketOf(h, 4, 6);
            if (before == 5) assertThat(after).isIn(5, 5 + 16);
            else assertThat(after).isEqualTo(before);
        }
    }
}
