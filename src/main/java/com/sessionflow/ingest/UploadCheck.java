package com.sessionflow.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.InvalidIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Amplitude's rules for an upload request ({@code POST /2/httpapi} and {@code /batch}), as its SDKs
 * read the answers: a request is written whole or not at all. A bad event makes the whole request a
 * 400 that lists it by index, so the SDK drops exactly those events and resends the rest; a bad key
 * or a missing {@code events} makes it drop them all. Plain Java, so the rules are unit-tested
 * without a server.
 */
public final class UploadCheck {

    /** The error text Amplitude's SDKs recognise (the Java SDK matches "Invalid API key: .*"). */
    static final String INVALID_API_KEY = "Invalid API key: ";

    static final String INVALID_EVENTS = "Invalid field values on some events";
    static final String MISSING_FIELD = "Request missing required field";

    /** Text members of an event; any other JSON type there is an invalid field. */
    private static final Set<String> TEXT_FIELDS =
            Set.of(
                    "event_type",
                    "user_id",
                    "device_id",
                    "insert_id",
                    "platform",
                    "os_name",
                    "os_version",
                    "device_brand",
                    "device_manufacturer",
                    "device_model",
                    "carrier",
                    "country",
                    "region",
                    "city",
                    "dma",
                    "language",
                    "app_version",
                    "version_name",
                    "ip",
                    "idfa",
                    "idfv",
                    "adid",
                    "android_id",
                    "library",
                    "partner_id",
                    "productId",
                    "revenueType");

    private static final Set<String> NUMBER_FIELDS =
            Set.of(
                    "time",
                    "session_id",
                    "event_id",
                    "price",
                    "quantity",
                    "revenue",
                    "location_lat",
                    "location_lng");

    private static final Set<String> OBJECT_FIELDS =
            Set.of(
                    "event_properties",
                    "user_properties",
                    "groups",
                    "group_properties",
                    "plan",
                    "ingestion_metadata");

    /** What the server does with a request. */
    public sealed interface Outcome permits Accepted, Rejected {}

    /** Every event is valid: these records go to Kafka, one per event, in request order. */
    public record Accepted(List<EventRecord> records, int payloadBytes) implements Outcome {}

    /**
     * Amplitude's answer (status and JSON body, its {@code code} equal to the status); {@code
     * events} is how many events the request held, as far as it could be read.
     */
    public record Rejected(int status, ObjectNode body, int events) implements Outcome {}

    /** One topic record: the key keeps a device's (else a user's) events in one partition. */
    public static final class EventRecord {
        final byte[] key;
        final byte[] value;

        EventRecord(byte[] key, byte[] value) {
            this.key = key;
            this.value = value;
        }
    }

    private final ObjectMapper mapper;
    private final Set<String> apiKeys;
    private final int maxEvents;
    private final int defaultMinIdLength;

    /**
     * @param apiKeys the keys a request may carry; empty = any non-empty key
     * @param defaultMinIdLength when the request's {@code options.min_id_length} is absent
     */
    public UploadCheck(
            ObjectMapper mapper, Set<String> apiKeys, int maxEvents, int defaultMinIdLength) {
        this.mapper = mapper;
        this.apiKeys = Set.copyOf(apiKeys);
        this.maxEvents = maxEvents;
        this.defaultMinIdLength = defaultMinIdLength;
    }

