package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.util.Arrays;
import java.util.Objects;

/**
 * The running summary of one session as the sessionizer stores it: what its record needs, never the
 * events themselves, so state per session is constant whatever the number of events, plus what only
 * the sessionizer uses (ids still visible downstream, the changed flag, the facts). What it emits
 * is a {@link SessionRecord}. Summaries merge (a late event can bridge two sessions) and merging is
 * order-free: ties on time are broken by event type name.
 */
public class Session {

    public String owner;
    public String userId;
    public String deviceId;

    /** Platform, OS and app version of the session's first event. */
    public String platform;

    public String osName;
    public String appVersion;

    /**
     * Epoch ms of the session start; for an inferred session its first event's time, else the SDK's
     * session_id.
     */
    public long sessionId;

    /**
     * The SDK's session_id this session takes as its id ({@code client}), else {@link
     * Event#NO_SESSION_ID}.
     */
    public long sdkSessionId = Event.NO_SESSION_ID;

    /**
     * Sessions of different groups never merge; a non-null group is part of the key (see {@link
     * SessionDefinition#groupOf}).
     */
    public String group;

    /** Its last event is an end event: it is complete at once. */
    public boolean endsWithEndEvent;

    /**
     * The next session of its group starts because this one reached the maximum length (split over
     * the limit).
     */
    public boolean cutByMaxLength;

    /** It overlaps a minute in which its owner went over the rate ({@link OwnerRateLimit}). */
    public boolean overRate;

    /** One of its events is a conversion event type ({@link SessionDefinition#isConversion}). */
    public boolean conversion;

    /**
     * The facts of its events, sorted ({@link Fact#compare}), when the definition may re-split
     * sessions (per-platform gaps, start/end events); null otherwise. Never in emitted records.
     */
    public Fact[] facts;

    public long startTime;
    public long endTime;
    public long eventCount;

    /** Events that are not session markers. */
    public long activeEventCount;

    public String firstEventType;
    public String lastEventType;

    /** How many times this session has been emitted: its last record's revision. */
    public int revision;

    /** Changed since it was last emitted (or never emitted). */
    public boolean dirty;

    /** Session ids this session was emitted under and that are still visible downstream. */
    public long[] emittedIds = new long[0];

    /** Why the session was last emitted as closed. */
    public CloseReason closeReason;

    public Session() {}

    /**
     * A session of one event under the definition: its session-id rule and group, and its facts if
     * it keeps them.
     */
    public static Session of(Event e, SessionDefinition d) {
        Session s = of(e, d.isMarker(e));
        s.sdkSessionId = d.sdkSessionIdOf(e);
        if (s.sdkSessionId != Event.NO_SESSION_ID) s.sessionId = s.sdkSessionId;
        s.group = d.groupOf(e);
        s.conversion = d.isConversion(e.eventType);
        if (d.keepsFacts()) {
            s.facts = new Fact[] {Fact.of(e, d)};
            s.endsWithEndEvent = s.facts[0].isEnd();
        }
        return s;
    }

    /**
     * The session of some events, from their facts sorted by {@link Fact#compare}: its first event
     * gives the ids, platform and first type, its last the last type.
     */
    public static Session ofFacts(String owner, String group, long sdkSessionId, Fact[] sorted) {
        Session s = new Session();
        Fact first = sorted[0];
        Fact last = sorted[sorted.length - 1];
        s.owner = owner;
        s.group = group;
        s.sdkSessionId = sdkSessionId;
        s.userId = first.userId;
        s.deviceId = first.deviceId;
        s.platform = first.platform;
        s.osName = first.osName;
        s.appVersion = first.appVersion;
        s.startTime = first.time;
        s.endTime = last.time;
        s.sessionId = sdkSessionId != Event.NO_SESSION_ID ? sdkSessionId : first.time;
        s.eventCount = sorted.length;
        for (Fact f : sorted) {
            if (!f.marker) s.activeEventCount++;
        }
        s.firstEventType = first.eventType;
        s.lastEventType = last.eventType;
        s.endsWithEndEvent = last.isEnd();
        s.facts = sorted;
        s.dirty = true;
        return s;
    }

