package com.sessionflow.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns one Kafka record value into events (session-rules §1): an HTTP API v2 event, a v2 request
 * body {@code {"events":[...]}}, a JSON array of events, or an Amplitude export line. Everything it
 * cannot use becomes a {@link DeadLetter} with the reason; a bad event of a batch rejects only
 * itself. Plain Java: the Kafka deserializer and the export-file reader both call it.
 */
public final class EventParser implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Year 10000: anything later is not a plausible epoch-milliseconds time. */
    private static final long MAX_TIME = 253_402_300_800_000L;

    /** Event types and platforms repeat endlessly; one String instance each keeps state small. */
    private static final int MAX_INTERNED = 10_000;

    private final Identity identity;
    private final String sessionPropertyName;
    private final int maxRecordBytes;
    private final long maxClockAheadMs;

    private transient ObjectMapper mapper;
    private transient Map<String, String> interned;

    /**
     * @param sessionPropertyName event or user property to copy into {@link Event#sessionProperty},
     *     or null
     * @param maxClockAheadMs how far an event time may be ahead of its record's Kafka timestamp; 0
     *     = no check
     */
    public EventParser(
            Identity identity,
            String sessionPropertyName,
            int maxRecordBytes,
            long maxClockAheadMs) {
        this.identity = identity;
        this.sessionPropertyName = sessionPropertyName;
        this.maxRecordBytes = maxRecordBytes;
        this.maxClockAheadMs = maxClockAheadMs;
    }

    /** Parses one record and hands every event or dead letter it yields to {@code out}. */
    public void parse(RecordOrigin origin, Consumer<ParsedRecord> out) {
        if (mapper == null) {
            // a second JSON value after the first is an error, not something to drop silently
            mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            interned = new HashMap<>();
        }
        byte[] value = origin.value;
        if (value == null || value.length == 0) {
            out.accept(reject(Rejection.NOT_JSON, "the record has no value", origin));
            return;
        }
        if (value.length > maxRecordBytes) {
            out.accept(
                    reject(
                            Rejection.TOO_LARGE,
                            value.length + " bytes, the limit is " + maxRecordBytes,
                            origin));
            return;
        }
        String notUtf8 = utf8Problem(value);
        if (notUtf8 != null) {
            out.accept(reject(Rejection.NOT_JSON, notUtf8, origin));
            return;
        }
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (JsonProcessingException e) {
            out.accept(reject(Rejection.NOT_JSON, e.getOriginalMessage(), origin));
            return;
        } catch (IOException e) {
            out.accept(reject(Rejection.NOT_JSON, String.valueOf(e.getMessage()), origin));
            return;
        }
        if (root == null || root.isMissingNode()) {
            out.accept(reject(Rejection.NOT_JSON, "the value is blank", origin));
        } else if (root.isObject() && root.has("events")) {
            JsonNode events = root.get("events");
            if (!events.isArray()) {
                out.accept(reject(Rejection.NOT_AN_EVENT, "\"events\" is not an array", origin));
            } else {
                parseBatch(events, "events", origin, out);
            }
        } else if (root.isArray()) {
            parseBatch(root, "", origin, out);
        } else if (root.isObject()) {
            out.accept(parseEvent(root, "", origin));
        } else {
            out.accept(
                    reject(
                            Rejection.NOT_AN_EVENT,
                            "the value is a JSON " + root.getNodeType(),
                            origin));
        }
    }

    private void parseBatch(
            JsonNode events, String path, RecordOrigin origin, Consumer<ParsedRecord> out) {
        if (events.isEmpty()) {
            out.accept(reject(Rejection.NO_EVENTS, "the batch is empty", origin));
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            out.accept(parseEvent(events.get(i), path + "[" + i + "]: ", origin));
        }
    }

    private ParsedRecord parseEvent(JsonNode node, String where, RecordOrigin origin) {
        if (!node.isObject()) {
            return reject(
                    Rejection.NOT_AN_EVENT,
                    where + "not an object but a JSON " + node.getNodeType(),
                    origin);
        }
        try {
            Event e = new Event();
            e.userId = InvalidIds.clean(text(node, "user_id"));
            e.deviceId = InvalidIds.clean(text(node, "device_id"));
            e.owner =
                    identity == Identity.DEVICE
                            ? e.deviceId
                            : (e.userId != null ? e.userId : e.deviceId);
            if (e.owner == null) {
                return reject(
                        Rejection.NO_OWNER,
                        where
                                + (identity == Identity.DEVICE
                                        ? "device_id is missing or invalid"
                                        : "user_id and device_id are missing or invalid"),
                        origin);
            }
            e.eventType = intern(text(node, "event_type"));
            if (e.eventType == null || e.eventType.isBlank()) {
                throw new FieldException(Rejection.BAD_FIELD, "event_type is missing");
            }
            e.time = eventTime(node);
            if (maxClockAheadMs > 0
                    && origin.timestamp >= 0
                    // a difference, not a sum: a timestamp near Long.MAX_VALUE must not overflow
                    && e.time - origin.timestamp > maxClockAheadMs) {
                return reject(
                        Rejection.CLOCK_AHEAD,
                        where
                                + "time "
                                + e.time
                                + " is "
                                + (e.time - origin.timestamp)
                                + " ms after the Kafka timestamp "
                                + origin.timestamp
                                + ", the limit is "
                                + maxClockAheadMs
                                + " ms",
                        origin);
            }
            e.sdkSessionId = sessionId(node);
            e.insertId = text(node, "insert_id");
            if (e.insertId == null) e.insertId = text(node, "$insert_id");
            e.platform = intern(text(node, "platform"));
            e.osName = intern(text(node, "os_name"));
            e.appVersion = intern(text(node, "app_version"));
            if (sessionPropertyName != null) e.sessionProperty = property(node);
            e.sourceTopic = origin.topic;
            e.sourcePartition = origin.partition;
            e.sourceOffset = origin.offset;
            return ParsedRecord.of(e);
        } catch (FieldException ex) {
            return reject(ex.reason, where + ex.getMessage(), origin);
        }
    }

    private long eventTime(JsonNode node) throws FieldException {
        JsonNode time = node.get("time");
        long t;
        if (time != null && !time.isNull()) {
            if (!time.isIntegralNumber() || !time.canConvertToLong()) {
                throw new FieldException(
                        Rejection.BAD_TIME, "time is not an integer: " + abbreviate(time));
            }
            t = time.longValue();
        } else {
            JsonNode clientTime = node.get("client_event_time");
            if (clientTime == null || clientTime.isNull()) {
                throw new FieldException(
                        Rejection.NO_TIME, "neither time nor client_event_time is present");
            }
            if (!clientTime.isTextual()) {
                throw new FieldException(
                        Rejection.BAD_TIME,
                        "client_event_time is not a string: " + abbreviate(clientTime));
            }
            try {
                t = ExportTime.parse(clientTime.textValue());
            } catch (DateTimeParseException ex) {
                throw new FieldException(
                        Rejection.BAD_TIME,
                        "client_event_time is not like 2019-11-12 14:43:48.924000: "
                                + abbreviate(clientTime));
            }
        }
        if (t <= 0 || t >= MAX_TIME) {
            throw new FieldException(
                    Rejection.BAD_TIME,
                    "time " + t + " is not a plausible epoch-milliseconds value");
        }
        return t;
    }

    private static long sessionId(JsonNode node) throws FieldException {
        JsonNode id = node.get("session_id");
        if (id == null || id.isNull()) return Event.NO_SESSION_ID;
        if (!id.isIntegralNumber() || !id.canConvertToLong()) {
            throw new FieldException(
                    Rejection.BAD_FIELD, "session_id is not an integer: " + abbreviate(id));
        }
        return id.longValue();
    }

    private String property(JsonNode node) throws FieldException {
        for (String holder : new String[] {"event_properties", "user_properties"}) {
            JsonNode props = node.get(holder);
            if (props == null || props.isNull()) continue;
            if (!props.isObject())
                throw new FieldException(Rejection.BAD_FIELD, holder + " is not an object");
            JsonNode v = props.get(sessionPropertyName);
            if (v != null && !v.isNull()) return v.isValueNode() ? v.asText() : v.toString();
        }
        return null;
    }

    private static String text(JsonNode node, String field) throws FieldException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            throw new FieldException(
                    Rejection.BAD_FIELD, field + " is not a string: " + abbreviate(v));
        }
        return v.textValue();
    }

    private String intern(String s) {
        if (s == null) return null;
        String known = interned.get(s);
        if (known != null) return known;
        if (interned.size() < MAX_INTERNED) interned.put(s, s);
        return s;
    }

    private static String abbreviate(JsonNode v) {
        String s = v.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static ParsedRecord reject(Rejection reason, String detail, RecordOrigin origin) {
        return ParsedRecord.of(new DeadLetter(reason, detail, origin));
    }

    /** A field that makes the event unusable; carries the dead-letter reason. */
    private static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;
        final Rejection reason;

        FieldException(Rejection reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /**
     * Null when the bytes are valid UTF-8, else what is wrong. Jackson decodes some invalid
     * sequences (overlong forms, encoded surrogates) instead of failing, which would turn {@code
     * "u\xC0\xAF"} into the owner {@code "u/"}; the JDK's decoder is strict. Only records with a
     * non-ASCII byte pay for it.
     */
    static String utf8Problem(byte[] value) {
        boolean ascii = true;
        for (byte b : value) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return null;
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
            return null;
        } catch (CharacterCodingException e) {
            return "not valid UTF-8: " + e.getMessage();
        }
    }
}
