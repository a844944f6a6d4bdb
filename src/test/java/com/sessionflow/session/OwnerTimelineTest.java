package com.sessionflow.session;

import static com.sessionflow.reference.TestEvents.at;
import static com.sessionflow.reference.TestEvents.event;
import static com.sessionflow.reference.TestEvents.outOfSession;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.kafka.JsonRecords;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The session rules of session-rules §2 and §6 (gap 100 ms) on OwnerTimeline, without Flink. */
class OwnerTimelineTest {

    static final long GAP = 100;
    static final long LATENESS = 500;
    static final SessionDefinition DEFINITION =
            SessionDefinition.builder()
                    .gap(Duration.ofMillis(GAP))
                    .inactiveTypes(Set.of("push_received"))
                    .build();

    final OwnerTimeline timeline = new OwnerTimeline(DEFINITION, LATENESS);
    final List<Session> sessions = new ArrayList<>();
    final List<SessionChange> changes = new ArrayList<>();

    /** Feeds events as the operator does (out-of-session events never reach place()). */
    void feed(Event... events) {
        for (Event e : events) {
            if (!DEFINITION.isOutOfSession(e)) timeline.place(sessions, e);
        }
    }

    List<SessionChange> advance(long watermark) {
        List<SessionChange> out = new ArrayList<>();
        timeline.advance(sessions, watermark, out::add);
        changes.addAll(out);
        return out;
    }

    /** All sessions of the events after the input ended. */
    List<SessionRecord> sessionsOf(Event... events) {
        feed(events);
        return advance(Long.MAX_VALUE).stream().map(c -> c.session).toList();
    }

    static List<Long> ids(List<SessionRecord> s) {
        return s.stream().map(x -> x.sessionId).toList();
    }

    @Nested
    class SpecReferenceCases {
        @Test
        void closeEventsFormOneSession() {
            List<SessionRecord> s = sessionsOf(event(1000), event(1050));
            assertThat(ids(s)).containsExactly(1000L);
            assertThat(s.get(0).endTime).isEqualTo(1050);
            assertThat(s.get(0).eventCount).isEqualTo(2);
            assertThat(s.get(0).lengthMs()).isEqualTo(50);
        }

        @Test
        void farEventsFormTwoSessions() {
            assertThat(ids(sessionsOf(event(1000), event(2000)))).containsExactly(1000L, 2000L);
        }

        @Test
        void outOfSessionEventDoesNotBridge() {
            assertThat(ids(sessionsOf(event(1000), outOfSession(1050), event(1100))))
                    .containsExactly(1000L, 1100L);
        }

        @Test
        void gapMinusOneExtends() {
            List<SessionRecord> s = sessionsOf(event(1000), event(1099));
            assertThat(ids(s)).containsExactly(1000L);
            assertThat(s.get(0).endTime).isEqualTo(1099);
        }

        @Test
        void exactlyTheGapStartsANewSession() {
            assertThat(ids(sessionsOf(event(1000), event(1100)))).containsExactly(1000L, 1100L);
        }

        @Test
        void exactlyTheGapBeforeAnExistingSessionStartsANewOne() {
            // the same boundary when the earlier event arrives second
            assertThat(ids(sessionsOf(event(1100), event(1000)))).containsExactly(1000L, 1100L);
            sessions.clear();
            assertThat(ids(sessionsOf(event(1099), event(1000)))).containsExactly(1000L);
        }

        @Test
        void outOfSessionEventAtGapMinusOneDoesNotExtend() {
            assertThat(ids(sessionsOf(event(1000), outOfSession(1099), event(1100))))
                    .containsExactly(1000L, 1100L);
        }

        @Test
        void inactiveEventTypeDoesNotExtend() {
            Event push = at("u", 1099).type("push_received").build();
            assertThat(ids(sessionsOf(event(1000), push, event(1100))))
                    .containsExactly(1000L, 1100L);
        }
    }

    @Test
    void outOfOrderEventsGiveTheSameSessions() {
        List<SessionRecord> s =
                sessionsOf(event(1050), event(1000), event(1300), event(1220), event(1130));
        assertThat(ids(s)).containsExactly(1000L);
        assertThat(s.get(0).endTime).isEqualTo(1300);
        assertThat(s.get(0).eventCount).isEqualTo(5);
    }

