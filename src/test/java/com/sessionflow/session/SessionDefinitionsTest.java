package com.sessionflow.session;

import static com.sessionflow.reference.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.kafka.JsonRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The definitions of session-rules §3 on OwnerTimeline, with Amplitude's documented examples:
 * per-platform gaps (web SDK 30 min, mobile 5 min), client session ids, a session property,
 * start/end events. Expected values are worked out by hand from the rules, never read off the
 * output.
 */
class SessionDefinitionsTest {

    static final long MIN = 60_000;
    static final long LATENESS = 60 * MIN;

    final List<Session> sessions = new ArrayList<>();
    final List<SessionChange> changes = new ArrayList<>();
    OwnerTimeline timeline;

    void use(SessionDefinition d) {
        timeline = new OwnerTimeline(d, LATENESS);
    }

    void feed(Event... events) {
        for (Event e : events) {
            if (!timeline.definition().isOutOfSession(e)) timeline.place(sessions, e);
        }
    }

    List<SessionChange> advance(long watermark) {
        List<SessionChange> out = new ArrayList<>();
        timeline.advance(sessions, watermark, out::add);
        changes.addAll(out);
        return out;
    }

    /** The updates of an advance, by key. */
    static List<String> keys(List<SessionChange> c) {
        return c.stream().map(x -> (x.isRetraction() ? "-" : "") + x.key()).toList();
    }

    List<SessionRecord> all(Event... events) {
        feed(events);
        return advance(Long.MAX_VALUE).stream()
                .filter(c -> !c.isRetraction())
                .map(c -> c.session)
                .toList();
    }

    static List<Long> ids(List<SessionRecord> s) {
        return s.stream().map(x -> x.sessionId).toList();
    }

    static Event web(long t) {
        return at("u", t).platform("Web").build();
    }

    static Event ios(long t) {
        return at("u", t).platform("iOS").build();
    }

    @Nested
    class PlatformGaps {
        // Amplitude's web SDK ends a session after 30 minutes, its mobile SDKs after 5
        final SessionDefinition d =
                SessionDefinition.builder()
                        .gap(Duration.ofMinutes(5))
                        .platformGaps(
                                Map.of("Web", Duration.ofMinutes(30), "iOS", Duration.ofMinutes(5)))
                        .build();

        @Test
        void webEventsTwentyMinutesApartAreOneSession() {
            use(d);
            assertThat(ids(all(web(0), web(20 * MIN)))).containsExactly(0L);
        }

        @Test
        void iosEventsSixMinutesApartAreTwoSessions() {
            use(d);
            assertThat(ids(all(ios(0), ios(6 * MIN)))).containsExactly(0L, 6 * MIN);
        }

        @Test
        void theLaterEventsGapApplies() {
            use(d);
            // iOS 0 -> Web 10m: Web's 30m applies, joins; Web 10m -> iOS 16m: iOS's 5m applies, 6m
            // >= 5m cuts
            assertThat(ids(all(ios(0), web(10 * MIN), ios(16 * MIN))))
                    .containsExactly(0L, 16 * MIN);
        }

        @Test
        void exactlyThePlatformGapStartsANewSession() {
            use(d);
            assertThat(ids(all(web(0), web(30 * MIN)))).containsExactly(0L, 30 * MIN);
            sessions.clear();
            assertThat(ids(all(web(0), web(30 * MIN - 1)))).containsExactly(0L);
        }

        @Test
        void platformIsMatchedInAnyCaseElseOsNameElseTheDefault() {
            use(d);
            Event webUpper = at("u", 20 * MIN).platform("WEB").build();
            assertThat(ids(all(web(0), webUpper))).containsExactly(0L);
            sessions.clear();
            Event byOs = at("u", 20 * MIN).platform(null).osName("web").build();
            assertThat(ids(all(web(0), byOs))).containsExactly(0L);
            sessions.clear();
            Event other = at("u", 20 * MIN).platform("Android").osName("android").build();
            assertThat(ids(all(web(0), other)))
                    .as("Android has the default 5 min")
                    .containsExactly(0L, 20 * MIN);
        }

