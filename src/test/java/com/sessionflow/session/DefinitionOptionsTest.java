package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.event.Event;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The definition options build the definition the core is handed, and the parser it needs; with
 * Amplitude's documented examples ("device_id + 30 min", "start event app open + 5 min timeout").
 */
class DefinitionOptionsTest {

    static final long MIN = 60_000;

    /** Event times are epoch ms, so the tests use times after T. */
    static final long T = 1_700_000_000_000L;

    static List<Event> parse(JobOptions o, String json) {
        List<Event> out = new ArrayList<>();
        o.parser()
                .parse(
                        new RecordOrigin(
                                "events", 0, 0, -1, null, json.getBytes(StandardCharsets.UTF_8)),
                        r -> {
                            assertThat(r.isEvent()).as("%s", r).isTrue();
                            out.add(r.event);
                        });
        return out;
    }

    /** Every session of the events under the options' definition, after the input ended. */
    static List<SessionRecord> sessions(JobOptions o, List<Event> events) {
        OwnerTimeline timeline = o.timeline();
        java.util.Map<String, List<Session>> byOwner = new java.util.TreeMap<>();
        for (Event e : events) {
            if (timeline.definition().isBlocked(e) || timeline.definition().isOutOfSession(e))
                continue;
            timeline.place(byOwner.computeIfAbsent(e.owner, k -> new ArrayList<>()), e);
        }
        List<SessionRecord> out = new ArrayList<>();
        byOwner.values()
                .forEach(
                        s ->
                                timeline.advance(
                                        s,
                                        Long.MAX_VALUE,
                                        c -> {
                                            if (!c.isRetraction()) out.add(c.session);
                                        }));
        return out;
    }

    static String event(String user, String device, String type, long time, String extra) {
        return "{\"user_id\":"
                + (user == null ? "null" : "\"" + user + "\"")
                + ",\"device_id\":\""
                + device
                + "\",\"event_type\":\""
                + type
                + "\",\"time\":"
                + (T + time)
                + extra
                + "}";
    }

    @Test
    void deviceIdPlusThirtyMinutes() {
        JobOptions o = JobOptions.parse("--identity", "device", "--gap", "30m");
        // one user on two devices: sessions per device; 20 min apart on d1 is one session with a 30
        // min gap
        List<Event> events =
                parse(
                        o,
                        "["
                                + event("ann", "d1", "view", 0, "")
                                + ","
                                + event("ann", "d2", "view", MIN, "")
                                + ","
                                + event("ann", "d1", "view", 20 * MIN, "")
                                + ","
                                + event("ann", "d1", "view", 50 * MIN, "")
                                + "]");
        List<SessionRecord> s = sessions(o, events);
        assertThat(s)
                .extracting(SessionRecord::key)
                .containsExactlyInAnyOrder("d1/" + T, "d2/" + (T + MIN), "d1/" + (T + 50 * MIN));
        assertThat(
                        s.stream()
                                .filter(x -> x.key().equals("d1/" + T))
                                .findFirst()
                                .orElseThrow()
                                .eventCount)
                .isEqualTo(2);
        assertThat(o.definition().name()).isEqualTo("gap");
    }

    @Test
    void startEventAppOpenPlusFiveMinuteTimeout() {
        JobOptions o = JobOptions.parse("--start-events", "app open", "--gap", "5m");
        List<Event> events =
                parse(
                        o,
                        "["
                                + event("ann", "d1", "app open", 0, "")
                                + ","
                                + event("ann", "d1", "click", MIN, "")
                                + ","
                                + event("ann", "d1", "app open", 3 * MIN, "")
                                + ","
                                + event("ann", "d1", "click", 4 * MIN, "")
                                + ","
                                + event("ann", "d1", "click", 10 * MIN, "")
                                + "]");
        // app open at 3m opens a new session; 10m is 6m after 4m: the 5 min timeout
        assertThat(sessions(o, events))
                .extracting(x -> x.sessionId - T)
                .containsExactlyInAnyOrder(0L, 3 * MIN, 10 * MIN);
    }

    @Test
    void endEventsCloseTheirSession() {
        JobOptions o = JobOptions.parse("--end-events", "logout,app_close");
        List<Event> events =
                parse(
                        o,
                        "["
                                + event("ann", "d1", "click", 0, "")
                                + ","
                                + event("ann", "d1", "logout", MIN, "")
                                + ","
                                + event("ann", "d1", "click", 2 * MIN, "")
                                + "]");
        List<SessionRecord> s = sessions(o, events);
        assertThat(s).extracting(x -> x.sessionId - T).containsExactlyInAnyOrder(0L, 2 * MIN);
        assertThat(s.stream().filter(x -> x.sessionId == T).findFirst().orElseThrow().closeReason)
                .isEqualTo(CloseReason.END_EVENT);
    }