    @Test
    void anEventBridgesTwoSessions() {
        feed(event(1000), event(1150));
        assertThat(sessions).hasSize(2);
        feed(event(1080));
        assertThat(sessions).hasSize(1);
        List<SessionRecord> s = advance(Long.MAX_VALUE).stream().map(c -> c.session).toList();
        assertThat(ids(s)).containsExactly(1000L);
        assertThat(s.get(0).endTime).isEqualTo(1150);
        assertThat(s.get(0).eventCount).isEqualTo(3);
    }

    @Test
    void anEventBridgesThreeSessionsAtOnce() {
        // 1000 | 1100 | 1200 are split by exactly the gap; 1050 and 1150 join them up
        feed(event(1000), event(1100), event(1200));
        assertThat(sessions).hasSize(3);
        feed(event(1050));
        assertThat(sessions).hasSize(2);
        feed(event(1150));
        assertThat(ids(advance(Long.MAX_VALUE).stream().map(c -> c.session).toList()))
                .containsExactly(1000L);
    }

    @Test
    void anEarlierEventExtendsASessionBackwards() {
        List<SessionRecord> s = sessionsOf(event(1000), event(901));
        assertThat(ids(s)).containsExactly(901L);
        assertThat(s.get(0).startTime).isEqualTo(901);
        assertThat(s.get(0).endTime).isEqualTo(1000);
    }

    @Test
    void sessionsStaySortedByStart() {
        feed(event(5000), event(1000), event(3000), event(2000), event(4000));
        assertThat(sessions)
                .extracting(s -> s.sessionId)
                .containsExactly(1000L, 2000L, 3000L, 4000L, 5000L);
    }

    @Test
    void markersBelongToTheirSessionButAreNotActive() {
        List<SessionRecord> s =
                sessionsOf(
                        at("u", 1000).type("session_start").build(),
                        event(1040),
                        at("u", 1090).type("session_end").build());
        assertThat(s).hasSize(1);
        assertThat(s.get(0).eventCount).isEqualTo(3);
        assertThat(s.get(0).activeEventCount).isEqualTo(1);
        assertThat(s.get(0).isEmpty()).isFalse();
        assertThat(s.get(0).firstEventType).isEqualTo("session_start");
        assertThat(s.get(0).lastEventType).isEqualTo("session_end");
    }

    @Test
    void markersOnlyIsEmpty() {
        List<SessionRecord> s =
                sessionsOf(
                        at("u", 1000).type("[Amplitude] Start Session").build(),
                        at("u", 1030).type("[Amplitude] End Session").build());
        assertThat(s).hasSize(1);
        assertThat(s.get(0).isEmpty()).isTrue();
        assertThat(s.get(0).isZeroLength()).isFalse();
        ObjectNode json = JsonRecords.session(s.get(0), DEFINITION);
        assertThat(json.get("empty").asBoolean()).isTrue();
        assertThat(json.get("active_event_count").asLong()).isZero();
    }

    @Test
    void oneEventOrOneInstantIsZeroLength() {
        List<SessionRecord> one = sessionsOf(event(1000));
        assertThat(one.get(0).isZeroLength()).isTrue();
        assertThat(one.get(0).isEmpty()).isFalse();
        sessions.clear();
        List<SessionRecord> instant = sessionsOf(event(2000), at("u", 2000).type("view").build());
        assertThat(instant.get(0).eventCount).isEqualTo(2);
        assertThat(instant.get(0).isZeroLength()).isTrue();
        assertThat(JsonRecords.session(instant.get(0), DEFINITION).get("zero_length").asBoolean())
                .isTrue();
        assertThat(JsonRecords.session(instant.get(0), DEFINITION).get("length_ms").asLong())
                .isZero();
    }

