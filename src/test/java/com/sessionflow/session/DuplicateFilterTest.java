package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Insert ids: an owner's inline ones, or one bucket of them. */
class DuplicateFilterTest {

    static final long HORIZON = 10_000;
    final InsertIds rules = new InsertIds(HORIZON, InsertIds.INLINE_ON_HEAP);
    final DuplicateFilter filter = new DuplicateFilter();

    @Test
    void remembersWhatWasAddedForTheHorizon() {
        long h = InsertIds.hash("d1", "i1");
        assertThat(filter.remembers(h, rules, Long.MIN_VALUE)).isFalse();
        filter.add(h, 1000);
        assertThat(filter.remembers(h, rules, Long.MIN_VALUE)).isTrue();
        assertThat(filter.remembers(h, rules, 1000 + HORIZON)).isTrue();
        assertThat(filter.remembers(h, rules, 1000 + HORIZON + 1)).isFalse();
        assertThat(filter.remembers(InsertIds.hash("d2", "i1"), rules, Long.MIN_VALUE)).isFalse();
    }

    @Test
    void forgetsOnlyEventsOlderThanTheHorizon() {
        long h1 = InsertIds.hash("d", "1");
        long h2 = InsertIds.hash("d", "2");
        filter.add(h1, 1000);
        filter.add(h2, 2000);
        assertThat(filter.latest()).isEqualTo(2000);
        assertThat(filter.forget(rules, 1000 + HORIZON)).isFalse();
        assertThat(filter.hashes).hasSize(2);
        assertThat(filter.forget(rules, 1001 + HORIZON)).isFalse();
        assertThat(filter.hashes).containsExactly(h2);
        assertThat(filter.times).containsExactly(2000L);
        assertThat(filter.forget(rules, 2001 + HORIZON)).isTrue();
        assertThat(filter.latest()).isEqualTo(InsertIds.NONE);
    }

    @Test
    void regroupingPutsEveryRememberedIdInItsBucketOnce() {
        DuplicateFilter other = new DuplicateFilter();
        for (int i = 0; i < 200; i++) {
            (i % 2 == 0 ? filter : other).add(InsertIds.hash("d", "i" + i), 1000 + i);
        }
        // the first 10 are forgotten at this watermark
        long watermark = 1010 + HORIZON;
        java.util.Map<Integer, DuplicateFilter> buckets =
                DuplicateFilter.regroup(
                        java.util.List.of(filter, other),
                        h -> InsertIds.bucketOf(h, 3, 0),
                        rules,
                        watermark);
        assertThat(buckets.keySet()).allMatch(b -> b >= 0 && b < 8);
        assertThat(buckets.values().stream().mapToInt(DuplicateFilter::size).sum()).isEqualTo(190);
        for (int i = 0; i < 200; i++) {
            long h = InsertIds.hash("d", "i" + i);
            DuplicateFilter bucket = buckets.get(InsertIds.bucketOf(h, 3, 0));
            assertThat(bucket.remembers(h, rules, watermark)).as("id %d", i).isEqualTo(i >= 10);
        }
        assertThat(buckets.get(0).earliest()).isLessThanOrEqualTo(buckets.get(0).latest());
    }

    @Test
    void aSplitMovesTheIdsWithTheBitSetToTheTwinAndDropsExpiredOnes() {
        for (int i = 0; i < 100; i++) filter.add(InsertIds.hash("d", "i" + i), 1000 + i);
        long watermark = 1010 + HORIZON;
        DuplicateFilter twin = filter.splitOff(1L << 3, rules, watermark);
        assertThat(filter.size() + twin.size()).isEqualTo(90);
        for (long h : filter.hashes) assertThat(h & 8).isZero();
        for (long h : twin.hashes) assertThat(h & 8).isNotZero();
        for (int i = 10; i < 100; i++) {
            long h = InsertIds.hash("d", "i" + i);
            assertThat(((h & 8) == 0 ? filter : twin).remembers(h, rules, watermark)).isTrue();
        }
    }
}
