package com.sessionflow.session;

/**
 * Why a session has length 0, the first question of Amplitude's User Sessions FAQ ("why so many
 * zero-length sessions?"): Amplitude's length is the latest event time minus the session id.
 */
public enum ZeroLengthCause {
    /** The session has a single event: a user who opened the app and left, or a lone push. */
    ONE_EVENT("one_event"),
    /** Every event is a session marker (start or end only): nothing the user did. */
    MARKERS_ONLY("markers_only"),
    /** Several events, all at one instant: a batch stamped with one time. */
    ONE_INSTANT("one_instant"),
    /**
     * An SDK session whose session_id is at or after its last event: the id is not the session's
     * start (see {@link SessionIdProblem}).
     */
    SESSION_ID_AFTER_EVENTS("session_id_after_events");

    private final String code;

    ZeroLengthCause(String code) {
        this.code = code;
    }

    /** The value of the record's {@code zero_length_cause}. */
    public String code() {
        return code;
    }

    /** The cause with this {@link #code()}. */
    public static ZeroLengthCause ofCode(String code) {
        for (ZeroLengthCause c : values()) {
            if (c.code.equals(code)) return c;
        }
        throw new IllegalArgumentException("no zero-length cause " + code);
    }

    /** The cause of a session of length 0, the first that applies in the order above. */
    static ZeroLengthCause of(SessionRecord s) {
        if (s.eventCount == 1) return ONE_EVENT;
        if (s.activeEventCount == 0) return MARKERS_ONLY;
        if (s.endTime == s.startTime) return ONE_INSTANT;
        return SESSION_ID_AFTER_EVENTS;
    }
}
