package com.sessionflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Writes test events in the three input formats of session-rules §1, written here from the format
 * descriptions (never through the job's parser): an HTTP API v2 event, a v2 request body {@code
 * {"api_key":...,"events":[...]}}, and an Amplitude export line.
 */
public final class AmplitudeJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AmplitudeJson() {}

    /**
     * An HTTP API v2 event.
     *
     * @param rawUserId the user_id as sent (may be one of Amplitude's invalid ids); null leaves it
     *     out
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
        ObjectNode eventProperties =
                n.putObject("event_properties").put("screen", "home").put("position", 3);
        ObjectNode userProperties = n.putObject("user_properties").put("plan", "free");
        context(e.context, n, eventProperties, userProperties);
        return n;
    }

    /**
     * The property names {@link EventContext#properties} are written under, by position: run the
     * job with {@code --session-properties} of these names to read them back.
     */
    public static final List<String> CARRIED_PROPERTIES = List.of("plan_tier", "page_path");

    /**
     * Writes an event's context where Amplitude's sources put it: location and device as the
     * event's own fields, UTM parameters as user properties (the web SDK's attribution), the
     * referrer fields and the first chosen property as event properties, the second as a user
     * property.
     */
    private static void context(
            EventContext c,
            ObjectNode event,
            ObjectNode eventProperties,
            ObjectNode userProperties) {
        if (c == null) return;
        List<String> names = EventContext.FIELD_NAMES;
        String[] fields = c.fields();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] == null) continue;
            String name = names.get(i);
            ObjectNode target =
                    i >= EventContext.PROPERTY_FIELDS
                            ? event
                            : name.startsWith("utm_") ? userProperties : eventProperties;
            target.put(name, fields[i]);
        }
        if (c.properties == null) return;
        for (int i = 0; i < c.properties.length; i++) {
            if (c.properties[i] == null) continue;
            (i % 2 == 0 ? eventProperties : userProperties)
                    .put(CARRIED_PROPERTIES.get(i), c.properties[i]);
        }
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
        return export(
                e,
                rawUserId,
                variant % 2 == 0 ? exportTime(e.time, ' ', 6) : exportTime(e.time, 'T', 3));
    }

    /**
     * An export line whose {@code client_event_time} is the given text (e.g. from {@link
     * #exportTime}, or a malformed one); {@code server_upload_time} is 2 s after {@code e.time}.
     */
    public static ObjectNode export(Event e, String rawUserId, String clientEventTime) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("amplitude_id", 1_000_000L + Math.abs(e.owner.hashCode() % 1000));
        n.put("app", 123456);
        if (rawUserId != null) n.put("user_id", rawUserId);
        if (e.deviceId != null) n.put("device_id", e.deviceId);
        n.put("event_type", e.eventType);
        n.put("client_event_time", clientEventTime);
        n.put("server_upload_time", exportTime(e.time + 2_000, ' ', 6));
        if (e.hasSdkSessionId()) n.put("session_id", e.sdkSessionId);
        if (e.insertId != null) n.put("$insert_id", e.insertId);
        if (e.platform != null) n.put("platform", e.platform);
        if (e.osName != null) n.put("os_name", e.osName);
        context(e.context, n, n.putObject("event_properties"), n.putObject("user_properties"));
        return n;
    }

    /**
     * An export timestamp as Amplitude writes it: UTC, {@code separator} (space or {@code T})
     * between date and time, {@code digits} (0 to 6) fraction digits, which must hold the time
     * exactly.
     */
    public static String exportTime(long epochMs, char separator, int digits) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
        String base =
                String.format(
                        Locale.ROOT,
                        "%04d-%02d-%02d%c%02d:%02d:%02d",
                        t.getYear(),
                        t.getMonthValue(),
                        t.getDayOfMonth(),
                        separator,
                        t.getHour(),
                        t.getMinute(),
                        t.getSecond());
        String micros = String.format(Locale.ROOT, "%06d", Math.floorMod(epochMs, 1000L) * 1000);
        if (digits < 6 && !micros.substring(digits).chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException(
                    epochMs + " cannot be written exactly with " + digits + " digits");
        }
        return digits == 0 ? base : base + "." + micros.substring(0, digits);
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

    /** Parses a record the job wrote; fails the test if it is not JSON. */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** A test event (the fields the reference needs); owner = user id, else device id. */
    public static Event event(
            String userId,
            String deviceId,
            String type,
            long time,
            String insertId,
            String platform) {
        Event e = new Event();
        e.userId = userId;
        e.deviceId = deviceId;
        e.owner = userId != null ? userId : deviceId;
        e.eventType = type;
        e.time = time;
        e.insertId = insertId;
        e.platform = platform;
        e.osName =
                "iOS".equals(platform) ? "ios" : "Android".equals(platform) ? "android" : "Chrome";
        e.appVersion = "Web".equals(platform) ? null : "5.2.1";
        return e;
    }
}
