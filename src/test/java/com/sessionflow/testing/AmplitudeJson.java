package com.sessionflow.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes test events in the three input formats of SPEC §1, written here from the format
 * descriptions (never through the job's parser): an HTTP API v2 event, a v2 request body
 * {@code {"api_key":...,"events":[...]}}, and an Amplitude export line.
 */
public final class AmplitudeJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter EXPORT_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS'000'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter EXPORT_T_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private AmplitudeJson() {}

    /**
     * An HTTP API v2 event.
     *
     * @param rawUserId the user_id as sent (may be one of Amplitude's invalid ids); null leaves it out
     */
    public static ObjectNode v2(Event e, String rawUserId) {
        ObjectNode n = MAPPER.createObjectNode();
        if (rawUserId != null) n.put("user_id", rawUserId);
        if (e.deviceId != null) n.put("device_id", e.deviceId);
        n.put("event_type", e.eventType);
        n.put("time", e.time);
        if (e.hasSdkSessionId()) n.put("session_id", e.sdkSessionId);
        if (e.insertId != null) n.put("insert_id", e.insertId);
        if (e.platform != null) n.put("platform", e.platform);
        if (e.osName != null) n.put("os_name", e.osName);
        if (e.appVersion != null) n.put("app_version", e.appVersion);
        n.putObject("event_properties").put("screen", "home").put("position", 3);
        n.putObject("user_properties").put("plan", "free");
        n.put("language", "English");
        return n;
    }

    /** A v2 request body holding the given events (already written with {@link #v2}). */
    public static ObjectNode body(List<ObjectNode> events) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("api_key", "0123456789abcdef");
        ArrayNode a = n.putArray("events");
        events.forEach(a::add);
        return n;
    }

    /**
     * An export line: {@code client_event_time} text instead of {@code time}, {@code $insert_id},
     * {@code amplitude_id}. {@code variant} picks the timestamp style: space and 6 fraction digits,
     * or {@code T} and 3 fraction digits.
     */
    public static ObjectNode export(Event e, String rawUserId, int variant) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("amplitude_id", 1_000_000L + Math.abs(e.owner.hashCode() % 1000));
        n.put("app", 123456);
        if (rawUserId != null) n.put("user_id", rawUserId);
        if (e.deviceId != null) n.put("device_id", e.deviceId);
        n.put("event_type", e.eventType);
        Instant t = Instant.ofEpochMilli(e.time);
        n.put("client_event_time", (variant % 2 == 0 ? EXPORT_MICROS : EXPORT_T_MILLIS).format(t));
        n.put("server_upload_time", EXPORT_MICROS.format(t.plusSeconds(2)));
        if (e.hasSdkSessionId()) n.put("session_id", e.sdkSessionId);
        if (e.insertId != null) n.put("$insert_id", e.insertId);
        if (e.platform != null) n.put("platform", e.platform);
        if (e.osName != null) n.put("os_name", e.osName);
        n.putObject("event_properties");
        return n;
    }

    public static String text(ObjectNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A test event (the fields the reference needs); owner = user id, else device id. */
    public static Event event(String userId, String deviceId, String type, long time, String insertId,
            String platform) {
        Event e = new Event();
        e.userId = userId;
        e.deviceId = deviceId;
        e.owner = userId != null ? userId : deviceId;
        e.eventType = type;
        e.time = time;
        e.insertId = insertId;
        e.platform = platform;
        e.osName = "iOS".equals(platform) ? "ios" : "Android".equals(platform) ? "android" : "Chrome";
        e.appVersion = "Web".equals(platform) ? null : "5.2.1";
        return e;
    }
}
