package com.sessionflow.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionIdProblem;
import com.sessionflow.session.SessionRecord;
import com.sessionflow.session.ZeroLengthCause;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The JSON the job writes: session records, dead letters, late and quarantined events (formats in
 * docs/formats.md).
 */
public final class JsonRecords {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonRecords() {}

    /** An empty JSON object, from the one mapper every record the job writes goes through. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ObjectNode session(SessionRecord s, SessionDefinition definition) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("owner", s.owner);
        n.put("user_id", s.userId);
        n.put("device_id", s.deviceId);
        n.put("session_id", s.sessionId);
        n.put("start_time", s.startTime);
        n.put("end_time", s.endTime);
        n.put("length_ms", s.lengthMs());
        n.put("event_count", s.eventCount);
        n.put("active_event_count", s.activeEventCount);
        n.put("zero_length", s.isZeroLength());
        ZeroLengthCause cause = s.zeroLengthCause();
        n.put("zero_length_cause", cause == null ? null : cause.code());
        n.put("empty", s.isEmpty());
        n.put("over_limit", definition.isOverLimit(s));
        n.put("over_rate", s.overRate);
        n.put("engaged", definition.isEngaged(s));
        n.put("conversion", s.conversion);
        n.put("platform", s.platform);
        n.put("os_name", s.osName);
        n.put("app_version", s.appVersion);
        n.put("first_event_type", s.firstEventType);
        n.put("last_event_type", s.lastEventType);
        n.put("entry_event_type", s.entryEventType);
        n.put("exit_event_type", s.exitEventType);
        ArrayNode devices = n.putArray("device_ids");
        s.deviceIds.forEach(devices::add);
        n.put("events_without_session_id", s.eventsWithoutSessionId);
        String[] context = s.entryContext == null ? null : s.entryContext.fields();
        for (int i = 0; i < EventContext.FIELD_NAMES.size(); i++) {
            n.put(EventContext.FIELD_NAMES.get(i), context == null ? null : context[i]);
        }
        List<String> carried = definition.carriedProperties();
        if (!carried.isEmpty()) {
            ObjectNode first = n.putObject("first_properties");
            ObjectNode last = n.putObject("last_properties");
            for (int i = 0; i < carried.size(); i++) {
                first.put(
                        carried.get(i), s.entryContext == null ? null : s.entryContext.property(i));
                last.put(carried.get(i), s.exitContext == null ? null : s.exitContext.property(i));
            }
        }
        n.put("definition", definition.name());
        // client: sdk when the SDK's session_id made the session, inferred when the gap rule did
        n.put("session_source", s.isSdkSession() ? "sdk" : "inferred");
        SessionIdProblem problem = definition.sessionIdProblem(s);
        n.put("session_id_problem", problem == null ? null : problem.code());
        if (definition.propertyName() != null) n.put("session_property", s.group);
        n.put("revision", s.revision);
        n.put("close_reason", s.closeReason == null ? null : s.closeReason.code());
        return n;
    }

    public static ObjectNode deadLetter(DeadLetter d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("reason", d.reason.code());
        n.put("meaning", d.reason.meaning());
        n.put("detail", d.detail);
        n.put("topic", d.topic);
        n.put("partition", d.partition);
        n.put("offset", d.offset);
        n.put("timestamp", d.timestamp);
        String text = d.originalValue == null ? null : utf8(d.originalValue);
        if (text != null) {
            n.put("original", text);
        } else if (d.originalValue != null) {
            n.put("original_base64", Base64.getEncoder().encodeToString(d.originalValue));
        }
        return n;
    }

    public static ObjectNode lateEvent(LateEvent late) {
        ObjectNode n = heldBack(late.reason(), late.detail(), late.event);
        n.put("watermark", late.watermark);
        return n;
    }

    public static ObjectNode quarantinedEvent(QuarantinedEvent q) {
        ObjectNode n = heldBack(q.reason(), q.detail(), q.event);
        n.put("events_per_minute", q.eventsPerMinute);
        n.put("minute", q.minute);
        return n;
    }

    /** An event the job left out of sessions: why, where it was read, and the event. */
    private static ObjectNode heldBack(String reason, String detail, Event e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("reason", reason);
        n.put("detail", detail);
        n.put("topic", e.sourceTopic);
        n.put("partition", e.sourcePartition);
        n.put("offset", e.sourceOffset);
        n.set("event", event(e));
        return n;
    }

    /** A parsed event as JSON, with the fields the job keeps. */
    public static ObjectNode event(Event e) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("user_id", e.userId);
        event.put("device_id", e.deviceId);
        event.put("event_type", e.eventType);
        event.put("time", e.time);
        if (e.hasSdkSessionId()) event.put("session_id", e.sdkSessionId);
        event.put("insert_id", e.insertId);
        event.put("platform", e.platform);
        event.put("os_name", e.osName);
        event.put("app_version", e.appVersion);
        return event;
    }

    public static byte[] bytes(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