    /** A session of one event. */
    public static Session of(Event e, boolean marker) {
        Session s = new Session();
        s.owner = e.owner;
        s.userId = e.userId;
        s.deviceId = e.deviceId;
        s.platform = e.platform;
        s.osName = e.osName;
        s.appVersion = e.appVersion;
        s.sessionId = e.time;
        s.startTime = e.time;
        s.endTime = e.time;
        s.eventCount = 1;
        s.activeEventCount = marker ? 0 : 1;
        s.firstEventType = e.eventType;
        s.lastEventType = e.eventType;
        s.dirty = true;
        return s;
    }

    /**
     * Folds {@code other} into this session. Commutative: the result does not depend on arrival
     * order.
     */
    public void absorb(Session other) {
        if (other.startTime < startTime
                || (other.startTime == startTime
                        && compare(other.firstEventType, firstEventType) < 0)) {
            startTime = other.startTime;
            firstEventType = other.firstEventType;
            userId = other.userId;
            deviceId = other.deviceId;
            platform = other.platform;
            osName = other.osName;
            appVersion = other.appVersion;
        }
        if (other.endTime > endTime
                || (other.endTime == endTime && compare(other.lastEventType, lastEventType) > 0)) {
            endTime = other.endTime;
            lastEventType = other.lastEventType;
        }
        // the session-id rule: the SDK's id when the definition trusts it, else the first event's
        // time
        sessionId = sdkSessionId != Event.NO_SESSION_ID ? sdkSessionId : startTime;
        eventCount += other.eventCount;
        activeEventCount += other.activeEventCount;
        revision = Math.max(revision, other.revision);
        dirty = dirty || other.dirty;
        overRate = overRate || other.overRate;
        conversion = conversion || other.conversion;
        emittedIds = union(emittedIds, other.emittedIds);
    }

    /**
     * The Kafka key of its record: {@code <owner>/<session_id>}, plus {@code /<group>} when it has
     * one.
     */
    public String key() {
        return SessionChange.key(owner, sessionId, group);
    }

    /** This version as the job emits it: the record's fields, none of the sessionizer's own. */
    public SessionRecord toRecord() {
        return new SessionRecord(
                owner,
                userId,
                deviceId,
                platform,
                osName,
                appVersion,
                sessionId,
                sdkSessionId,
                group,
                startTime,
                endTime,
                eventCount,
                activeEventCount,
                firstEventType,
                lastEventType,
                overRate,
                conversion,
                revision,
                closeReason);
    }

    private static int compare(String a, String b) {
        if (a == null) return b == null ? 0 : -1;
        return b == null ? 1 : a.compareTo(b);
    }

    private static long[] union(long[] a, long[] b) {
        if (b.length == 0) return a;
        if (a.length == 0) return b;
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return Arrays.stream(all).distinct().sorted().toArray();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Session s)) return false;
        return sessionId == s.sessionId
                && startTime == s.startTime
                && endTime == s.endTime
                && eventCount == s.eventCount
                && activeEventCount == s.activeEventCount
                && revision == s.revision
                && dirty == s.dirty
                && sdkSessionId == s.sdkSessionId
                && endsWithEndEvent == s.endsWithEndEvent
                && cutByMaxLength == s.cutByMaxLength
                && overRate == s.overRate
                && conversion == s.conversion
                && Objects.equals(group, s.group)
                && Objects.equals(owner, s.owner)
                && Objects.equals(userId, s.userId)
                && Objects.equals(deviceId, s.deviceId)
                && Objects.equals(platform, s.platform)
                && Objects.equals(osName, s.osName)
                && Objects.equals(appVersion, s.appVersion)
                && Objects.equals(firstEventType, s.firstEventType)
                && Objects.equals(lastEventType, s.lastEventType)
                && Arrays.equals(emittedIds, s.emittedIds)
                && Objects.equals(closeReason, s.closeReason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, sessionId, endTime, eventCount);
    }

    @Override
    public String toString() {
        return "Session{"
                + key()
                + ", end="
                + endTime
                + ", events="
                + eventCount
                + ", active="
                + activeEventCount
                + ", rev="
                + revision
                + '}';
    }
}
