package com.sessionflow.session;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import java.util.List;
import java.util.Objects;

/**
 * One version of a session as the job emits it: what its record in the {@code sessions} topic and
 * the metrics are made of. Immutable, so operators downstream share it without copies and nothing
 * they do can reach back into the sessionizer's state. The state is {@link Session}: it also holds
 * what only the sessionizer needs (the ids still visible downstream, the changed flag, the facts of
 * a re-splitting definition); a version is taken from it with {@link Session#toRecord()} when it
 * closes.
 */
public final class SessionRecord {

    public final String owner;
    public final String userId;
    public final String deviceId;

    /** Platform, OS and app version of the session's first event. */
    public final String platform;

    public final String osName;
    public final String appVersion;

    /** Epoch ms of the start: the first event's time, or the SDK's session_id for SDK sessions. */
    public final long sessionId;

    /** The SDK's session_id the session takes as its id, else {@link Event#NO_SESSION_ID}. */
    public final long sdkSessionId;

    /** Part of the key when not null (see {@link SessionDefinition#groupOf}). */
    public final String group;

    public final long startTime;
    public final long endTime;
    public final long eventCount;

    /** Events that are not session markers. */
    public final long activeEventCount;

    public final String firstEventType;
    public final String lastEventType;

    /** The first and the last active event's type (markers left out); null: markers only. */
    public final String entryEventType;

    public final String exitEventType;

    /** The entry event's context, the session's first touch; null when it had none. */
    public final EventContext entryContext;

    /** The exit event's context, for the chosen properties' last values. */
    public final EventContext exitContext;

    /** Every device_id among its events, sorted. */
    public final List<String> deviceIds;

    /** Its events without a session_id. */
    public final long eventsWithoutSessionId;

    /** It overlaps a minute in which its owner went over the rate ({@link OwnerRateLimit}). */
    public final boolean overRate;

    /** One of its events is a conversion event type ({@code --conversion-events}). */
    public final boolean conversion;

    /** 1 for the first version of the key, then one more per revision. */
    public final int revision;

    public final CloseReason closeReason;

    /** The version {@code s} is now (see {@link Session#toRecord()}). */
    SessionRecord(Session s) {
        this.owner = s.owner;
        this.userId = s.userId;
        this.deviceId = s.deviceId;
        this.platform = s.platform;
        this.osName = s.osName;
        this.appVersion = s.appVersion;
        this.sessionId = s.sessionId;
        this.sdkSessionId = s.sdkSessionId;
        this.group = s.group;
        this.startTime = s.startTime;
        this.endTime = s.endTime;
        this.eventCount = s.eventCount;
        this.activeEventCount = s.activeEventCount;
        this.firstEventType = s.firstEventType;
        this.lastEventType = s.lastEventType;
        this.entryEventType = s.entryEventType;
        this.exitEventType = s.exitEventType;
        this.entryContext = s.entryContext;
        this.exitContext = s.exitContext;
        this.deviceIds = List.of(s.deviceIds);
        this.eventsWithoutSessionId = s.eventsWithoutSessionId;
        this.overRate = s.overRate;
        this.conversion = s.conversion;
        this.revision = s.revision;
        this.closeReason = s.closeReason;
    }

    /** Length as Amplitude computes it: latest event time minus the session id, never negative. */
    public long lengthMs() {
        return Math.max(0, endTime - sessionId);
    }

    public boolean isEmpty() {
        return activeEventCount == 0;
    }

    public boolean isZeroLength() {
        return lengthMs() == 0;
    }

    /** Why its length is 0 (Amplitude's User Sessions FAQ), or null when it has a length. */
    public ZeroLengthCause zeroLengthCause() {
        return isZeroLength() ? ZeroLengthCause.of(this) : null;
    }

    /** The SDK's session_id made the session (under {@code client}), not the gap rule. */
    public boolean isSdkSession() {
        return sdkSessionId != Event.NO_SESSION_ID;
    }

    /** The Kafka key: {@code <owner>/<session_id>}, plus {@code /<group>} when it has one. */
    public String key() {
        return SessionChange.key(owner, sessionId, group);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof SessionRecord s)) return false;
        return sessionId == s.sessionId
                && sdkSessionId == s.sdkSessionId
                && startTime == s.startTime
                && endTime == s.endTime
                && eventCount == s.eventCount
                && activeEventCount == s.activeEventCount
                && overRate == s.overRate
                && conversion == s.conversion
                && revision == s.revision
                && Objects.equals(owner, s.owner)
                && Objects.equals(userId, s.userId)
                && Objects.equals(deviceId, s.deviceId)
                && Objects.equals(platform, s.platform)
                && Objects.equals(osName, s.osName)
                && Objects.equals(appVersion, s.appVersion)
                && Objects.equals(group, s.group)
                && Objects.equals(firstEventType, s.firstEventType)
                && Objects.equals(lastEventType, s.lastEventType)
                && Objects.equals(entryEventType, s.entryEventType)
                && Objects.equals(exitEventType, s.exitEventType)
                && Objects.equals(entryContext, s.entryContext)
                && Objects.equals(exitContext, s.exitContext)
                && deviceIds.equals(s.deviceIds)
                && eventsWithoutSessionId == s.eventsWithoutSessionId
                && closeReason == s.closeReason;
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, sessionId, endTime, eventCount, revision);
    }

    @Override
    public String toString() {
        return "SessionRecord{"
                + key()
                + ", end="
                + endTime
                + ", events="
                + eventCount
                + ", active="
                + activeEventCount
                + ", rev="
                + revision
                + ", "
                + closeReason
                + '}';
    }
}
