package com.sessionflow.event;

import java.util.Objects;

/**
 * One analytics event, as the job keeps it after parsing: only the fields the session rules and the
 * session records use. A Flink POJO, so state and network use Flink's own serializer.
 */
public class Event {

    /** {@link #sdkSessionId} when the event did not say: the session is inferred from the gap. */
    public static final long NO_SESSION_ID = Long.MIN_VALUE;

    /** Amplitude's explicit "out of session" session id. */
    public static final long OUT_OF_SESSION_ID = -1L;

    /** Whose session this is: user_id, else device_id (or always device_id, by option). */
    public String owner;

    public String userId;
    public String deviceId;
    public String eventType;

    /** Event time, epoch milliseconds. */
    public long time;

    /** The SDK's session_id, {@link #OUT_OF_SESSION_ID}, or {@link #NO_SESSION_ID}. */
    public long sdkSessionId = NO_SESSION_ID;

    public String insertId;
    public String platform;
    public String osName;
    public String appVersion;

    /** Value of the session property of a {@code property:NAME} definition, if any. */
    public String sessionProperty;

    /** Attribution, location and device, and the chosen properties; null when it has none. */
    public EventContext context;

    /** Where the event was read, so a late event can be traced back to its Kafka record. */
    public String sourceTopic;

    public int sourcePartition;
    public long sourceOffset;

    public Event() {}

    /** A copy of every field; it shares the context, which nothing changes after parsing. */
    public Event copy() {
        Event c = new Event();
        c.owner = owner;
        c.userId = userId;
        c.deviceId = deviceId;
        c.eventType = eventType;
        c.time = time;
        c.sdkSessionId = sdkSessionId;
        c.insertId = insertId;
        c.platform = platform;
        c.osName = osName;
        c.appVersion = appVersion;
        c.sessionProperty = sessionProperty;
        c.context = context;
        c.sourceTopic = sourceTopic;
        c.sourcePartition = sourcePartition;
        c.sourceOffset = sourceOffset;
        return c;
    }

    public boolean hasSdkSessionId() {
        return sdkSessionId != NO_SESSION_ID;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Event e)) return false;
        return time == e.time
                && sdkSessionId == e.sdkSessionId
                && sourcePartition == e.sourcePartition
                && sourceOffset == e.sourceOffset
                && Objects.equals(owner, e.owner)
                && Objects.equals(userId, e.userId)
                && Objects.equals(deviceId, e.deviceId)
                && Objects.equals(eventType, e.eventType)
                && Objects.equals(insertId, e.insertId)
                && Objects.equals(platform, e.platform)
                && Objects.equals(osName, e.osName)
                && Objects.equals(appVersion, e.appVersion)
                && Objects.equals(sessionProperty, e.sessionProperty)
                && Objects.equals(context, e.context)
                && Objects.equals(sourceTopic, e.sourceTopic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, eventType, time, insertId);
    }

    @Override
    public String toString() {
        return "Event{owner="
                + owner
                + ", type="
                + eventType
                + ", time="
                + time
                + (hasSdkSessionId() ? ", session_id=" + sdkSessionId : "")
                + ", platform="
                + platform
                + '}';
    }
}
