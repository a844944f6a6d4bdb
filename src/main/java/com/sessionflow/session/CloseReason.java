package com.sessionflow.session;

import java.util.Locale;

/** Why a session's record was emitted as closed. */
public enum CloseReason {
    /** No in-session event came within the gap after its last one (watermark passed end + gap). */
    GAP,
    /** Its last event is a configured end event: it is complete at once. */
    END_EVENT,
    /** The input ended (a bounded replay, or a drained stop) while the session was open. */
    END_OF_INPUT,
    /**
     * The next event of its group came the maximum session length or more after its start
     * (--split-over-limit). Last: ordinals of stored states stay.
     */
    MAX_LENGTH;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