    @Test
    void propertyDefinitionReadsTheEventPropertyElseTheUserProperty() {
        JobOptions o = JobOptions.parse("--definition", "property:plan");
        assertThat(o.definition().name()).isEqualTo("property:plan");
        List<Event> events =
                parse(
                        o,
                        "["
                                + event(
                                        "ann",
                                        "d1",
                                        "click",
                                        0,
                                        ",\"event_properties\":{\"plan\":\"pro\"}")
                                + ","
                                + event(
                                        "ann",
                                        "d1",
                                        "click",
                                        1000,
                                        ",\"user_properties\":{\"plan\":\"free\"}")
                                + ","
                                + event(
                                        "ann",
                                        "d1",
                                        "click",
                                        2000,
                                        ",\"event_properties\":{\"plan\":\"pro\"},\"user_properties\":{\"plan\":\"free\"}")
                                + ","
                                + event("ann", "d1", "click", 3000, "")
                                + "]");
        assertThat(events)
                .extracting(e -> e.sessionProperty)
                .containsExactly("pro", "free", "pro", null);
        List<SessionRecord> s = sessions(o, events);
        assertThat(s)
                .extracting(SessionRecord::key)
                .containsExactlyInAnyOrder("ann/" + T + "/pro", "ann/" + (T + 1000) + "/free");
        assertThat(o.definition().isOutOfSession(events.get(3))).isTrue();
    }

    @Test
    void clientDefinitionTrustsTheSdk() {
        JobOptions o = JobOptions.parse("--definition", "client", "--gap", "100ms");
        List<Event> events =
                parse(
                        o,
                        "["
                                + event("ann", "d1", "click", 1000, ",\"session_id\":" + (T + 990))
                                + ","
                                + event("ann", "d1", "click", 5000, ",\"session_id\":" + (T + 990))
                                + ","
                                + event("ann", "d1", "click", 6000, ",\"session_id\":-1")
                                + ","
                                + event("ann", "d1", "click", 7000, "")
                                + "]");
        List<SessionRecord> s = sessions(o, events);
        assertThat(s)
                .extracting(SessionRecord::key)
                .containsExactlyInAnyOrder("ann/" + (T + 990), "ann/" + (T + 7000) + "/inferred");
        assertThat(
                        s.stream()
                                .filter(x -> x.sessionId == T + 990)
                                .findFirst()
                                .orElseThrow()
                                .lengthMs())
                .isEqualTo(4010);
    }

    @Test
    void platformGapsAndBlockedEvents() {
        JobOptions o =
                JobOptions.parse(
                        "--platform-gaps", "Web=30m,iOS=5m", "--blocked-events", "debug_ping");
        SessionDefinition d = o.definition();
        Event web = new Event();
        web.platform = "web";
        Event ios = new Event();
        ios.osName = "IOS";
        Event other = new Event();
        other.platform = "Android";
        assertThat(d.gapMs(web)).isEqualTo(30 * MIN);
        assertThat(d.gapMs(ios)).isEqualTo(5 * MIN);
        assertThat(d.gapMs(other)).isEqualTo(5 * MIN);
        assertThat(d.maxGapMs()).isEqualTo(30 * MIN);
        other.eventType = "debug_ping";
        assertThat(d.isBlocked(other)).isTrue();
        assertThat(o.timeline().placementWindowMs()).isEqualTo(30 * MIN + 60 * MIN);
    }

    @Test
    void badDefinitionOptionsNameTheOption() {
        assertThatThrownBy(() -> JobOptions.parse("--definition", "sdk"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--definition");
        assertThatThrownBy(() -> JobOptions.parse("--definition", "property:"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--definition");
        assertThatThrownBy(() -> JobOptions.parse("--platform-gaps", "Web"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--platform-gaps");
        assertThatThrownBy(() -> JobOptions.parse("--platform-gaps", "Web=soon"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--platform-gaps");
        assertThatThrownBy(() -> JobOptions.parse("--platform-gaps", "Web=0ms"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--platform-gaps");
    }

    /**
     * Mixpanel's rule in the project's zone: a night owl's events a minute apart around local
     * midnight are two sessions, also on the 23-hour day of a daylight-saving change; without the
     * option, or in UTC where it is not midnight then, one.
     */
    @Test
    void splitAtMidnightCutsAtLocalMidnightOfTheTimeZone() {
        // Berlin's clocks go forward on 2026-03-29; its local midnight is 23:00 UTC on the 28th
        long midnight = java.time.Instant.parse("2026-03-28T23:00:00Z").toEpochMilli() - T;
        List<String> lines = new ArrayList<>();
        for (long t = midnight - 3 * MIN; t <= midnight + 2 * MIN; t += MIN) {
            lines.add(event("owl", "d", "click", t, ""));
        }
        // and on the short day, 23 hours later, the next local midnight
        lines.add(event("owl", "d", "click", midnight + 23 * 60 * MIN - MIN, ""));
        lines.add(event("owl", "d", "click", midnight + 23 * 60 * MIN, ""));
        java.util.function.Function<JobOptions, List<Long>> counts =
                o -> {
                    List<Event> events = new ArrayList<>();
                    lines.forEach(l -> events.addAll(parse(o, l)));
                    return sessions(o, events).stream()
                            .sorted(java.util.Comparator.comparingLong(r -> r.startTime))
                            .map(r -> r.eventCount)
                            .toList();
                };
        assertThat(
                        counts.apply(
                                JobOptions.parse(
                                        "--split-at-midnight", "--time-zone", "Europe/Berlin")))
                .containsExactly(3L, 3L, 1L, 1L);
        assertThat(counts.apply(JobOptions.parse("--time-zone", "Europe/Berlin")))
                .containsExactly(6L, 2L);
        assertThat(counts.apply(JobOptions.parse("--split-at-midnight"))).containsExactly(6L, 2L);
    }
}
