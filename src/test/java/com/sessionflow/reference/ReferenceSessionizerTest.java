package com.sessionflow.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reference itself, on session-rules §6's public cases (gap 100 ms). */
class ReferenceSessionizerTest {

    static final long GAP = 100;

    static Event e(String owner, long time, String type) {
        Event e = new Event();
        e.owner = owner;
        e.userId = owner;
        e.deviceId = "d-" + owner;
        e.eventType = type;
        e.time = time;
        return e;
    }

    static Event e(long time) {
        return e("u", time, "click");
    }

    static Event outOfSession(long time) {
        Event e = e(time);
        e.sdkSessionId = -1;
        return e;
    }

    static List<Long> ids(List<ExpectedSession> s) {
        return s.stream().map(ExpectedSession::sessionId).toList();
    }

    @Test
    void spec6() {
        assertThat(ids(ReferenceSessionizer.sessionize(List.of(e(1000), e(1050)), GAP)))
                .containsExactly(1000L);
        assertThat(ids(ReferenceSessionizer.sessionize(List.of(e(1000), e(2000)), GAP)))
                .containsExactly(1000L, 2000L);
        assertThat(
                        ids(
                                ReferenceSessionizer.sessionize(
                                        List.of(e(1000), outOfSession(1050), e(1100)), GAP)))
                .containsExactly(1000L, 1100L);
        assertThat(ids(ReferenceSessionizer.sessionize(List.of(e(1000), e(1099)), GAP)))
                .containsExactly(1000L);
        assertThat(ids(ReferenceSessionizer.sessionize(List.of(e(1000), e(1100)), GAP)))
                .containsExactly(1000L, 1100L);
        assertThat(
                        ids(
                                ReferenceSessionizer.sessionize(
                                        List.of(e(1000), outOfSession(1099), e(1100)), GAP)))
                .containsExactly(1000L, 1100L);
    }

    @Test
    void summaryFieldsDuplicatesMarkersAndInactiveTypes() {
        Event a = e("u", 1080, "b");
        Event b = e("u", 1000, "z");
        Event c = e("u", 1000, "a");
        c.platform = "iOS";
        b.platform = "Android";
        Event d = e("u", 1080, "c");
        String[] fields = new String[EventContext.FIELD_NAMES.size()];
        fields[0] = "newsletter";
        fields[5] = "Germany";
        c.context = EventContext.of(fields, new String[] {"free"});
        d.context = EventContext.of(new String[fields.length], new String[] {"pro"});
        Event marker = e("u", 1150, "session_end");
        Event push = e("u", 1160, "push");
        Event dup1 = e("u", 1100, "click");
        dup1.insertId = "x";
        Event dup2 = e("u", 1100, "click");
        dup2.insertId = "x";
        Event other = e("v", 1000, "session_start");
        List<ExpectedSession> s =
                ReferenceSessionizer.sessionize(
                        List.of(a, b, c, d, marker, push, dup1, dup2, other),
                        GAP,
                        ReferenceSessionizer.DEFAULT_MARKERS,
                        Set.of("push"));
        assertThat(s)
                .containsExactly(
                        new ExpectedSession(
                                "u",
                                1000,
                                1150,
                                6,
                                5,
                                "a",
                                "session_end",
                                "u",
                                "d-u",
                                "iOS",
                                "a",
                                "click",
                                List.of("d-u"),
                                6,
                                Map.of("utm_source", "newsletter", "country", "Germany"),
                                List.of("free"),
                                null),
                        new ExpectedSession(
                                "v",
                                1000,
                                1000,
                                1,
                                0,
                                "session_start",
                                "session_start",
                                "v",
                                "d-v",
                                null,
                                null,
                                null,
                                List.of("d-v"),
                                1,
                                Map.of(),
                                null,
                                null));
        assertThat(s.get(0).lengthMs()).isEqualTo(150);
        assertThat(s.get(1).empty()).isTrue();
        assertThat(s.get(1).zeroLength()).isTrue();
        assertThat(
                        ReferenceSessionizer.outOfSessionCounts(
                                List.of(push, outOfSession(5)), Set.of("push")))
                .containsEntry("u", 2L);
    }
}