        @Test
        void aLateShortGapEventSplitsAnEmittedSession() {
            use(d);
            feed(web(0), web(20 * MIN));
            // closes after the largest gap (the next event's platform is unknown)
            assertThat(advance(20 * MIN + 5 * MIN - 1)).isEmpty();
            assertThat(keys(advance(50 * MIN - 1))).containsExactly("u/0");
            // a late iOS event at 10m: 10m after the Web event at 0 with iOS's 5m gap -> a new
            // session, which the Web event at 20m joins (10m < 30m)
            feed(ios(10 * MIN));
            List<SessionChange> c = advance(50 * MIN);
            assertThat(keys(c)).containsExactlyInAnyOrder("u/0", "u/" + 10 * MIN);
            SessionRecord first =
                    c.stream().filter(x -> x.sessionId == 0).findFirst().orElseThrow().session;
            SessionRecord second =
                    c.stream()
                            .filter(x -> x.sessionId == 10 * MIN)
                            .findFirst()
                            .orElseThrow()
                            .session;
            assertThat(first.eventCount).isEqualTo(1);
            assertThat(first.revision).isEqualTo(2);
            assertThat(second.eventCount).isEqualTo(2);
            assertThat(second.endTime).isEqualTo(20 * MIN);
            assertThat(second.platform).isEqualTo("iOS");
        }

        @Test
        void lateAndPurgeTimesUseTheLargestGap() {
            use(d);
            assertThat(timeline.placementDeadline(0)).isEqualTo(30 * MIN - 1 + LATENESS);
            feed(ios(0));
            Session s = sessions.get(0);
            assertThat(timeline.closeTime(s)).isEqualTo(30 * MIN - 1);
            assertThat(timeline.purgeTime(s)).isEqualTo(30 * MIN - 1 + 30 * MIN + LATENESS);
        }
    }

    @Nested
    class Client {
        final SessionDefinition d =
                SessionDefinition.builder().gap(Duration.ofMillis(100)).client().build();

        @Test
        void eventsOfOneSessionIdAreOneSessionWhateverTheirGaps() {
            use(d);
            List<SessionRecord> s =
                    all(
                            at("u", 1000).sessionId(1000).build(),
                            at("u", 1500).sessionId(1000).build(),
                            at("u", 1550).sessionId(1000).build());
            assertThat(ids(s)).containsExactly(1000L);
            assertThat(s.get(0).eventCount).isEqualTo(3);
            assertThat(s.get(0).lengthMs()).isEqualTo(550);
            assertThat(s.get(0).key()).isEqualTo("u/1000");
        }

        @Test
        void lengthIsTheLatestEventMinusTheSessionIdNeverNegative() {
            use(d);
            // Amplitude: max(client_event_time) - session_id; the first event may be later than the
            // id
            List<SessionRecord> s =
                    all(
                            at("u", 1200).sessionId(1000).build(),
                            at("u", 1260).sessionId(1000).build());
            assertThat(s.get(0).sessionId).isEqualTo(1000);
            assertThat(s.get(0).startTime).isEqualTo(1200);
            assertThat(s.get(0).lengthMs()).isEqualTo(260);
            sessions.clear();
            assertThat(all(at("u", 900).sessionId(5000).build()).get(0).lengthMs()).isZero();
        }

        @Test
        void differentSessionIdsAreDifferentSessionsEvenWhenInterleaved() {
            use(d);
            List<SessionRecord> s =
                    all(
                            at("u", 1000).sessionId(1000).build(),
                            at("u", 1010).sessionId(2000).build(),
                            at("u", 1020).sessionId(1000).build());
            assertThat(ids(s)).containsExactlyInAnyOrder(1000L, 2000L);
        }

        @Test
        void minusOneStaysOutOfSession() {
            use(d);
            assertThat(d.isOutOfSession(at("u", 1000).sessionId(-1).build())).isTrue();
        }

        @Test
        void eventsWithoutSessionIdFallBackToTheGapAndSaySo() {
            use(d);
            List<SessionRecord> s =
                    all(
                            at("u", 1000).sessionId(1000).build(),
                            at("u", 1000).build(),
                            at("u", 1050).build(),
                            at("u", 1150).build());
            // the inferred sessions 1000 (1000, 1050) and 1150; the SDK session 1000 has the same
            // id
            assertThat(s)
                    .extracting(SessionRecord::key)
                    .containsExactlyInAnyOrder("u/1000", "u/1000/inferred", "u/1150/inferred");
            SessionRecord sdk = s.stream().filter(x -> x.group == null).findFirst().orElseThrow();
            SessionRecord inferred =
                    s.stream()
                            .filter(x -> "inferred".equals(x.group) && x.sessionId == 1000)
                            .findFirst()
                            .orElseThrow();
            assertThat(inferred.eventCount).isEqualTo(2);
            ObjectNode sdkJson = JsonRecords.session(sdk, d);
            ObjectNode inferredJson = JsonRecords.session(inferred, d);
            assertThat(sdkJson.get("session_source").asText()).isEqualTo("sdk");
            assertThat(inferredJson.get("session_source").asText()).isEqualTo("inferred");
            assertThat(sdkJson.get("definition").asText()).isEqualTo("client");
        }

