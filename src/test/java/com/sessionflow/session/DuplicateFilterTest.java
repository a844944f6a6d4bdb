package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The inline insert ids of an owner that sent few. */
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
}
