package com.sessionflow.session;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;

/**
 * What a session keeps of one of its events when it may have to be re-split (per-platform gaps or
 * start/end events): enough to sort and cut the events again and to fill the record's first-event
 * fields. The strings are the parser's interned instances in memory.
 */
public class Fact {

    long time;

    /** {@link SessionDefinition#RANK_START}, {@code RANK_OTHER} or {@code RANK_END}. */
    int rank;

    String eventType;

    /** The gap that decides whether this event starts a new session (its platform's). */
    long gapMs;

    boolean marker;

    /** The event carried no session_id. */
    boolean withoutSessionId;

    String userId;
    String deviceId;
    String platform;
    String osName;
    String appVersion;

    /** The event's context (shared with it, never changed). */
    EventContext context;

    public Fact() {}

    public static Fact of(Event e, SessionDefinition d) {
        Fact f = new Fact();
        f.time = e.time;
        f.rank = d.rank(e);
        f.eventType = e.eventType;
        f.gapMs = d.gapMs(e);
        f.marker = d.isMarker(e);
        f.userId = e.userId;
        f.deviceId = e.deviceId;
        f.platform = e.platform;
        f.osName = e.osName;
        f.appVersion = e.appVersion;
        f.withoutSessionId = !e.hasSdkSessionId();
        f.context = e.context;
        return f;
    }

    /** Event order: time, then start events first and end events last, then type name. */
    public static int compare(Fact a, Fact b) {
        int c = Long.compare(a.time, b.time);
        if (c != 0) return c;
        c = Integer.compare(a.rank, b.rank);
        if (c != 0) return c;
        if (a.eventType == null) return b.eventType == null ? 0 : -1;
        return b.eventType == null ? 1 : a.eventType.compareTo(b.eventType);
    }

    public boolean isStart() {
        return rank == SessionDefinition.RANK_START;
    }

    public boolean isEnd() {
        return rank == SessionDefinition.RANK_END;
    }

    @Override
    public String toString() {
        return eventType + "@" + time;
    }
}
