package com.sessionflow.event;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    private final Identity identity;
    private final String sessionPropertyName;
    private final List<String> sessionProperties;
    private final int maxRecordBytes;
    private final long maxClockAheadMs;

    private transient ObjectMapper mapper;
    private transient CharsetDecoder utf8;
    private transient CharBuffer decoded;

    /** The event and user properties read, each at its slot of a {@link Holder}'s values. */
    private transient Map<String, Integer> slots;

    private transient int sessionPropertySlot;
    private transient int[] attributionSlots;
    private transient int[] chosenSlots;

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
        this(identity, sessionPropertyName, List.of(), maxRecordBytes, maxClockAheadMs);
    }

    /**
     * @param sessionProperties event or user properties whose values go into {@link
     *     EventContext#properties} ({@code --session-properties})
     */
    public EventParser(
            Identity identity,
            String sessionPropertyName,
            List<String> sessionProperties,
            int maxRecordBytes,
            long maxClockAheadMs) {
        this.identity = identity;
        this.sessionPropertyName = sessionPropertyName;
        this.sessionProperties = List.copyOf(sessionProperties);
        this.maxRecordBytes = maxRecordBytes;
        this.maxClockAheadMs = maxClockAheadMs;
    }

    private void init() {
        mapper = new ObjectMapper();
        utf8 =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        decoded = CharBuffer.allocate(4096);
        slots = new HashMap<>();
        sessionPropertySlot = sessionPropertyName == null ? -1 : slot(sessionPropertyName);
        attributionSlots = new int[EventContext.PROPERTY_FIELDS];
        for (int i = 0; i < attributionSlots.length; i++) {
            attributionSlots[i] = slot(EventContext.FIELD_NAMES.get(i));
        }
        chosenSlots = sessionProperties.stream().mapToInt(this::slot).toArray();
    }

    private int slot(String property) {
        return slots.computeIfAbsent(property, p -> slots.size());
    }

    /** Parses one record and hands every event or dead letter it yields to {@code out}. */
    public void parse(RecordOrigin origin, Consumer<ParsedRecord> out) {
        if (mapper == null) init();
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
        List<ParsedRecord> parsed = new ArrayList<>();
        try (JsonParser p = mapper.getFactory().createParser(value)) {
            readRecord(p, origin, parsed);
        } catch (JsonProcessingException e) {
            // a syntax error anywhere makes the whole record one dead letter, as a tree would
            out.accept(reject(Rejection.NOT_JSON, e.getOriginalMessage(), origin));
            return;
        } catch (IOException e) {
            out.accept(reject(Rejection.NOT_JSON, String.valueOf(e.getMessage()), origin));
            return;
        }
        parsed.forEach(out);
    }

    /**
     * Reads the record as a stream of tokens, keeping only the members an event is made of and
     * skipping the rest ({@code event_properties} and the like) without building them: a tree of
     * every record was the larger part of the job's parse.
     */
    private void readRecord(JsonParser p, RecordOrigin origin, List<ParsedRecord> parsed)
            throws IOException {
        JsonToken root = p.nextToken();
        if (root == null) {
            parsed.add(reject(Rejection.NOT_JSON, "the value is blank", origin));
        } else if (root == JsonToken.START_ARRAY) {
            readBatch(p, "", origin, parsed);
        } else if (root == JsonToken.START_OBJECT) {
            Members event = new Members();
            List<ParsedRecord> batch = readMembers(p, event, origin, true);
            if (batch == null) parsed.add(toEvent(event, "", -1, origin));
            else parsed.addAll(batch);
        } else {
            parsed.add(
                    reject(
                            Rejection.NOT_AN_EVENT,
                            "the value is a JSON " + tree(p).getNodeType(),
                            origin));
        }
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
            // a second JSON value after the first is an error, not something to drop silently
            throw new JsonParseException(
                    p, "a second JSON value (" + trailing.asString() + ") follows the first");
        }
    }

    /** {@code p} is at the batch's START_ARRAY; one output per element. */
    private void readBatch(
            JsonParser p, String path, RecordOrigin origin, List<ParsedRecord> parsed)
            throws IOException {
        int i = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), i++) {
            if (t == JsonToken.START_OBJECT) {
                Members event = new Members();
                readMembers(p, event, origin, false);
                parsed.add(toEvent(event, path, i, origin));
            } else {
                parsed.add(
                        reject(
                                Rejection.NOT_AN_EVENT,
                                where(path, i)
                                        + "not an object but a JSON "
                                        + tree(p).getNodeType(),
                                origin));
            }
        }
        if (i == 0) parsed.add(reject(Rejection.NO_EVENTS, "the batch is empty", origin));
    }

    /**
     * Reads an object's members into {@code event}. At the record's root an {@code "events"} member
     * makes the object a v2 request body: then the batch's outputs are returned (the last {@code
     * "events"} wins, as for every repeated member), else null.
     */
    private List<ParsedRecord> readMembers(
            JsonParser p, Members event, RecordOrigin origin, boolean root) throws IOException {
        List<ParsedRecord> batch = null;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "user_id" -> event.userId = member(p, t);
                case "device_id" -> event.deviceId = member(p, t);
                case "event_type" -> event.eventType = member(p, t);
                case "time" -> event.time = member(p, t);
                case "client_event_time" -> event.clientEventTime = member(p, t);
                case "session_id" -> event.sessionId = member(p, t);
                case "insert_id" -> event.insertId = member(p, t);
                case "$insert_id" -> event.dollarInsertId = member(p, t);
                case "platform" -> event.platform = member(p, t);
                case "os_name" -> event.osName = member(p, t);
                case "app_version" -> event.appVersion = member(p, t);
                case "country" -> event.context[5] = contextText(p, t);
                case "region" -> event.context[6] = contextText(p, t);
                case "city" -> event.context[7] = contextText(p, t);
                case "language" -> event.context[8] = contextText(p, t);
                case "device_family" -> event.context[9] = contextText(p, t);
                case "device_model" -> event.context[10] = contextText(p, t);
                case "os_version" -> event.context[11] = contextText(p, t);
                case "carrier" -> event.context[12] = contextText(p, t);
                case "event_properties" -> event.eventProperties = holder(p, t, name);
                case "user_properties" -> event.userProperties = holder(p, t, name);
                case "events" -> {
                    if (!root) {
                        p.skipChildren();
                    } else if (t == JsonToken.START_ARRAY) {
                        batch = new ArrayList<>();
                        readBatch(p, "events", origin, batch);
                    } else {
                        p.skipChildren();
                        batch =
                                List.of(
                                        reject(
                                                Rejection.NOT_AN_EVENT,
                                                "\"events\" is not an array",
                                                origin));
                    }
                }
                default -> p.skipChildren();
            }
        }
        return batch;
    }

    /**
     * An {@code event_properties} or {@code user_properties} member: only the values of the
     * properties the job reads are kept (the session property, the UTM and referrer ones, the
     * chosen ones), as text.
     */
    private Holder holder(JsonParser p, JsonToken t, String name) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        Holder h = new Holder(name, slots.size());
        if (t != JsonToken.START_OBJECT) {
            h.notAnObject = true;
            p.skipChildren();
            return h;
        }
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
            JsonToken v = p.nextToken();
            Integer slot = slots.get(key);
            if (slot == null) {
                p.skipChildren();
            } else {
                h.values[slot] = v == JsonToken.VALUE_NULL ? null : valueText(p, v);
            }
        }
        return h;
    }

    /** A property's value as text: a string as is, a number or boolean as written, JSON else. */
    private String valueText(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) return p.getText();
        JsonNode n = tree(p);
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /**
     * A location or device field: its text when it is a string or a number; anything else is
     * skipped, not rejected, as these fields decide nothing about sessions.
     */
    private String contextText(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) return p.getText();
        if (t.isNumeric()) return p.getText();
        p.skipChildren();
        return null;
    }

    private JsonNode tree(JsonParser p) throws IOException {
        return mapper.readTree(p);
    }

    /** Where in the record an event is, for its dead letter: "" for a record of one event. */
    private static String where(String path, int index) {
        return index < 0 ? "" : path + "[" + index + "]: ";
    }

    /**
     * The event of one object's members, or its dead letter. {@code index} is its place in the
     * batch at {@code path}, -1 for a record of one event: the prefix of a dead letter's detail is
     * only built for a dead letter.
     */
    private ParsedRecord toEvent(Members node, String path, int index, RecordOrigin origin) {
        try {
            Event e = new Event();
            e.userId = InvalidIds.clean(text(node.userId, "user_id"));
            e.deviceId = InvalidIds.clean(text(node.deviceId, "device_id"));
            e.owner =
                    identity == Identity.DEVICE
                            ? e.deviceId
                            : (e.userId != null ? e.userId : e.deviceId);
            if (e.owner == null) {
                return reject(
                        Rejection.NO_OWNER,
                        where(path, index)
                                + (identity == Identity.DEVICE
                                        ? "device_id is missing or invalid"
                                        : "user_id and device_id are missing or invalid"),
                        origin);
            }
            e.eventType = text(node.eventType, "event_type");
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
                        where(path, index)
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
            e.sdkSessionId = sessionId(node.sessionId);
            e.insertId = text(node.insertId, "insert_id");
            if (e.insertId == null) e.insertId = text(node.dollarInsertId, "$insert_id");
            e.platform = text(node.platform, "platform");
            e.osName = text(node.osName, "os_name");
            e.appVersion = text(node.appVersion, "app_version");
            if (sessionPropertyName != null) {
                e.sessionProperty = property(node, sessionPropertySlot, true);
            }
            e.context = context(node);
            e.sourceTopic = origin.topic;
            e.sourcePartition = origin.partition;
            e.sourceOffset = origin.offset;
            return ParsedRecord.of(e);
        } catch (FieldException ex) {
            return reject(ex.reason, where(path, index) + ex.getMessage(), origin);
        }
    }

    private long eventTime(Members m) throws FieldException {
        long t;
        if (m.time != null) {
            if (!(m.time instanceof JsonNode n) || !n.isIntegralNumber() || !n.canConvertToLong()) {
                throw new FieldException(
                        Rejection.BAD_TIME, "time is not an integer: " + abbreviate(m.time));
            }
            t = n.longValue();
        } else {
            if (m.clientEventTime == null) {
                throw new FieldException(
                        Rejection.NO_TIME, "neither time nor client_event_time is present");
            }
            if (!(m.clientEventTime instanceof String clientTime)) {
                throw new FieldException(
                        Rejection.BAD_TIME,
                        "client_event_time is not a string: " + abbreviate(m.clientEventTime));
            }
            try {
                t = ExportTime.parse(clientTime);
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

    private static long sessionId(Object id) throws FieldException {
        if (id == null) return Event.NO_SESSION_ID;
        if (!(id instanceof JsonNode n) || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new FieldException(
                    Rejection.BAD_FIELD, "session_id is not an integer: " + abbreviate(id));
        }
        return n.longValue();
    }

    /**
     * A property's value, from the event's properties, else the user's. Only the session property
     * is {@code required} to come from an object: a definition groups by it.
     */
    private static String property(Members m, int slot, boolean required) throws FieldException {
        for (Holder h : new Holder[] {m.eventProperties, m.userProperties}) {
            if (h == null) continue;
            if (h.notAnObject) {
                if (required)
                    throw new FieldException(Rejection.BAD_FIELD, h.name + " is not an object");
                continue;
            }
            String v = h.values[slot];
            if (v != null) return v;
        }
        return null;
    }

    /** The event's context, or null when it has none of its fields. */
    private EventContext context(Members m) throws FieldException {
        String[] fields = m.context;
        boolean any = false;
        for (int i = 0; i < EventContext.PROPERTY_FIELDS; i++) {
            fields[i] = property(m, attributionSlots[i], false);
        }
        for (String f : fields) any |= f != null;
        String[] chosen = null;
        if (chosenSlots.length > 0) {
            chosen = new String[chosenSlots.length];
            for (int i = 0; i < chosen.length; i++) {
                chosen[i] = property(m, chosenSlots[i], false);
                any |= chosen[i] != null;
            }
        }
        return any ? EventContext.of(fields, chosen) : null;
    }

    private static String text(Object v, String field) throws FieldException {
        if (v == null || v instanceof String) return (String) v;
        throw new FieldException(Rejection.BAD_FIELD, field + " is not a string: " + abbreviate(v));
    }

    /**
     * A member's value as the checks need it: null for JSON null, the String of a JSON string, a
     * number that fits a long as a LongNode, anything else as a tree (only for the error message).
     */
    private Object member(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        if (t == JsonToken.VALUE_STRING) return p.getText();
        if (t == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return LongNode.valueOf(p.getLongValue());
        }
        return tree(p);
    }

    private static String abbreviate(Object v) {
        String s = v instanceof String text ? TextNode.valueOf(text).toString() : v.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static ParsedRecord reject(Rejection reason, String detail, RecordOrigin origin) {
        return ParsedRecord.of(new DeadLetter(reason, detail, origin));
    }

    /** The members of one event object that the job reads, as {@link #member} keeps them. */
    private static final class Members {
        Object userId;
        Object deviceId;
        Object eventType;
        Object time;
        Object clientEventTime;
        Object sessionId;
        Object insertId;
        Object dollarInsertId;
        Object platform;
        Object osName;
        Object appVersion;
        Holder eventProperties;
        Holder userProperties;

        /** {@link EventContext#FIELD_NAMES}' values; the properties among them filled last. */
        final String[] context = new String[EventContext.FIELD_NAMES.size()];
    }

    /** An event_properties or user_properties member, as far as the job reads it. */
    private static final class Holder {
        final String name;
        boolean notAnObject;

        /** The read properties' values by slot, null when absent or JSON null. */
        final String[] values;

        Holder(String name, int slots) {
            this.name = name;
            this.values = new String[slots];
        }
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
    String utf8Problem(byte[] value) {
        boolean ascii = true;
        for (byte b : value) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return null;
        // one decoder and buffer per parser: allocating them per record cost a fifth of the check
        utf8.reset();
        ByteBuffer in = ByteBuffer.wrap(value);
        CoderResult result;
        do {
            decoded.clear();
            result = utf8.decode(in, decoded, true);
        } while (result.isOverflow());
        if (!result.isError()) {
            decoded.clear();
            result = utf8.flush(decoded);
        }
        if (!result.isError()) return null;
        try {
            result.throwException();
            return "not valid UTF-8";
        } catch (CharacterCodingException e) {
            return "not valid UTF-8: " + e.getMessage();
        }
    }
}
