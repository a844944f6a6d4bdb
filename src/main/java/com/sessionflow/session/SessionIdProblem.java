package com.sessionflow.session;

/**
 * An SDK session whose session_id cannot be its start time, so that its length (latest event time
 * minus session_id) is wrong: the FAQ's "why long gaps or very long sessions?". Amplitude's SDKs
 * set session_id to the epoch milliseconds at which the session started; a device with a broken
 * clock, an app that sets its own ids or a reused id gives one of these.
 */
public enum SessionIdProblem {
    /** Before 2000-01-01: not a time at all (a counter, seconds instead of milliseconds). */
    BEFORE_2000("before_2000"),
    /** After the session's first event: the session cannot start after its own events. */
    AFTER_FIRST_EVENT("after_first_event"),
    /**
     * More than the maximum session length before the first event: the length is longer than any
     * session can be (a reused or stale id, or earlier events lost).
     */
    FAR_BEFORE_FIRST_EVENT("far_before_first_event");

    /** 2000-01-01T00:00:00Z. */
    static final long YEAR_2000 = 946_684_800_000L;

    private final String code;

    SessionIdProblem(String code) {
        this.code = code;
    }

    /** The value of the record's {@code session_id_problem}. */
    public String code() {
        return code;
    }

    /** The problem of an SDK session's id, or null (also for sessions the gap rule made). */
    static SessionIdProblem of(SessionRecord s, long maxLengthMs) {
        if (!s.isSdkSession()) return null;
        if (s.sessionId < YEAR_2000) return BEFORE_2000;
        if (s.sessionId > s.startTime) return AFTER_FIRST_EVENT;
        if (s.startTime - s.sessionId > maxLengthMs) return FAR_BEFORE_FIRST_EVENT;
        return null;
    }
}
