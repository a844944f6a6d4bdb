package com.sessionflow.session;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The running summary of one session as the sessionizer stores it: what its record needs, never the
 * events themselves, so state per session is constant whatever the number of events, plus what only
 * the sessionizer uses (ids still visible downstream, the changed flag, the facts). What it emits
 * is a {@link SessionRecord}. Summaries merge (a late event can bridge two sessions) and merging is
 * order-free: ties on time are broken by event type name.
 */
public class Session {

    String owner;
    String userId;
    String deviceId;

    /** Platform, OS and app version of the session's first event. */
    String platform;

    String osName;
    String appVersion;

    /**
     * Epoch ms of the session start; for an inferred session its first event's time, else the SDK's
     * session_id.
     */
    long sessionId;

    /**
     * The SDK's session_id this session takes as its id ({@code client}), else {@link
     * Event#NO_SESSION_ID}.
     */
    long sdkSessionId = Event.NO_SESSION_ID;

    /**
     * Sessions of different groups never merge; a non-null group is part of the key (see {@link
     * SessionDefinition#groupOf}).
     */
    String group;

    /** Its last event is an end event: it is complete at once. */
    boolean endsWithEndEvent;

    /**
     * The next session of its group starts because this one reached the maximum length (split over
     * the limit).
     */
    boolean cutByMaxLength;

    /** It overlaps a minute in which its owner went over the rate ({@link OwnerRateLimit}). */
    boolean overRate;

    /** One of its events is a conversion event type ({@link SessionDefinition#isConversion}). */
    boolean conversion;

    /**
     * The facts of its events, sorted ({@link Fact#compare}), when the definition may re-split
     * sessions (per-platform gaps, start/end events); null otherwise. Never in emitted records.
     */
    Fact[] facts;

    long startTime;
    long endTime;
    long eventCount;

    /** Events that are not session markers. */
    long activeEventCount;

    String firstEventType;
    String lastEventType;

    /**
     * The first and the last active event (markers left out), Amplitude's entry and exit events:
     * their types, times and contexts. Null types in a session of markers only.
     */
    String entryEventType;

    long entryTime;
    String exitEventType;
    long exitTime;

    /** The entry event's context: the session's first touch (null: it had none). */
    EventContext entryContext;

    /** The exit event's context: the last values of the chosen properties. */
    EventContext exitContext;

    /** Every device_id among its events, sorted: more than one when a user switched devices. */
    String[] deviceIds = NO_IDS;

    /** Its events that carried no session_id (HTTP API traffic: out of session in Amplitude). */
    long eventsWithoutSessionId;

    /** How many times this session has been emitted: its last record's revision. */
    int revision;

    /** Changed since it was last emitted (or never emitted). */
    boolean dirty;

    /** Session ids this session was emitted under and that are still visible downstream. */
    long[] emittedIds = new long[0];

    /** Why the session was last emitted as closed. */
    CloseReason closeReason;

    private static final String[] NO_IDS = new String[0];

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
        List<String> devices = new ArrayList<>();
        for (Fact f : sorted) {
            if (f.withoutSessionId) s.eventsWithoutSessionId++;
            if (f.deviceId != null) devices.add(f.deviceId);
            if (f.marker) continue;
            if (s.activeEventCount++ == 0) s.entry(f.eventType, f.time, f.context);
            s.exit(f.eventType, f.time, f.context);
        }
        s.deviceIds = devices.stream().distinct().sorted().toArray(String[]::new);
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
        if (!marker) {
            s.entry(e.eventType, e.time, e.context);
            s.exit(e.eventType, e.time, e.context);
        }
        if (e.deviceId != null) s.deviceIds = new String[] {e.deviceId};
        s.eventsWithoutSessionId = e.hasSdkSessionId() ? 0 : 1;
        s.dirty = true;
        return s;
    }

    private void entry(String type, long time, EventContext context) {
        entryEventType = type;
        entryTime = time;
        entryContext = context;
    }

    private void exit(String type, long time, EventContext context) {
        exitEventType = type;
        exitTime = time;
        exitContext = context;
    }

    /**
     * Fills in what a session restored from a state layout before format 2 lacks, as well as it is
     * known: its first and last event as entry and exit (right unless those were markers), its
     * first event's device id. Contexts and the count of events without session_id stay unknown
     * (null and 0). A session of a newer layout is left as it is.
     */
    public void completeOlderLayout() {
        if (activeEventCount > 0 && entryEventType == null && exitEventType == null) {
            entry(firstEventType, startTime, null);
            exit(lastEventType, endTime, null);
        }
        if (deviceIds.length == 0 && deviceId != null) deviceIds = new String[] {deviceId};
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
        if (other.activeEventCount > 0) {
            if (activeEventCount == 0
                    || other.entryTime < entryTime
                    || (other.entryTime == entryTime
                            && compare(other.entryEventType, entryEventType) < 0)) {
                entry(other.entryEventType, other.entryTime, other.entryContext);
            }
            if (activeEventCount == 0
                    || other.exitTime > exitTime
                    || (other.exitTime == exitTime
                            && compare(other.exitEventType, exitEventType) > 0)) {
                exit(other.exitEventType, other.exitTime, other.exitContext);
            }
        }
        // the session-id rule: the SDK's id when the definition trusts it, else the first event's
        // time
        sessionId = sdkSessionId != Event.NO_SESSION_ID ? sdkSessionId : startTime;
        eventCount += other.eventCount;
        activeEventCount += other.activeEventCount;
        eventsWithoutSessionId += other.eventsWithoutSessionId;
        deviceIds = union(deviceIds, other.deviceIds);
        revision = Math.max(revision, other.revision);
        dirty = dirty || other.dirty;
        overRate = overRate || other.overRate;
        conversion = conversion || other.conversion;
        emittedIds = union(emittedIds, other.emittedIds);
    }

    /**
     * Hands the session to {@code newOwner}, a user whose login showed that a device's events were
     * theirs: the keys it was emitted under are the old owner's to retract, and it is emitted again
     * under the new one.
     */
    public void moveTo(String newOwner) {
        owner = newOwner;
        emittedIds = new long[0];
        dirty = true;
    }

    /**
     * Emits the session, closed for {@code reason}: its next revision, under its current id (ids it
     * was emitted under before are the caller's to retract).
     */
    public SessionRecord emitted(CloseReason reason) {
        emittedIds = new long[] {sessionId};
        revision++;
        dirty = false;
        closeReason = reason;
        return toRecord();
    }

    public String owner() {
        return owner;
    }

    public long eventCount() {
        return eventCount;
    }

    /** Changed since it was last emitted (or never emitted): due to be emitted. */
    public boolean isPending() {
        return dirty;
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
        return new SessionRecord(this);
    }

    private static int compare(String a, String b) {
        if (a == null) return b == null ? 0 : -1;
        return b == null ? 1 : a.compareTo(b);
    }

    private static String[] union(String[] a, String[] b) {
        if (Arrays.equals(a, b) || b.length == 0) return a;
        if (a.length == 0) return b;
        return Stream.concat(Arrays.stream(a), Arrays.stream(b))
                .distinct()
                .sorted()
                .toArray(String[]::new);
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
                && Objects.equals(entryEventType, s.entryEventType)
                && Objects.equals(exitEventType, s.exitEventType)
                && (entryEventType == null || entryTime == s.entryTime)
                && (exitEventType == null || exitTime == s.exitTime)
                && Objects.equals(entryContext, s.entryContext)
                && Objects.equals(exitContext, s.exitContext)
                && Arrays.equals(deviceIds, s.deviceIds)
                && eventsWithoutSessionId == s.eventsWithoutSessionId
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
