package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The answers a session record gives to Amplitude's User Sessions FAQ. */
class SessionRecordTest {

    static final long T = 1_700_000_000_000L;
    static final SessionDefinition CLIENT = SessionDefinition.builder().client().build();

    /** A session of {@code events} events ({@code active} not markers) from start to end. */
    static SessionRecord session(
            long sdkSessionId, long start, long end, long events, long active) {
        return sessionOf(sdkSessionId, start, end, events, active).toRecord();
    }

    static Session sessionOf(long sdkSessionId, long start, long end, long events, long active) {
        Session s = new Session();
        s.owner = "o";
        s.userId = "o";
        s.deviceId = "d";
        s.platform = "iOS";
        s.osName = "ios";
        s.appVersion = "1.0";
        s.sessionId = sdkSessionId == Event.NO_SESSION_ID ? start : sdkSessionId;
        s.sdkSessionId = sdkSessionId;
        s.startTime = start;
        s.endTime = end;
        s.eventCount = events;
        s.activeEventCount = active;
        s.firstEventType = "a";
        s.lastEventType = "b";
        s.revision = 1;
        s.closeReason = CloseReason.GAP;
        return s;
    }

    @Test
    void aSessionWithALengthHasNoZeroLengthCause() {
        assertThat(session(Event.NO_SESSION_ID, T, T + 1, 2, 2).zeroLengthCause()).isNull();
    }

    @Test
    void eachZeroLengthSessionSaysWhy() {
        long none = Event.NO_SESSION_ID;
        assertThat(session(none, T, T, 1, 1).zeroLengthCause())
                .isEqualTo(ZeroLengthCause.ONE_EVENT);
        // a lone marker is one event first
        assertThat(session(none, T, T, 1, 0).zeroLengthCause())
                .isEqualTo(ZeroLengthCause.ONE_EVENT);
        assertThat(session(none, T, T, 2, 0).zeroLengthCause())
                .isEqualTo(ZeroLengthCause.MARKERS_ONLY);
        assertThat(session(none, T, T, 5, 4).zeroLengthCause())
                .isEqualTo(ZeroLengthCause.ONE_INSTANT);
        // events over a minute, but the SDK's session_id after the last of them
        assertThat(session(T + 120_000, T, T + 60_000, 3, 3).zeroLengthCause())
                .isEqualTo(ZeroLengthCause.SESSION_ID_AFTER_EVENTS);
    }

    @Test
    void anSdkSessionIdThatCannotBeTheStartIsNamed() {
        long day = Duration.ofDays(1).toMillis();
        assertThat(CLIENT.sessionIdProblem(session(T, T, T + 10, 2, 2))).isNull();
        // the SDK session started before the first event the job saw: normal
        assertThat(CLIENT.sessionIdProblem(session(T - 60_000, T, T + 10, 2, 2))).isNull();
        assertThat(CLIENT.sessionIdProblem(session(1_234_567, T, T + 10, 2, 2)))
                .isEqualTo(SessionIdProblem.BEFORE_2000);
        assertThat(CLIENT.sessionIdProblem(session(T + 5, T, T + 10, 2, 2)))
                .isEqualTo(SessionIdProblem.AFTER_FIRST_EVENT);
        assertThat(CLIENT.sessionIdProblem(session(T - day - 1, T, T + 10, 2, 2)))
                .isEqualTo(SessionIdProblem.FAR_BEFORE_FIRST_EVENT);
        assertThat(CLIENT.sessionIdProblem(session(T - day, T, T + 10, 2, 2))).isNull();
    }

    @Test
    void aSessionIsEngagedByLengthByActiveEventsOrByAConversion() {
        SessionDefinition d =
                SessionDefinition.builder().conversionTypes(java.util.Set.of("purchase")).build();
        long none = Event.NO_SESSION_ID;
        // GA4's defaults: 10 s, or 2 active events
        assertThat(d.isEngaged(session(none, T, T + 10_000, 1, 1))).isTrue();
        assertThat(d.isEngaged(session(none, T, T + 9_999, 1, 1))).isFalse();
        assertThat(d.isEngaged(session(none, T, T + 1_000, 3, 2))).isTrue();
        // markers are not the user's: two markers and one event is a bounce
        assertThat(d.isEngaged(session(none, T, T + 1_000, 3, 1))).isFalse();
        Session bounce = sessionOf(none, T, T, 1, 1);
        assertThat(d.isEngaged(bounce.toRecord())).isFalse();
        bounce.conversion = true;
        assertThat(d.isEngaged(bounce.toRecord())).isTrue();
        assertThat(d.isConversion("purchase")).isTrue();
        assertThat(d.isConversion("view")).isFalse();
    }

    @Test
    void aSessionTheGapRuleMadeHasNoSessionIdProblem() {
        assertThat(CLIENT.sessionIdProblem(session(Event.NO_SESSION_ID, 5, 10, 2, 2))).isNull();
    }
}