        @Test
        void theGapOnlyDecidesWhenItIsComplete() {
            use(d);
            feed(at("u", 1000).sessionId(1000).build(), at("u", 1300).sessionId(1000).build());
            assertThat(advance(1398)).isEmpty();
            assertThat(keys(advance(1399))).containsExactly("u/1000");
        }
    }

    @Nested
    class Property {
        final SessionDefinition d =
                SessionDefinition.builder().gap(Duration.ofMillis(100)).property("screen").build();

        Event on(long t, String screen) {
            return at("u", t).property(screen).build();
        }

        @Test
        void eventsSharingTheValueFormSessionsSplitByTheGap() {
            use(d);
            List<SessionRecord> s =
                    all(
                            on(1000, "home"),
                            on(1030, "cart"),
                            on(1050, "home"),
                            on(1060, "cart"),
                            on(1150, "home"));
            // home: 1000, 1050 | 1150 (gap 100); cart: 1030, 1060
            assertThat(s)
                    .extracting(SessionRecord::key)
                    .containsExactlyInAnyOrder("u/1000/home", "u/1150/home", "u/1030/cart");
            assertThat(
                            s.stream()
                                    .filter(x -> x.key().equals("u/1000/home"))
                                    .findFirst()
                                    .orElseThrow()
                                    .eventCount)
                    .isEqualTo(2);
        }

        @Test
        void twoValuesStartingAtOneMillisecondKeepTwoKeys() {
            use(d);
            assertThat(all(on(1000, "home"), on(1000, "cart")))
                    .extracting(SessionRecord::key)
                    .containsExactlyInAnyOrder("u/1000/home", "u/1000/cart");
        }

        @Test
        void eventsWithoutThePropertyAreOutOfSession() {
            use(d);
            assertThat(d.isOutOfSession(at("u", 1000).build())).isTrue();
            assertThat(d.isOutOfSession(on(1000, "home"))).isFalse();
            assertThat(d.name()).isEqualTo("property:screen");
            assertThat(
                            JsonRecords.session(all(on(1000, "home")).get(0), d)
                                    .get("session_property")
                                    .asText())
                    .isEqualTo("home");
        }
    }

    @Nested
    class StartAndEndEvents {
        // Amplitude's example: start event "app open" with a 5 minute timeout
        final SessionDefinition d =
                SessionDefinition.builder()
                        .gap(Duration.ofMinutes(5))
                        .startTypes(Set.of("app open"))
                        .endTypes(Set.of("logout"))
                        .build();

        Event e(long t, String type) {
            return at("u", t).type(type).build();
        }

        @Test
        void aConversionMarksOnlyTheSessionItLandsInWhenAStartEventSplits() {
            use(
                    SessionDefinition.builder()
                            .gap(Duration.ofMinutes(5))
                            .startTypes(Set.of("app open"))
                            .conversionTypes(Set.of("purchase"))
                            .build());
            // the late app open re-splits the session from its facts
            List<SessionRecord> s =
                    all(
                            e(0, "click"),
                            e(MIN, "purchase"),
                            e(3 * MIN, "click"),
                            e(2 * MIN, "app open"));
            assertThat(ids(s)).containsExactly(0L, 2 * MIN);
            assertThat(s.get(0).conversion).isTrue();
            assertThat(s.get(1).conversion).isFalse();
        }

        @Test
        void appOpenPlusFiveMinuteTimeout() {
            use(d);
            List<SessionRecord> s =
                    all(
                            e(0, "app open"),
                            e(MIN, "click"),
                            e(2 * MIN, "app open"),
                            e(3 * MIN, "click"),
                            e(9 * MIN, "click"));
            // app open starts a session; 9m is 6m after 3m >= 5m timeout
            assertThat(ids(s)).containsExactly(0L, 2 * MIN, 9 * MIN);
            assertThat(s.get(1).firstEventType).isEqualTo("app open");
            assertThat(s.get(1).eventCount).isEqualTo(2);
        }

        @Test
        void anEndEventClosesAtOnce() {
            use(d);
            feed(e(0, "click"), e(MIN, "logout"));
            assertThat(advance(MIN - 1)).isEmpty();
            List<SessionChange> c = advance(MIN);
            assertThat(keys(c)).containsExactly("u/0");
            assertThat(c.get(0).session.closeReason).isEqualTo(CloseReason.END_EVENT);
            feed(e(MIN + 1, "click"));
            assertThat(ids(all())).containsExactly(MIN + 1);
        }

