package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DuplicateFilterTest {

    final DuplicateFilter filter = new DuplicateFilter();

    @Test
    void secondSightingOfAPairIsADuplicate() {
        long h = DuplicateFilter.hash("d1", "i1");
        assertThat(filter.firstSighting(h, 1000, Long.MIN_VALUE)).isTrue();
        assertThat(filter.firstSighting(h, 1000, Long.MIN_VALUE)).isFalse();
        assertThat(filter.firstSighting(DuplicateFilter.hash("d1", "i1"), 5000, Long.MIN_VALUE))
                .isFalse();
    }

    @Test
    void theDeviceIsPartOfThePair() {
        assertThat(filter.firstSighting(DuplicateFilter.hash("d1", "i1"), 1000, Long.MIN_VALUE))
                .isTrue();
        assertThat(filter.firstSighting(DuplicateFilter.hash("d2", "i1"), 1000, Long.MIN_VALUE))
                .isTrue();
        assertThat(filter.firstSighting(DuplicateFilter.hash(null, "i1"), 1000, Long.MIN_VALUE))
                .isTrue();
        assertThat(filter.firstSighting(DuplicateFilter.hash("d1", "i2"), 1000, Long.MIN_VALUE))
                .isTrue();
        // no ambiguity from concatenation
        assertThat(DuplicateFilter.hash("ab", "c")).isNotEqualTo(DuplicateFilter.hash("a", "bc"));
    }

    @Test
    void forgetsOnlyEventsOlderThanTheHorizon() {
        long h1 = DuplicateFilter.hash("d", "1");
        long h2 = DuplicateFilter.hash("d", "2");
        filter.firstSighting(h1, 1000, Long.MIN_VALUE);
        filter.firstSighting(h2, 2000, Long.MIN_VALUE);
        assertThat(filter.latest()).isEqualTo(2000);
        assertThat(filter.forget(1000)).isFalse();
        assertThat(filter.hashes).hasSize(2);
        assertThat(filter.forget(1001)).isFalse();
        assertThat(filter.hashes).containsExactly(h2);
        assertThat(filter.times).containsExactly(2000L);
        // a forgotten pair counts as new again
        assertThat(filter.firstSighting(h1, 1000, 1001)).isTrue();
        assertThat(filter.forget(2001)).isTrue();
        assertThat(filter.latest()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void firstSightingForgetsFirst() {
        long h = DuplicateFilter.hash("d", "1");
        filter.firstSighting(h, 1000, Long.MIN_VALUE);
        assertThat(filter.firstSighting(h, 1000, 1001)).isTrue();
        assertThat(filter.hashes).containsExactly(h);
    }
}