    @Test
    void tiesOnTimeAreBrokenByEventTypeName() {
        Event[] events = {
            at("u", 1050).type("x").build(), at("u", 1000).type("b").platform("Android").build(),
            at("u", 1050).type("y").build(), at("u", 1000).type("a").platform("Web").build()
        };
        List<SessionRecord> s = sessionsOf(events);
        assertThat(s.get(0).firstEventType).isEqualTo("a");
        assertThat(s.get(0).lastEventType).isEqualTo("y");
        assertThat(s.get(0).platform).isEqualTo("Web");
        sessions.clear();
        Event[] reversed = {events[3], events[2], events[1], events[0]};
        List<SessionRecord> r = sessionsOf(reversed);
        assertThat(ExpectedSession.of(r.get(0))).isEqualTo(ExpectedSession.of(s.get(0)));
        assertThat(ExpectedSession.of(r.get(0)))
                .isEqualTo(ReferenceSessionizer.sessionize(List.of(events), GAP).get(0));
    }

    @Test
    void overLimitIsFlaggedWhenLongerThanTheMaximum() {
        SessionDefinition shortMax =
                SessionDefinition.builder()
                        .gap(Duration.ofMillis(GAP))
                        .maxLength(Duration.ofMillis(1000))
                        .build();
        OwnerTimeline t = new OwnerTimeline(shortMax, 0);
        List<Session> list = new ArrayList<>();
        for (long time = 0; time <= 1000; time += 50) t.place(list, event(10_000 + time));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).toRecord().lengthMs()).isEqualTo(1000);
        assertThat(
                        JsonRecords.session(list.get(0).toRecord(), shortMax)
                                .get("over_limit")
                                .asBoolean())
                .isFalse();
        t.place(list, event(11_001));
        assertThat(
                        JsonRecords.session(list.get(0).toRecord(), shortMax)
                                .get("over_limit")
                                .asBoolean())
                .isTrue();
        assertThat(
                        JsonRecords.session(list.get(0).toRecord(), DEFINITION)
                                .get("over_limit")
                                .asBoolean())
                .isFalse();
    }

    @Test
    void sessionRecordJsonSaysWhatTheReferenceSays() {
        Event[] events = {event(1000), at("u", 1060).type("session_end").build(), event(1300)};
        List<SessionRecord> s = sessionsOf(events);
        List<ExpectedSession> expected = ReferenceSessionizer.sessionize(List.of(events), GAP);
        assertThat(s).hasSize(2);
        for (int i = 0; i < 2; i++) {
            ObjectNode json = JsonRecords.session(s.get(i), DEFINITION);
            assertThat(expected.get(i).matches(json))
                    .as("%s vs %s", expected.get(i), json)
                    .isTrue();
            assertThat(json.get("definition").asText()).isEqualTo("gap");
            assertThat(json.get("revision").asInt()).isEqualTo(1);
            assertThat(json.get("close_reason").asText()).isEqualTo("end_of_input");
        }
    }

    @Nested
    class Times {
        @Test
        void closeAndPurgeTimes() {
            feed(event(1000), event(1050));
            Session s = sessions.get(0);
            assertThat(timeline.closeTime(s)).isEqualTo(1050 + GAP - 1);
            assertThat(timeline.purgeTime(s)).isEqualTo(1050 + GAP - 1 + GAP + LATENESS);
        }

        @Test
        void tooLateOnlyBeyondGapMinusOnePlusLateness() {
            assertThat(timeline.placementDeadline(1000)).isEqualTo(1000 + GAP - 1 + LATENESS);
            assertThat(timeline.isTooLate(1000, 1000 + GAP - 1 + LATENESS)).isFalse();
            assertThat(timeline.isTooLate(1000, 1000 + GAP + LATENESS)).isTrue();
            assertThat(timeline.isTooLate(1000, Long.MIN_VALUE)).isFalse();
        }
    }

    @Nested
    class Advance {
        @Test
        void emitsAtCloseTimeAndNotBefore() {
            feed(event(1000), event(1050));
            assertThat(advance(1050 + GAP - 2)).isEmpty();
            List<SessionChange> out = advance(1050 + GAP - 1);
            assertThat(out).hasSize(1);
            SessionRecord s = out.get(0).session;
            assertThat(out.get(0).isRetraction()).isFalse();
            assertThat(out.get(0).key()).isEqualTo("u/1000");
            assertThat(s.revision).isEqualTo(1);
            assertThat(s.closeReason).isEqualTo(CloseReason.GAP);
            assertThat(sessions.get(0).emittedIds).containsExactly(1000L);
            assertThat(sessions.get(0).dirty).isFalse();
            // unchanged: not emitted again
            assertThat(advance(1050 + GAP + 10)).isEmpty();
        }

        @Test
        void emittedCopyIsNotTheLiveState() {
            feed(event(1000));
            SessionRecord emitted = advance(2000).get(0).session;
            feed(event(1010));
            assertThat(emitted.eventCount).isEqualTo(1);
        }

        @Test
        void laterDataReEmitsWithTheNextRevision() {
            feed(event(1000));
            advance(1099);
            feed(event(1060));
            feed(event(1030));
            List<SessionChange> out = advance(1200);
            assertThat(out).hasSize(1);
            assertThat(out.get(0).session.revision).isEqualTo(2);
            assertThat(out.get(0).session.eventCount).isEqualTo(3);
            assertThat(out.get(0).key()).isEqualTo("u/1000");
        }

        @Test
        void bridgingRetractsTheLaterSession() {
            feed(event(1000), event(1150));
            assertThat(advance(1249)).hasSize(2);
            feed(event(1080));
            List<SessionChange> out = advance(1300);
            assertThat(out).hasSize(2);
            assertThat(out)
                    .filteredOn(SessionChange::isRetraction)
                    .singleElement()
                    .satisfies(c -> assertThat(c.key()).isEqualTo("u/1150"));
            SessionRecord merged =
                    out.stream().filter(c -> !c.isRetraction()).findFirst().orElseThrow().session;
            assertThat(merged.sessionId).isEqualTo(1000);
            assertThat(merged.endTime).isEqualTo(1150);
            assertThat(merged.eventCount).isEqualTo(3);
            assertThat(merged.revision).isEqualTo(2);
            assertThat(sessions.get(0).emittedIds).containsExactly(1000L);
            // the retracted id is not retracted again on the next change
            feed(event(1100));
            assertThat(advance(1400))
                    .singleElement()
                    .satisfies(
                            c -> {
                                assertThat(c.isRetraction()).isFalse();
                                assertThat(c.session.revision).isEqualTo(3);
                            });
        }

        @Test
        void backwardExtensionRetractsTheOldId() {
            feed(event(1000));
            advance(1099);
            feed(event(950));
            List<SessionChange> out = advance(1100);
            assertThat(out)
                    .extracting(SessionChange::key)
                    .containsExactlyInAnyOrder("u/1000", "u/950");
            assertThat(out)
                    .filteredOn(SessionChange::isRetraction)
                    .extracting(SessionChange::key)
                    .containsExactly("u/1000");
            SessionRecord s =
                    out.stream().filter(c -> !c.isRetraction()).findFirst().orElseThrow().session;
            assertThat(s.sessionId).isEqualTo(950);
            assertThat(s.startTime).isEqualTo(950);
            assertThat(sessions.get(0).emittedIds).containsExactly(950L);
        }

        @Test
        void retractionComesBeforeTheUpdateOfTheSameOwner() {
            // a consumer applying changes in order must end with the merged session only
            feed(event(1000), event(1150));
            advance(1249);
            feed(event(1080));
            List<SessionChange> out = advance(1300);
            assertThat(out.get(0).isRetraction()).isTrue();
        }

        @Test
        void purgesAfterThePurgeTimeOnly() {
            feed(event(1000));
            long purge = 1000 + GAP - 1 + GAP + LATENESS;
            advance(purge - 1);
            assertThat(sessions).hasSize(1);
            advance(purge);
            assertThat(sessions).isEmpty();
        }

        @Test
        void anAcceptedEventNeverNeedsAPurgedSession() {
            // the latest watermark at which an event at 1099 is still accepted
            feed(event(1000));
            long watermark = timeline.placementDeadline(1099);
            advance(watermark);
            assertThat(timeline.isTooLate(1099, watermark)).isFalse();
            assertThat(sessions).as("the session 1099 would join is still held").hasSize(1);
        }

        @Test
        void endOfInputIsTheCloseReasonAtTheFinalWatermark() {
            feed(event(1000));
            assertThat(advance(Long.MAX_VALUE).get(0).session.closeReason)
                    .isEqualTo(CloseReason.END_OF_INPUT);
            assertThat(sessions).isEmpty();
        }
    }
}
