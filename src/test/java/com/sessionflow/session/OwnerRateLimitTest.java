package com.sessionflow.session;

import static com.sessionflow.reference.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runaway-owner guard's counting and flagging, without Flink (session-rules §7). */
class OwnerRateLimitTest {

    static final long MINUTE = 60_000;
    static final long T0 = 1_700_000_040_000L; // a minute boundary

    final OwnerRateLimit limit = new OwnerRateLimit(3, OwnerRateLimit.Action.QUARANTINE);

    /** Counts events at the times and says which were over. */
    List<Boolean> count(EventRate rate, long... times) {
        List<Boolean> over = new ArrayList<>();
        for (long t : times) over.add(limit.countIsOver(rate, t));
        return over;
    }

    @Test
    void theEventsBeyondTheLimitInOneMinuteAreOver() {
        EventRate rate = new EventRate();
        assertThat(count(rate, T0, T0 + 1, T0 + 2, T0 + 3, T0 + MINUTE - 1))
                .containsExactly(false, false, false, true, true);
        assertThat(rate.minute).isEqualTo(T0);
    }

    @Test
    void aNewMinuteStartsAFreshCount() {
        EventRate rate = new EventRate();
        count(rate, T0, T0, T0, T0);
        assertThat(count(rate, T0 + MINUTE, T0 + MINUTE + 1, T0 + MINUTE + 2, T0 + MINUTE + 3))
                .containsExactly(false, false, false, true);
        assertThat(rate.minute).isEqualTo(T0 + MINUTE);
    }

    @Test
    void anEarlierMinuteCountsTowardsTheLatest() {
        EventRate rate = new EventRate();
        count(rate, T0 + MINUTE, T0 + MINUTE);
        // old timestamps cannot escape the bound
        assertThat(count(rate, T0 - 10 * MINUTE, T0 - 20 * MINUTE)).containsExactly(false, true);
        assertThat(rate.minute).isEqualTo(T0 + MINUTE);
    }

    @Test
    void minutesOfTimesBeforeTheEpochAreWholeMinutesToo() {
        EventRate rate = new EventRate();
        count(rate, -1);
        assertThat(rate.minute).isEqualTo(-MINUTE);
    }

    @Test
    void theCountStopsAboveTheLimit() {
        EventRate rate = new EventRate();
        for (int i = 0; i < 1000; i++) limit.countIsOver(rate, T0);
        assertThat(rate.count).isEqualTo(4);
    }

    @Test
    void sessionsOverlappingTheMinuteAreFlaggedAndChanged() {
        Session before = session(T0 - 3 * MINUTE, T0 - 2 * MINUTE);
        Session spanning = session(T0 - MINUTE, T0 + 10);
        Session inside = session(T0 + 20_000, T0 + 30_000);
        Session after = session(T0 + MINUTE, T0 + 2 * MINUTE);
        List<Session> all = List.of(before, spanning, inside, after);
        all.forEach(s -> s.dirty = false);

        OwnerRateLimit.flag(all, T0 + 59_999);

        assertThat(all).extracting(s -> s.overRate).containsExactly(false, true, true, false);
        assertThat(all).extracting(s -> s.dirty).containsExactly(false, true, true, false);
    }

    @Test
    void aFlaggedSessionIsNotChangedAgain() {
        Session s = session(T0, T0 + 10);
        OwnerRateLimit.flag(List.of(s), T0);
        s.dirty = false;
        OwnerRateLimit.flag(List.of(s), T0 + 5);
        assertThat(s.dirty).isFalse();
    }

    @Test
    void theFlagSurvivesMerges() {
        Session flagged = session(T0, T0 + 10);
        flagged.overRate = true;
        Session other = session(T0 + 20, T0 + 30);
        other.absorb(flagged);
        assertThat(other.overRate).isTrue();
        assertThat(other.toRecord().overRate).isTrue();
    }

    @Test
    void offAndNegative() {
        assertThat(OwnerRateLimit.OFF.applies()).isFalse();
        assertThat(OwnerRateLimit.DEFAULT.eventsPerMinute()).isEqualTo(1800);
        assertThatThrownBy(() -> new OwnerRateLimit(-1, OwnerRateLimit.Action.DROP))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Session session(long start, long end) {
        Session s = Session.of(at("u", start).build(), false);
        s.absorb(Session.of(at("u", end).build(), false));
        return s;
    }
}
