package com.sessionflow.session;

import static com.sessionflow.reference.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.session.EventIntake.Judgement;
import com.sessionflow.session.EventIntake.Verdict;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order an event is judged in, and an owner's next due time, without Flink (§7). */
class EventIntakeTest {

    static final long GAP = 100;
    static final long LATENESS = 500;
    static final OwnerTimeline TIMELINE =
            new OwnerTimeline(
                    SessionDefinition.builder()
                            .gap(Duration.ofMillis(GAP))
                            .inactiveTypes(Set.of("push_received"))
                            .build(),
                    LATENESS);
    static final InsertIds IDS = new InsertIds(10_000, 64);

    final Set<Long> remembered = new HashSet<>();
    final EventRate rate = new EventRate();

    EventIntake intake(int limit, OwnerRateLimit.Action action) {
        return new EventIntake(TIMELINE, IDS, new OwnerRateLimit(limit, action));
    }

    Judgement judge(EventIntake intake, Event e, long watermark) throws Exception {
        return intake.judge(e, watermark, rate, remembered::contains);
    }

    @Test
    void tooLateComesFirstAndCountsNothing() throws Exception {
        Event e = at("u", 1_000).insertId("a").build();
        remembered.add(InsertIds.hash(e.deviceId, "a"));
        Judgement j = judge(intake(1, OwnerRateLimit.Action.QUARANTINE), e, 1_000 + GAP + LATENESS);
        assertThat(j.verdict()).isEqualTo(Verdict.TOO_LATE);
        assertThat(rate.count).isZero();
    }

    @Test
    void aDuplicateIsNotCountedTowardsTheRate() throws Exception {
        EventIntake intake = intake(1, OwnerRateLimit.Action.QUARANTINE);
        Event e = at("u", 1_000).insertId("a").build();
        Judgement first = judge(intake, e, Long.MIN_VALUE);
        assertThat(first.verdict()).isEqualTo(Verdict.IN_SESSION);
        assertThat(first.remember()).isTrue();
        remembered.add(first.insertIdHash());
        assertThat(judge(intake, e, Long.MIN_VALUE).verdict()).isEqualTo(Verdict.DUPLICATE);
        assertThat(rate.count).isEqualTo(1);
    }

    @Test
    void overTheRateIsHeldBackAndNotRememberedOrKeptAndFlagged() throws Exception {
        Event a = at("u", 1_000).insertId("a").build();
        Event b = at("u", 1_001).insertId("b").build();
        EventIntake quarantine = intake(1, OwnerRateLimit.Action.QUARANTINE);
        judge(quarantine, a, Long.MIN_VALUE);
        Judgement held = judge(quarantine, b, Long.MIN_VALUE);
        assertThat(held.verdict()).isEqualTo(Verdict.HELD_BACK);
        assertThat(held.overRate()).isTrue();
        assertThat(held.remember()).isFalse();

        EventRate other = new EventRate();
        EventIntake keep = intake(1, OwnerRateLimit.Action.KEEP);
        keep.judge(a, Long.MIN_VALUE, other, remembered::contains);
        Judgement kept = keep.judge(b, Long.MIN_VALUE, other, remembered::contains);
        assertThat(kept.verdict()).isEqualTo(Verdict.IN_SESSION);
        assertThat(kept.overRate()).isTrue();
        assertThat(kept.remember()).isTrue();
    }

    @Test
    void outOfSessionEventsAreRememberedAndCounted() throws Exception {
        EventIntake intake = intake(0, OwnerRateLimit.Action.QUARANTINE);
        Judgement j = judge(intake, at("u", 1_000).type("push_received").insertId("p").build(), 0);
        assertThat(j.verdict()).isEqualTo(Verdict.OUT_OF_SESSION);
        assertThat(j.remember()).isTrue();
        assertThat(judge(intake, at("u", 1_000).build(), 0).remember())
                .as("no insert id")
                .isFalse();
    }

    @Test
    void nextDueIsTheEarliestOfCloseRetryPurgeExpiryAndSweep() {
        EventIntake intake = intake(0, OwnerRateLimit.Action.QUARANTINE);
        Session open = Session.of(at("u", 1_000).build(), false);
        Session written = Session.of(at("u", 5_000).build(), false);
        written.dirty = false;
        assertThat(intake.nextDue(new Session[] {open, written}, null, InsertIds.NONE, 0))
                .as("close time of the changed one")
                .isEqualTo(1_000 + GAP - 1);
        assertThat(intake.nextDue(new Session[] {open}, null, InsertIds.NONE, 1_200))
                .as("already past its close time: the next watermark")
                .isEqualTo(1_201);
        assertThat(intake.nextDue(new Session[] {written}, null, InsertIds.NONE, 0))
                .as("purge time")
                .isEqualTo(TIMELINE.purgeTime(written));
        DuplicateFilter seen = new DuplicateFilter();
        seen.add(7, 100);
        assertThat(intake.nextDue(new Session[0], seen, InsertIds.NONE, 0))
                .isEqualTo(IDS.expiry(100));
        assertThat(intake.nextDue(new Session[0], null, 42, 0)).isEqualTo(42);
        assertThat(intake.nextDue(new Session[0], null, InsertIds.NONE, 0))
                .isEqualTo(Long.MAX_VALUE);
    }
}
