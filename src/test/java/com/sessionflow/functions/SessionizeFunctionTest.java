package com.sessionflow.functions;

import static com.sessionflow.reference.TestEvents.at;
import static com.sessionflow.reference.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.reference.TestEvents;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SessionizeFunction in Flink's keyed operator harness: timers, late updates, retractions, state.
 */
class SessionizeFunctionTest {

    static final long GAP = 100;
    static final long LATENESS = 500;
    static final SessionDefinition DEFINITION =
            SessionDefinition.builder()
                    .gap(Duration.ofMillis(GAP))
                    .inactiveTypes(Set.of("push_received"))
                    .build();
    static final long DEDUP = 10_000;

    SessionizerHarness h;

    @BeforeEach
    void open() throws Exception {
        h = new SessionizerHarness(new OwnerTimeline(DEFINITION, LATENESS), DEDUP);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static Event e(long time) {
        return event(time);
    }

    static SessionRecord update(SessionChange c) {
        assertThat(c.isRetraction()).as("%s", c).isFalse();
        return c.session;
    }

    @Test
    void emitsAtEndPlusGapMinusOneAndNotBefore() throws Exception {
        h.events(e(1000), e(1050));
        h.watermark(1050 + GAP - 2);
        assertThat(h.changes()).isEmpty();
        h.watermark(1050 + GAP - 1);
        List<SessionChange> out = h.changes();
        assertThat(out).hasSize(1);
        SessionRecord s = update(out.get(0));
        assertThat(out.get(0).key()).isEqualTo("u/1000");
        assertThat(s.sessionId).isEqualTo(1000);
        assertThat(s.endTime).isEqualTo(1050);
        assertThat(s.eventCount).isEqualTo(2);
        assertThat(s.revision).isEqualTo(1);
        assertThat(s.closeReason).isEqualTo(CloseReason.GAP);
        h.watermark(5000);
        assertThat(h.changes()).isEmpty();
    }

    @Test
    void anEventAtExactlyTheGapIsANewSession() throws Exception {
        h.events(e(1000), e(1100)).watermark(1099);
        assertThat(h.changes())
                .singleElement()
                .satisfies(c -> assertThat(update(c).eventCount).isEqualTo(1));
        h.watermark(1199);
        assertThat(h.changes())
                .singleElement()
                .satisfies(c -> assertThat(c.key()).isEqualTo("u/1100"));
    }

    @Test
    void ownersAreIndependent() throws Exception {
        h.events(
                at("a", 1000).build(),
                at("b", 1040).build(),
                at("a", 1060).build(),
                at("b", 1200).build());
        h.watermark(1159);
        assertThat(h.changes())
                .extracting(SessionChange::key)
                .containsExactlyInAnyOrder("a/1000", "b/1040");
        h.watermark(Long.MAX_VALUE);
        assertThat(h.changes())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.key()).isEqualTo("b/1200");
                            assertThat(update(c).closeReason).isEqualTo(CloseReason.END_OF_INPUT);
                        });
    }

    @Test
    void lateEventsReEmitOnceAtTheNextWatermark() throws Exception {
        h.events(e(1000), e(1090)).watermark(1189);
        assertThat(h.changes()).hasSize(1);
        // a whole offline batch between two watermarks, inside the emitted session
        h.events(e(1010), e(1020), e(1030), e(1040));
        assertThat(h.changes()).isEmpty();
        h.watermark(1190);
        List<SessionChange> out = h.changes();
        assertThat(out).hasSize(1);
        SessionRecord s = update(out.get(0));
        assertThat(out.get(0).key()).isEqualTo("u/1000");
        assertThat(s.revision).isEqualTo(2);
        assertThat(s.eventCount).isEqualTo(6);
        assertThat(s.endTime).isEqualTo(1090);
        h.watermark(1300);
        assertThat(h.changes()).isEmpty();
    }

    @Test
    void aLateEventExtendingASessionForwardWaitsForTheNewCloseTime() throws Exception {
        h.event(e(1000)).watermark(1099);
        h.changes();
        h.event(e(1090)); // close time moves to 1189
        h.watermark(1150);
        assertThat(h.changes()).isEmpty();
        h.watermark(1189);
        assertThat(h.changes())
                .singleElement()
                .satisfies(c -> assertThat(update(c).revision).isEqualTo(2));
    }

    @Test
    void lateBatchTouchingTwoSessionsReEmitsEachOnce() throws Exception {
        h.events(e(1000), e(1090), e(1300), e(1390)).watermark(1489);
        assertThat(h.changes()).hasSize(2);
        h.events(e(1010), e(1310), e(1020), e(1320));
        h.watermark(1490);
        assertThat(h.late()).isEmpty();
        Map<String, SessionRecord> out =
                h.changes().stream()
                        .collect(
                                Collectors.toMap(
                                        SessionChange::key, SessionizeFunctionTest::update));
        assertThat(out).containsOnlyKeys("u/1000", "u/1300");
        assertThat(out.values())
                .allSatisfy(
                        s -> {
                            assertThat(s.revision).isEqualTo(2);
                            assertThat(s.eventCount).isEqualTo(4);
                        });
    }

    @Test
    void aLateEventBridgingTwoEmittedSessionsMergesThemAndRetractsTheLaterKey() throws Exception {
        h.events(e(1000), e(1150)).watermark(1249);
        assertThat(h.changes())
                .extracting(SessionChange::key)
                .containsExactlyInAnyOrder("u/1000", "u/1150");
        h.event(e(1080)).watermark(1250);
        List<SessionChange> out = h.changes();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).isRetraction()).isTrue();
        assertThat(out.get(0).key()).isEqualTo("u/1150");
        SessionRecord merged = update(out.get(1));
        assertThat(out.get(1).key()).isEqualTo("u/1000");
        assertThat(merged.eventCount).isEqualTo(3);
        assertThat(merged.endTime).isEqualTo(1150);
        assertThat(merged.revision).isEqualTo(2);
        assertThat(h.compacted()).containsOnlyKeys("u/1000");
    }

    @Test
    void backwardExtensionRetractsTheOldId() throws Exception {
        h.event(e(1000)).watermark(1099);
        h.changes();
        h.event(e(950)).watermark(1100);
        List<SessionChange> out = h.changes();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).isRetraction()).isTrue();
        assertThat(out.get(0).key()).isEqualTo("u/1000");
        assertThat(out.get(1).key()).isEqualTo("u/950");
        assertThat(update(out.get(1)).startTime).isEqualTo(950);
        assertThat(h.compacted()).containsOnlyKeys("u/950");
    }

    @Test
    void aLateEventOfAnSdkSessionFindsItBeyondTheGap() throws Exception {
        // found by the property test: the SDK kept its id alive with an out-of-session event, so
        // the session's next event is 139 ms after its end (gap 100), and it arrives late, after
        // an ordinary session's purge time but before its own deadline
        SessionDefinition client =
                SessionDefinition.builder()
                        .gap(Duration.ofMillis(GAP))
                        .inactiveTypes(Set.of("push_received"))
                        .kind("client")
                        .build();
        try (SessionizerHarness c =
                new SessionizerHarness(new OwnerTimeline(client, LATENESS), DEDUP)) {
            long t = 1_000_000;
            c.event(at("u", t).sessionId(t).build());
            c.event(at("u", t + 40).sessionId(t).type("push_received").build());
            c.event(at("u", t + 439).build()).watermark(t + 439 + GAP + LATENESS - 331);
            assertThat(update(c.changes().get(0)).eventCount).isEqualTo(1);
            c.event(at("u", t + 139).sessionId(t).build()).watermark(Long.MAX_VALUE);
            SessionRecord sdk = c.compacted().get("u/" + t);
            assertThat(sdk.eventCount).isEqualTo(2);
            assertThat(sdk.revision).isEqualTo(2);
        }
    }

    @Test
    void tooLateEventsGoToTheLateOutput() throws Exception {
        h.event(e(1000)).watermark(1000 + GAP - 1 + LATENESS);
        h.changes();
        // at the deadline: still placed
        h.event(e(1000)).watermark(1000 + GAP + LATENESS);
        assertThat(h.late()).isEmpty();
        assertThat(h.changes())
                .singleElement()
                .satisfies(c -> assertThat(update(c).eventCount).isEqualTo(2));
        // one past it: too late
        h.event(e(1000));
        assertThat(h.late())
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.event.time).isEqualTo(1000);
                            assertThat(l.watermark).isEqualTo(1000 + GAP + LATENESS);
                            assertThat(l.deadline).isEqualTo(1000 + GAP - 1 + LATENESS);
                            assertThat(l.reason()).isEqualTo("too_late");
                        });
        h.watermark(10_000);
        assertThat(h.changes()).isEmpty();
        assertThat(h.outOfSession()).isEmpty();
    }

    @Test
    void outOfSessionEventsGoToTheirSideOutput() throws Exception {
        Event minusOne = TestEvents.outOfSession(1050);
        Event push = at("u", 1099).type("push_received").build();
        h.events(e(1000), minusOne, push, e(1100)).watermark(Long.MAX_VALUE);
        assertThat(h.outOfSession()).containsExactly(minusOne, push);
        assertThat(h.changes()).extracting(SessionChange::key).containsExactly("u/1000", "u/1100");
    }

    @Test
    void duplicatesAreDropped() throws Exception {
        Event a = at("u", 1000).insertId("i1").build();
        Event again = a.copy();
        Event otherDevice = at("u", 1010).insertId("i1").device("device-2").build();
        Event noInsertId = e(1020);
        Event minusOne = at("u", 1030).insertId("i2").sessionId(-1).build();
        h.events(a, again, otherDevice, noInsertId, noInsertId.copy(), minusOne, minusOne.copy());
        // a retry after the session was emitted
        h.watermark(1200).event(a.copy()).watermark(1300);
        List<SessionChange> out = h.allChanges();
        assertThat(out)
                .singleElement()
                .satisfies(c -> assertThat(update(c).eventCount).isEqualTo(4));
        assertThat(h.outOfSession()).hasSize(1);
    }

    @Test
    void dedupCanBeTurnedOff() throws Exception {
        try (SessionizerHarness noDedup =
                new SessionizerHarness(new OwnerTimeline(DEFINITION, LATENESS), 0)) {
            Event a = at("u", 1000).insertId("i1").build();
            noDedup.events(a, a.copy()).watermark(Long.MAX_VALUE);
            assertThat(noDedup.changes())
                    .singleElement()
                    .satisfies(c -> assertThat(update(c).eventCount).isEqualTo(2));
        }
    }

    @Test
    void stateIsPurgedAfterThePurgeTime() throws Exception {
        h.events(at("u", 1000).insertId("i1").build(), e(1050));
        h.watermark(1149);
        assertThat(h.changes()).hasSize(1);
        long purge = 1050 + GAP - 1 + GAP + LATENESS;
        h.watermark(purge - 1);
        assertThat(h.ownerState("u").sessions).hasSize(1);
        assertThat(h.numEventTimeTimers()).as("one timer per owner").isEqualTo(1);
        h.watermark(purge);
        assertThat(h.ownerState("u").sessions).isEmpty();
        // an insert id is kept for the dedup horizon after its event time
        h.watermark(1000 + DEDUP);
        assertThat(h.ownerState("u").inlineInsertIds())
                .as("the last insert id is still held")
                .isEqualTo(1);
        h.watermark(1000 + DEDUP + 1);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.changes()).isEmpty();
    }

    /**
     * An owner that sends more insert ids than its value holds (a bot, a stuck SDK): they move to
     * buckets of their own, a retry of an id from before the move is still a duplicate, and once
     * they have all expired the owner is back to nothing.
     */
    @Test
    void manyInsertIdsMoveToBucketsOfTheirOwnAndStillDedup() throws Exception {
        int n = InsertIds.INLINE_ON_HEAP + 8;
        for (int i = 0; i < n; i++) h.events(at("bot", 1000 + i).insertId("b" + i).build());
        assertThat(h.ownerState("bot").seen).as("no longer inline").isNull();
        assertThat(h.insertIds("bot")).hasSize(n);
        h.events(
                at("bot", 1000).insertId("b0").build(), at("bot", 1000 + n).insertId("b1").build());
        h.events(at("bot", 1000 + n + 1).insertId("new").build());
        h.watermark(Long.MAX_VALUE);
        List<SessionChange> changes = h.changes();
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).session.eventCount)
                .as("the two retries are dropped")
                .isEqualTo(n + 1);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /**
     * A bot's thousands of ids: its buckets split one by one as they fill, retries of ids from any
     * time before are dropped, and sweeps empty the buckets once the horizon has passed; on both
     * backends.
     */
    @Test
    void aBotsInsertIdsFillDoublingBucketsAndAreSweptAway() throws Exception {
        for (boolean rocksdb : new boolean[] {false, true}) {
            // no rate limit: its 5,000 events come within 5 s
            try (SessionizerHarness run =
                    new SessionizerHarness(
                            new OwnerTimeline(DEFINITION, LATENESS),
                            DEDUP,
                            rocksdb ? new EmbeddedRocksDBStateBackend() : null,
                            InsertIds.inlineCapacityFor(rocksdb ? "rocksdb" : "hashmap"),
                            OwnerRateLimit.OFF)) {
                int n = 5_000;
                for (int i = 0; i < n; i++) {
                    run.event(at("bot", 1000 + i).insertId("b" + i).build());
                    if (i % 97 == 0) run.event(at("bot", 1000 + i).insertId("b" + i / 2).build());
                }
                var owner = run.ownerState("bot");
                long buckets = (1L << owner.insertIdBits) + owner.insertIdSplit;
                assertThat(buckets)
                        .as("as many buckets as %d ids need", n)
                        .isEqualTo((n + InsertIds.IDS_PER_BUCKET - 1) / InsertIds.IDS_PER_BUCKET);
                assertThat(owner.bucketedInsertIds).isEqualTo(n);
                assertThat(run.insertIds("bot")).hasSize(n);
                run.watermark(1000 + n + GAP);
                assertThat(run.changes())
                        .singleElement()
                        .extracting(c -> c.session.eventCount)
                        .as("every retry is dropped")
                        .isEqualTo((long) n);
                // the first half of the ids expires: one sweep drops them from every bucket
                run.watermark(1000 + n / 2 + DEDUP + 1);
                assertThat(run.ownerState("bot").bucketedInsertIds)
                        .isEqualTo(run.insertIds("bot").size())
                        .isBetween(n / 2 - 1L, (long) n);
                run.watermark(Long.MAX_VALUE);
                assertNothingHeld(run, "bot", rocksdb);
            }
        }
    }

    /**
     * An owner restored from state format 2, its insert ids an entry each: they move into buckets
     * when the owner is next seen, and a retry of one of them is still a duplicate.
     */
    @Test
    void insertIdsOfTheOlderLayoutMoveIntoBucketsAndStillDedup() throws Exception {
        for (boolean rocksdb : new boolean[] {false, true}) {
            try (SessionizerHarness run =
                    new SessionizerHarness(
                            new OwnerTimeline(DEFINITION, LATENESS),
                            DEDUP,
                            rocksdb ? new EmbeddedRocksDBStateBackend() : null)) {
                Map<Long, Long> older = new java.util.TreeMap<>();
                for (int i = 0; i < 100; i++) {
                    Event e = at("bot", 1000 + i).insertId("b" + i).build();
                    older.put(InsertIds.hash(e.deviceId, e.insertId), e.time);
                }
                run.putInOlderLayout("bot", older, 1000 + DEDUP + 1);
                run.snapshotAndRestore();
                run.events(
                        at("bot", 1000).insertId("b0").build(),
                        at("bot", 1099).insertId("b99").build(),
                        at("bot", 1200).insertId("new").build());
                assertThat(run.olderLayoutInsertIds("bot")).isZero();
                assertThat(run.insertIds("bot")).containsAllEntriesOf(older).hasSize(101);
                run.watermark(Long.MAX_VALUE);
                assertThat(run.changes())
                        .singleElement()
                        .extracting(c -> c.session.eventCount)
                        .as("the retries are dropped")
                        .isEqualTo(1L);
                assertNothingHeld(run, "bot", rocksdb);
            }
        }
    }

    static void assertNothingHeld(SessionizerHarness run, String owner, boolean rocksdb)
            throws Exception {
        assertThat(run.ownerState(owner)).isNull();
        assertThat(run.insertIds(owner)).isEmpty();
        // the harness counts entries on the heap backend only
        if (!rocksdb) assertThat(run.numKeyedStateEntries()).isZero();
    }

    @Test
    void everythingIsForgottenAtTheEndOfInput() throws Exception {
        h.events(
                at("a", 1000).insertId("1").build(),
                at("b", 5000).insertId("2").build(),
                TestEvents.outOfSession(7000));
        h.watermark(Long.MAX_VALUE);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /**
     * A run with late updates, merges and duplicates, optionally restored from a snapshot midway.
     */
    List<SessionChange> scenario(SessionizerHarness run, int restoreAt) throws Exception {
        Object[] script = {
            at("a", 1000).insertId("a1").build(),
            at("a", 1040).insertId("a2").build(),
            at("b", 1010).insertId("b1").type("session_start").build(),
            1100L,
            at("a", 1150).insertId("a3").build(),
            at("b", 1090).insertId("b2").build(),
            1200L,
            at("a", 1080).insertId("a4").build(), // bridges a/1000 and a/1150
            at("a", 1000).insertId("a1").build(), // duplicate of an event before the snapshot
            at("b", 1300).insertId("b3").build(),
            1260L,
            at("b", 990).insertId("b4").build(), // backward extension of b/1010
            TestEvents.outOfSession(1310),
            1400L,
            Long.MAX_VALUE
        };
        int i = 0;
        for (Object step : script) {
            if (i++ == restoreAt) run.snapshotAndRestore();
            if (step instanceof Event e) run.event(e);
            else run.watermark((Long) step);
        }
        return run.allChanges();
    }

    static List<String> describe(List<SessionChange> changes) {
        return changes.stream()
                .map(
                        c ->
                                c.isRetraction()
                                        ? "retract " + c.key()
                                        : c.key()
                                                + " "
                                                + ExpectedSession.of(c.session)
                                                + " rev "
                                                + c.session.revision
                                                + " "
                                                + c.session.closeReason)
                .toList();
    }

    @Test
    void aSnapshotAndRestoreMidwayChangesNothing() throws Exception {
        List<String> straight = describe(scenario(h, -1));
        // the run itself is right
        Map<String, ExpectedSession> compacted =
                h.compacted().entrySet().stream()
                        .collect(
                                Collectors.toMap(
                                        Map.Entry::getKey, x -> ExpectedSession.of(x.getValue())));
        assertThat(compacted.keySet()).containsExactlyInAnyOrder("a/1000", "b/990", "b/1300");
        assertThat(compacted.get("a/1000").eventCount()).isEqualTo(4);
        assertThat(compacted.get("b/990").eventCount()).isEqualTo(3);
        for (int at = 1; at < 16; at++) {
            try (SessionizerHarness restored =
                    new SessionizerHarness(new OwnerTimeline(DEFINITION, LATENESS), DEDUP)) {
                assertThat(describe(scenario(restored, at)))
                        .as("restored before step %d", at)
                        .isEqualTo(straight);
            }
        }
    }

    @Test
    void rocksDbGivesTheSameResultAndRestores() throws Exception {
        // RocksDB serializes on every access: a state change made without writing it back shows
        // here
        List<String> heap = describe(scenario(h, -1));
        for (int at : new int[] {-1, 5, 9}) {
            try (SessionizerHarness rocks =
                    new SessionizerHarness(
                            new OwnerTimeline(DEFINITION, LATENESS),
                            DEDUP,
                            new EmbeddedRocksDBStateBackend())) {
                assertThat(describe(scenario(rocks, at)))
                        .as("restored before step %d", at)
                        .isEqualTo(heap);
            }
        }
    }
}