        @Test
        void aLateStartEventSplitsAnEmittedSession() {
            use(d);
            feed(e(0, "click"), e(MIN, "click"), e(2 * MIN, "click"));
            assertThat(keys(advance(7 * MIN))).containsExactly("u/0");
            feed(e(90_000, "app open"));
            List<SessionChange> c = advance(7 * MIN + 1);
            assertThat(keys(c)).containsExactlyInAnyOrder("u/0", "u/90000");
            assertThat(c).allSatisfy(x -> assertThat(x.session.revision).isEqualTo(2));
            assertThat(c).extracting(x -> x.session.eventCount).containsExactlyInAnyOrder(2L, 2L);
        }

        @Test
        void aLateEndEventSplitsAndAnEarlierEventMovesTheStart() {
            use(d);
            feed(e(MIN, "click"), e(2 * MIN, "click"), e(3 * MIN, "click"));
            advance(10 * MIN);
            // an end event at 2m cuts before 3m; a late event at 30s moves the start: u/60000 is
            // retracted
            feed(e(2 * MIN, "logout"), e(30_000, "click"));
            List<SessionChange> c = advance(10 * MIN + 1);
            assertThat(keys(c)).containsExactlyInAnyOrder("-u/60000", "u/30000", "u/180000");
            SessionRecord first =
                    c.stream()
                            .filter(x -> x.sessionId == 30_000 && !x.isRetraction())
                            .findFirst()
                            .orElseThrow()
                            .session;
            assertThat(first.lastEventType).isEqualTo("logout");
            assertThat(first.eventCount).isEqualTo(4);
        }

        @Test
        void withinOneMillisecondStartEventsComeFirstAndEndEventsLast() {
            use(d);
            List<SessionRecord> s =
                    all(
                            e(0, "click"),
                            e(MIN, "zzz"),
                            e(MIN, "app open"),
                            e(MIN, "logout"),
                            e(MIN, "aaa"));
            assertThat(ids(s)).containsExactly(0L, MIN);
            assertThat(s.get(1).firstEventType).isEqualTo("app open");
            assertThat(s.get(1).lastEventType).isEqualTo("logout");
            assertThat(s.get(1).eventCount).isEqualTo(4);
        }

        @Test
        void combinedWithAProperty() {
            use(
                    SessionDefinition.builder()
                            .gap(Duration.ofMinutes(5))
                            .property("screen")
                            .startTypes(Set.of("app open"))
                            .build());
            List<SessionRecord> s =
                    all(
                            at("u", 0).property("a").build(),
                            at("u", MIN).type("app open").property("b").build(),
                            at("u", 2 * MIN).property("a").build(),
                            at("u", 3 * MIN).type("app open").property("a").build());
            // a: 0, 2m | 3m (app open); b: 1m
            assertThat(s)
                    .extracting(SessionRecord::key)
                    .containsExactlyInAnyOrder("u/0/a", "u/" + 3 * MIN + "/a", "u/" + MIN + "/b");
        }
    }

    @Nested
    class SplitOverLimit {
        // a 5 minute gap and a 10 minute maximum length, split instead of flagged
        final SessionDefinition d =
                SessionDefinition.builder()
                        .gap(Duration.ofMinutes(5))
                        .maxLength(Duration.ofMinutes(10))
                        .splitOverLimit(true)
                        .build();

        @Test
        void anEventTheMaximumLengthAfterTheStartOpensANewSession() {
            assertThat(d.keepsFacts()).isTrue();
            use(d);
            // 12m - 0 >= 10m: cut before 12m although 12m is only 4m after 8m; 16m - 12m < 10m
            List<SessionRecord> s =
                    all(
                            at("u", 0).build(),
                            at("u", 4 * MIN).build(),
                            at("u", 8 * MIN).build(),
                            at("u", 12 * MIN).build(),
                            at("u", 16 * MIN).build());
            assertThat(ids(s)).containsExactly(0L, 12 * MIN);
            assertThat(s.get(0).eventCount).isEqualTo(3);
            assertThat(s.get(0).closeReason).isEqualTo(CloseReason.MAX_LENGTH);
            assertThat(s.get(1).closeReason).isEqualTo(CloseReason.END_OF_INPUT);
            // exactly the maximum length cuts too
            sessions.clear();
            assertThat(
                            ids(
                                    all(
                                            at("u", 100 * MIN).build(),
                                            at("u", 104 * MIN).build(),
                                            at("u", 108 * MIN).build(),
                                            at("u", 110 * MIN).build())))
                    .containsExactly(100 * MIN, 110 * MIN);
            // without the option the same events are one session, flagged over_limit
            use(
                    SessionDefinition.builder()
                            .gap(Duration.ofMinutes(5))
                            .maxLength(Duration.ofMinutes(10))
                            .build());
            sessions.clear();
            List<SessionRecord> flagged =
                    all(
                            at("u", 0).build(),
                            at("u", 4 * MIN).build(),
                            at("u", 8 * MIN).build(),
                            at("u", 12 * MIN).build(),
                            at("u", 16 * MIN).build());
            assertThat(ids(flagged)).containsExactly(0L);
            ObjectNode n = JsonRecords.session(flagged.get(0), timeline.definition());
            assertThat(n.get("over_limit").asBoolean()).isTrue();
        }