    /**
     * Checks a (decompressed) request body.
     *
     * @param remoteIp what {@code "ip": "$remote"} becomes
     * @param serverUploadTime added to every event as {@code server_upload_time} (epoch ms)
     */
    public Outcome check(byte[] body, String remoteIp, long serverUploadTime) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return rejected(400, "Invalid JSON request body: " + e.getOriginalMessage(), 0);
        } catch (IOException e) {
            return rejected(400, "Invalid JSON request body: " + e.getMessage(), 0);
        }
        if (root == null || !root.isObject()) {
            return rejected(400, "Invalid JSON request body: not a JSON object", 0);
        }
        JsonNode events = root.get("events");
        int count = events != null && events.isArray() ? events.size() : 0;

        JsonNode key = root.get("api_key");
        if (key == null || key.isNull() || (key.isTextual() && key.asText().isEmpty())) {
            return missingField("api_key", count);
        }
        if (!key.isTextual() || (!apiKeys.isEmpty() && !apiKeys.contains(key.asText()))) {
            return rejected(400, INVALID_API_KEY + (key.isTextual() ? key.asText() : key), count);
        }
        if (events == null || !events.isArray() || events.isEmpty()) {
            return missingField("events", count);
        }
        if (count > maxEvents) return tooLarge(count);

        int minIdLength = defaultMinIdLength;
        JsonNode option = root.path("options").path("min_id_length");
        if (!option.isMissingNode() && !option.isNull()) {
            if (!option.canConvertToInt() || !option.isIntegralNumber() || option.asInt() < 1) {
                ObjectNode answer =
                        body(400, "Invalid options.min_id_length: a positive whole number");
                answer.put("missing_field", "options.min_id_length");
                return new Rejected(400, answer, count);
            }
            minIdLength = option.asInt();
        }

        Map<String, List<Integer>> invalidFields = new TreeMap<>();
        Map<String, List<Integer>> missingFields = new TreeMap<>();
        Map<String, List<Integer>> shortIds = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            JsonNode event = events.get(i);
            if (!event.isObject()) {
                add(invalidFields, "event", i);
                continue;
            }
            checkTypes((ObjectNode) event, i, invalidFields);
            JsonNode type = event.get("event_type");
            if (type == null || type.isNull() || (type.isTextual() && type.asText().isEmpty())) {
                add(missingFields, "event_type", i);
            }
            String userId = cleanId(event.get("user_id"));
            String deviceId = cleanId(event.get("device_id"));
            if (userId == null && deviceId == null) {
                add(missingFields, "user_id_or_device_id", i);
            }
            if (userId != null && userId.length() < minIdLength) add(shortIds, "user_id", i);
            if (deviceId != null && deviceId.length() < minIdLength) {
                add(shortIds, "device_id", i);
            }
        }
        if (!invalidFields.isEmpty() || !missingFields.isEmpty() || !shortIds.isEmpty()) {
            ObjectNode answer = body(400, INVALID_EVENTS);
            answer.set("events_with_invalid_fields", indices(invalidFields));
            answer.set("events_with_missing_fields", indices(missingFields));
            answer.set("events_with_invalid_id_lengths", indices(shortIds));
            return new Rejected(400, answer, count);
        }

        List<EventRecord> records = new ArrayList<>(count);
        for (JsonNode e : events) {
            ObjectNode event = (ObjectNode) e;
            JsonNode ip = event.get("ip");
            if (ip != null && "$remote".equals(ip.asText())) event.put("ip", remoteIp);
            // Amplitude's rule: an event without a time happened when it was uploaded (the job
            // would otherwise dead-letter it for having no time)
            JsonNode time = event.get("time");
            if (time == null || time.isNull()) event.put("time", serverUploadTime);
            event.put("server_upload_time", serverUploadTime);
            String deviceId = cleanId(event.get("device_id"));
            String owner = deviceId != null ? deviceId : cleanId(event.get("user_id"));
            try {
                records.add(
                        new EventRecord(
                                owner.getBytes(StandardCharsets.UTF_8),
                                mapper.writeValueAsBytes(event)));
            } catch (JsonProcessingException impossible) {
                // a tree Jackson just read always writes back
                throw new IllegalStateException(impossible);
            }
        }
        return new Accepted(records, body.length);
    }

    private static void checkTypes(ObjectNode event, int i, Map<String, List<Integer>> invalid) {
        event.properties()
                .forEach(
                        member -> {
                            String name = member.getKey();
                            JsonNode v = member.getValue();
                            if (v.isNull()) return;
                            boolean ok =
                                    TEXT_FIELDS.contains(name)
                                            ? v.isTextual()
                                            : NUMBER_FIELDS.contains(name)
                                                    ? v.isNumber()
                                                    : !OBJECT_FIELDS.contains(name) || v.isObject();
                            if (name.equals("time") && ok) ok = v.canConvertToLong();
                            if (!ok) add(invalid, name, i);
                        });
    }

    /** An id as the job reads it: text, and not one of Amplitude's invalid values. */
    private static String cleanId(JsonNode id) {
        return id != null && id.isTextual() ? InvalidIds.clean(id.asText()) : null;
    }

    private static void add(Map<String, List<Integer>> byField, String field, int index) {
        byField.computeIfAbsent(field, f -> new ArrayList<>()).add(index);
    }

    private ObjectNode indices(Map<String, List<Integer>> byField) {
        ObjectNode n = mapper.createObjectNode();
        byField.forEach(
                (field, list) -> {
                    ArrayNode a = n.putArray(field);
                    list.forEach(a::add);
                });
        return n;
    }

    private Rejected missingField(String field, int events) {
        ObjectNode answer = body(400, MISSING_FIELD);
        answer.put("missing_field", field);
        return new Rejected(400, answer, events);
    }

    private Rejected rejected(int status, String error, int events) {
        return new Rejected(status, body(status, error), events);
    }

    /** Amplitude's 413: the SDKs halve their batch and resend. */
    public Rejected tooLarge(int events) {
        return rejected(413, "Payload too large", events);
    }

    /** An answer's body: {@code code} equal to the HTTP status, as the SDKs read it. */
    public ObjectNode body(int status, String error) {
        ObjectNode n = mapper.createObjectNode();
        n.put("code", status);
        n.put("error", error);
        return n;
    }
}