        @Test
        void aGapAtTheCutGivesTheGapReason() {
            use(d);
            // 14m is both 6m after 8m (>= the gap) and 14m after the start: the gap cut it
            feed(
                    at("u", 0).build(),
                    at("u", 4 * MIN).build(),
                    at("u", 8 * MIN).build(),
                    at("u", 14 * MIN).build());
            List<SessionChange> c = advance(13 * MIN - 1);
            assertThat(keys(c)).containsExactly("u/0");
            assertThat(c.get(0).session.closeReason).isEqualTo(CloseReason.GAP);
        }

        @Test
        void aLateEventBeforeAChainMovesEveryLaterCut() {
            use(d);
            // 2m 6m 10m | 14m 18m 22m | 26m: each cut by the maximum length, 4m apart (below the
            // gap)
            for (long t = 2; t <= 26; t += 4) feed(at("u", t * MIN).build());
            assertThat(keys(advance(31 * MIN - 1)))
                    .containsExactly("u/" + 2 * MIN, "u/" + 14 * MIN, "u/" + 26 * MIN);
            // a late event at 0 is within a gap of the first session only, yet moves every cut:
            // 0 2m 6m | 10m 14m 18m | 22m 26m
            feed(at("u", 0).build());
            List<SessionChange> c = advance(31 * MIN);
            assertThat(keys(c))
                    .containsExactlyInAnyOrder(
                            "-u/" + 2 * MIN,
                            "-u/" + 14 * MIN,
                            "-u/" + 26 * MIN,
                            "u/0",
                            "u/" + 10 * MIN,
                            "u/" + 22 * MIN);
            List<SessionRecord> now =
                    c.stream().filter(x -> !x.isRetraction()).map(x -> x.session).toList();
            assertThat(now).extracting(x -> x.eventCount).containsExactly(3L, 3L, 2L);
            assertThat(now)
                    .extracting(x -> x.closeReason)
                    .containsExactly(
                            CloseReason.MAX_LENGTH, CloseReason.MAX_LENGTH, CloseReason.GAP);
        }

        @Test
        void underClientSdkSessionsAreNotSplitInferredOnesAre() {
            use(
                    SessionDefinition.builder()
                            .gap(Duration.ofMinutes(5))
                            .maxLength(Duration.ofMinutes(10))
                            .splitOverLimit(true)
                            .client()
                            .build());
            List<SessionRecord> s =
                    all(
                            at("u", 0).sessionId(0).build(),
                            at("u", 4 * MIN).sessionId(0).build(),
                            at("u", 8 * MIN).sessionId(0).build(),
                            at("u", 12 * MIN).sessionId(0).build(),
                            at("u", 0).build(),
                            at("u", 4 * MIN).build(),
                            at("u", 8 * MIN).build(),
                            at("u", 12 * MIN).build());
            assertThat(s)
                    .extracting(SessionRecord::key)
                    .containsExactlyInAnyOrder(
                            "u/0", "u/0/inferred", "u/" + 12 * MIN + "/inferred");
            SessionRecord sdk =
                    s.stream().filter(x -> x.key().equals("u/0")).findFirst().orElseThrow();
            assertThat(sdk.eventCount).isEqualTo(4);
            assertThat(sdk.lengthMs()).isEqualTo(12 * MIN);
        }
    }

    @Test
    void definitionsByName() {
        assertThat(SessionDefinition.builder().kind("gap").build().name()).isEqualTo("gap");
        assertThat(SessionDefinition.builder().kind("client").build().name()).isEqualTo("client");
        assertThat(SessionDefinition.builder().kind("property:plan").build().propertyName())
                .isEqualTo("plan");
        assertThatThrownBy(() -> SessionDefinition.builder().kind("property:"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionDefinition.builder().kind("sdk"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SessionDefinition.defaults().keepsFacts()).isFalse();
        assertThat(SessionDefinition.defaults().splitOverLimit()).isFalse();
    }
}
