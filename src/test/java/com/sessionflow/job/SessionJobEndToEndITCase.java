package com.sessionflow.job;

import static com.sessionflow.testing.AmplitudeJson.parse;
import static com.sessionflow.testing.KafkaBroker.text;
import static com.sessionflow.testing.KafkaBroker.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job, end to end: a real Kafka broker, the job built by {@link SessionJob#build} on a
 * MiniCluster with parallelism 2, run bounded over realistic traffic in all three input formats
 * (several owners, SDK session ids, -1 events, markers, an empty session, the gap boundary,
 * duplicates across formats, out-of-order records) mixed with bad records of every kind.
 *
 * <p>Then: the compacted sessions topic, read with read_committed, equals what the independent
 * {@link ReferenceSessionizer} computes from the good events; every bad record is in the
 * dead-letter topic exactly once with its reason, original bytes and origin; nothing is lost or
 * duplicated.
 */
class SessionJobEndToEndITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    private static final long BASE = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long GAP = 5 * MINUTE;

    /** The job's --out-of-orderness; the traffic stays within it, so no session is revised. */
    private static final long OUT_OF_ORDERNESS = 3 * MINUTE;

    private static final int MAX_RECORD_BYTES = 2048;

    private static final String INPUT = "e2e-events";
    private static final String SESSIONS = "e2e-sessions";
    private static final String DLQ = "e2e-dlq";
    private static final String LATE = "e2e-late";

    /**
     * One input record: its bytes, the good events it carries and the dead letter it must yield.
     */
    private static final class Item {
        String key;
        byte[] value;
        Long timestamp;
        final List<Event> events = new ArrayList<>();
        String expectedReason;

        /** Where the record was sent to the input topic. */
        RecordMetadata sent;

        long order;

        long minTime() {
            return events.stream().mapToLong(e -> e.time).min().orElse(Long.MAX_VALUE);
        }

        long maxTime() {
            return events.stream().mapToLong(e -> e.time).max().orElse(Long.MIN_VALUE);
        }
    }

    private record Owner(String rawUserId, String userId, String deviceId, String platform) {}

    private static final List<Owner> OWNERS =
            List.of(
                    new Owner("user-ana", "user-ana", "dev-a1", "iOS"),
                    new Owner("user-ben", "user-ben", "dev-b1", "Android"),
                    new Owner("user-cho", "user-cho", "dev-c1", "Web"),
                    new Owner(
                            null, null, "dev-d1",
                            "Android"), // no user id: the device owns the session
                    new Owner(
                            "anonymous",
                            null,
                            "dev-e1",
                            "iOS"), // an id Amplitude rejects counts as absent
                    new Owner("user-fay", "user-fay", "dev-f1", "Web"),
                    new Owner("user-gus", "user-gus", "dev-g1", "Android"));

    private static final String[] TYPES = {
        "open_app", "view_item", "search", "add_to_cart", "purchase"
    };

    private static final List<Item> items = new ArrayList<>();
    private static final List<Event> goodEvents = new ArrayList<>();

    @BeforeAll
    static void runTheJob() throws Exception {
        generate(new Random(20240301));
        KAFKA.createTopic(INPUT, 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Item it : items) {
            records.add(new ProducerRecord<>(INPUT, null, it.timestamp, utf8(it.key), it.value));
        }
        List<RecordMetadata> sent = KAFKA.produce(records);
        for (int i = 0; i < items.size(); i++) items.get(i).sent = sent.get(i);

        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers", KAFKA.bootstrapServers(),
                        "--input-topics", INPUT,
                        "--sessions-topic", SESSIONS,
                        "--dlq-topic", DLQ,
                        "--late-topic", LATE,
                        "--metrics-topic", "e2e-metrics",
                        "--group-id", "e2e",
                        "--transactional-id-prefix", "e2e",
                        "--starting-offsets", "earliest",
                        "--parallelism", String.valueOf(FlinkCluster.PARALLELISM),
                        "--checkpoint-interval", "500ms",
                        "--gap", "5m",
                        "--out-of-orderness", "3m",
                        "--idle-timeout", "2m",
                        "--max-record-bytes", String.valueOf(MAX_RECORD_BYTES));
        JobRunner.runBounded(FLINK, KAFKA, options, Duration.ofMinutes(2));
    }

    @Test
    void compactedSessionsEqualTheReference() {
        Map<String, ExpectedSession> expected =
                ReferenceSessionizer.byKey(ReferenceSessionizer.sessionize(goodEvents, GAP));
        Map<String, String> compacted = KAFKA.compacted(SESSIONS);

        Map<String, ExpectedSession> actual = new TreeMap<>();
        Map<String, JsonNode> json = new HashMap<>();
        for (Map.Entry<String, String> e : compacted.entrySet()) {
            JsonNode n = parse(e.getValue());
            json.put(e.getKey(), n);
            actual.put(e.getKey(), ExpectedSession.of(n));
        }
        assertThat(differences(expected, actual)).as("sessions topic vs reference").isEmpty();
        for (Map.Entry<String, ExpectedSession> e : expected.entrySet()) {
            JsonNode n = json.get(e.getKey());
            assertThat(e.getValue().matches(n)).as("record %s: %s", e.getKey(), n).isTrue();
            assertThat(n.get("owner").asText() + "/" + n.get("session_id").asLong())
                    .isEqualTo(e.getKey());
            assertThat(n.get("definition").asText()).isEqualTo("gap");
            assertThat(n.get("over_limit").asBoolean()).isFalse();
            assertThat(n.get("close_reason").asText()).isIn("gap", "end_of_input");
        }
        // the traffic covers what it claims to (so the comparison above means something)
        assertThat(expected.values()).anyMatch(ExpectedSession::empty);
        assertThat(expected.values()).anyMatch(s -> s.zeroLength() && !s.empty());
        assertThat(expected.values()).anyMatch(s -> s.lengthMs() > 2 * GAP);
        assertThat(expected.values()).anyMatch(s -> s.userId() == null);
        assertThat(expected.values())
                .anyMatch(s -> s.activeEventCount() < s.eventCount() && !s.empty());
        assertThat(expected.values().stream().map(ExpectedSession::owner).distinct())
                .hasSize(OWNERS.size());
    }

    @Test
    void everyBadRecordIsInTheDeadLetterTopicOnceWithReasonBytesAndOrigin() {
        Map<String, Item> bad = new LinkedHashMap<>();
        for (Item it : items) {
            if (it.expectedReason != null)
                bad.put(it.sent.partition() + "@" + it.sent.offset(), it);
        }
        List<ConsumerRecord<byte[], byte[]>> dlq = KAFKA.readToEnd(DLQ);
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            JsonNode n = parse(text(r.value()));
            assertThat(n.get("topic").asText()).isEqualTo(INPUT);
            String where = n.get("partition").asInt() + "@" + n.get("offset").asLong();
            seen.merge(where, 1, Integer::sum);
            Item it = bad.get(where);
            assertThat(it).as("dead letter %s names no bad record: %s", where, n).isNotNull();
            assertThat(n.get("reason").asText()).as("reason of %s", n).isEqualTo(it.expectedReason);
            assertThat(n.path("detail").asText()).isNotBlank();
            assertThat(r.key()).as("key of %s", n).isEqualTo(utf8(it.key));
            assertThat(originalBytes(n)).as("original bytes of %s", n).isEqualTo(it.value);
            if (it.timestamp != null)
                assertThat(n.get("timestamp").asLong()).isEqualTo(it.timestamp);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        assertThat(seen.values()).allMatch(count -> count == 1);
        assertThat(dlq).hasSize(bad.size());
        Set<String> reasons = new HashSet<>();
        bad.values().forEach(it -> reasons.add(it.expectedReason));
        assertThat(reasons)
                .contains(
                        "not_json",
                        "not_an_event",
                        "no_events",
                        "no_owner",
                        "no_time",
                        "bad_time",
                        "bad_field",
                        "too_large",
                        "clock_ahead");
    }

    @Test
    void nothingIsLostOrDuplicated() {
        List<ConsumerRecord<byte[], byte[]>> log = KAFKA.readToEnd(SESSIONS);
        List<ExpectedSession> expected = ReferenceSessionizer.sessionize(goodEvents, GAP);
        // within the out-of-orderness bound no session is ever revised: one record per session
        assertThat(log).noneMatch(r -> r.value() == null);
        assertThat(log.stream().map(r -> text(r.key())).distinct().count()).isEqualTo(log.size());
        assertThat(log).hasSize(expected.size());
        assertThat(log).allMatch(r -> parse(text(r.value())).get("revision").asInt() == 1);

        // every distinct in-session event is counted in exactly one session
        Set<String> distinct = new HashSet<>();
        long inSession = 0;
        for (Event e : goodEvents) {
            if (distinct.add(e.deviceId + "|" + e.insertId)
                    && e.sdkSessionId != Event.OUT_OF_SESSION_ID) inSession++;
        }
        long counted =
                log.stream()
                        .mapToLong(r -> parse(text(r.value())).get("event_count").asLong())
                        .sum();
        assertThat(counted).isEqualTo(inSession);
        assertThat(goodEvents.size()).isGreaterThan(distinct.size()); // duplicates were sent
        assertThat(KAFKA.readToEnd(LATE)).isEmpty();
    }

    // ---------------------------------------------------------------- traffic

    private static void generate(Random rnd) {
        int insertSeq = 0;
        for (Owner owner : OWNERS) {
            long t = BASE + rnd.nextInt(10) * MINUTE;
            List<List<Event>> sessions = new ArrayList<>();
            int sessionCount = 3 + rnd.nextInt(3);
            for (int s = 0; s < sessionCount; s++) {
                List<Event> session = new ArrayList<>();
                long sdkSession = t;
                int n = 1 + rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    Event e =
                            model(owner, TYPES[rnd.nextInt(TYPES.length)], t, "ins-" + ++insertSeq);
                    if (!owner.platform.equals("Web")) e.sdkSessionId = sdkSession;
                    session.add(e);
                    if (i < n - 1) t += SECOND + rnd.nextInt((int) (4 * MINUTE));
                }
                sessions.add(session);
                t += GAP + rnd.nextInt((int) (20 * MINUTE));
            }
            addSpecialCases(owner, sessions, t);
            insertSeq += 100;
            for (List<Event> session : sessions) {
                renderSession(owner, session, rnd);
            }
        }
        addDuplicates(rnd);
        addBadRecords(rnd);
        order(rnd);
    }

    /** Boundaries, markers, an empty session, out-of-session events that would bridge a gap. */
    private static void addSpecialCases(Owner owner, List<List<Event>> sessions, long t) {
        String o = owner.deviceId;
        switch (owner.deviceId) {
            case "dev-a1" -> {
                // gap - 1 ms extends the session; exactly the gap starts a new one (session-rules
                // §2, §6)
                sessions.add(
                        new ArrayList<>(
                                List.of(
                                        model(owner, "open_app", t, o + "-b1"),
                                        model(owner, "view_item", t + GAP - 1, o + "-b2"))));
                sessions.add(
                        new ArrayList<>(
                                List.of(model(owner, "search", t + 2 * GAP - 1, o + "-b3"))));
                // SDK markers around a session
                long m = t + 4 * GAP;
                sessions.add(
                        new ArrayList<>(
                                List.of(
                                        model(owner, "[Amplitude] Start Session", m, o + "-m1"),
                                        model(owner, "purchase", m + 20 * SECOND, o + "-m2"),
                                        model(
                                                owner,
                                                "[Amplitude] End Session",
                                                m + 40 * SECOND,
                                                o + "-m3"))));
            }
            case "dev-c1" -> {
                // a session of markers only is empty
                sessions.add(
                        new ArrayList<>(
                                List.of(
                                        model(owner, "session_start", t, o + "-e1"),
                                        model(owner, "session_end", t + 2 * SECOND, o + "-e2"))));
                // two events at one instant: zero length
                long z = t + 3 * GAP;
                sessions.add(
                        new ArrayList<>(
                                List.of(
                                        model(owner, "open_app", z, o + "-z1"),
                                        model(owner, "view_item", z, o + "-z2"))));
            }
            default -> {}
        }
        // an out-of-session event (session_id -1) in the middle of every gap shorter than two gaps:
        // counted as in-session, it would bridge the two sessions
        List<List<Event>> oos = new ArrayList<>();
        for (int i = 0; i + 1 < sessions.size(); i++) {
            long end = sessions.get(i).get(sessions.get(i).size() - 1).time;
            long next = sessions.get(i + 1).get(0).time;
            if (next - end < 2 * GAP && next - end >= GAP) {
                Event e = model(owner, "push_received", (end + next) / 2, o + "-oos" + i);
                e.sdkSessionId = Event.OUT_OF_SESSION_ID;
                oos.add(List.of(e));
            }
        }
        // a session lasting well over two gaps, every step shorter than the gap
        long l = t + 10 * GAP;
        List<Event> longSession = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            longSession.add(model(owner, TYPES[i], l + i * (GAP - 10 * SECOND), o + "-long" + i));
        sessions.add(longSession);
        sessions.addAll(oos);
    }

    private static Event model(Owner owner, String type, long time, String insertId) {
        return AmplitudeJson.event(
                owner.userId, owner.deviceId, type, time, insertId, owner.platform);
    }

    /** Writes one session's events as single v2 events, export lines and v2 request bodies. */
    private static void renderSession(Owner owner, List<Event> session, Random rnd) {
        for (int i = 0; i < session.size(); ) {
            int format = rnd.nextInt(3);
            if (format == 2
                    && i + 1 < session.size()
                    && session.get(i + 1).time - session.get(i).time < MINUTE) {
                int n =
                        (i + 2 < session.size()
                                        && session.get(i + 2).time - session.get(i).time < MINUTE)
                                ? 3
                                : 2;
                List<Event> batch = session.subList(i, i + n);
                Item it = new Item();
                it.key = owner.deviceId;
                List<ObjectNode> nodes = new ArrayList<>();
                for (Event e : batch) nodes.add(AmplitudeJson.v2(e, owner.rawUserId));
                it.value = utf8(AmplitudeJson.text(AmplitudeJson.body(nodes)));
                it.events.addAll(batch);
                items.add(it);
                i += n;
            } else {
                Event e = session.get(i);
                Item it = new Item();
                it.key = owner.deviceId;
                ObjectNode node =
                        format == 1
                                ? AmplitudeJson.export(e, owner.rawUserId, rnd.nextInt(2))
                                : AmplitudeJson.v2(e, owner.rawUserId);
                it.value = utf8(AmplitudeJson.text(node));
                it.events.add(e);
                items.add(it);
                i++;
            }
        }
    }

    /** Producers retry: some events are sent again, as the same v2 event or as an export line. */
    private static void addDuplicates(Random rnd) {
        List<Item> singles =
                items.stream()
                        .filter(
                                it ->
                                        it.events.size() == 1
                                                && it.events.get(0).sdkSessionId
                                                        != Event.OUT_OF_SESSION_ID)
                        .toList();
        for (int i = 0; i < 8; i++) {
            Item original = singles.get(rnd.nextInt(singles.size()));
            Event e = original.events.get(0);
            Owner owner =
                    OWNERS.stream()
                            .filter(o -> o.deviceId.equals(e.deviceId))
                            .findFirst()
                            .orElseThrow();
            Item dup = new Item();
            dup.key = original.key;
            dup.value =
                    utf8(
                            AmplitudeJson.text(
                                    i % 2 == 0
                                            ? AmplitudeJson.v2(e, owner.rawUserId)
                                            : AmplitudeJson.export(e, owner.rawUserId, i)));
            dup.events.add(e);
            items.add(dup);
        }
        // a batch that also carries a bad event: the good ones count, the bad one is a dead letter
        Owner fay = OWNERS.get(5);
        long t = BASE + 90 * MINUTE;
        Event a = model(fay, "view_item", t, "fay-batch-1");
        Event b = model(fay, "search", t + 10 * SECOND, "fay-batch-2");
        ObjectNode noTime =
                AmplitudeJson.mapper()
                        .createObjectNode()
                        .put("user_id", "user-fay")
                        .put("event_type", "search");
        Item batch = new Item();
        batch.key = fay.deviceId;
        batch.value =
                utf8(
                        AmplitudeJson.text(
                                AmplitudeJson.body(
                                        List.of(
                                                AmplitudeJson.v2(a, fay.rawUserId),
                                                noTime,
                                                AmplitudeJson.v2(b, fay.rawUserId)))));
        batch.events.add(a);
        batch.events.add(b);
        batch.expectedReason = "no_time";
        items.add(batch);
    }

    private static void addBadRecords(Random rnd) {
        long t = BASE + 30 * MINUTE;
        bad("bad-1", "{\"user_id\":\"user-ana\",\"event_type\":\"open_app\",\"time\":", "not_json");
        Item binary = bad("bad-2", null, "not_json");
        binary.value = new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0x00, 0x7B};
        Item empty = bad("bad-3", null, "not_json");
        empty.value = null;
        bad("bad-4", "\"hello\"", "not_an_event");
        bad("bad-5", "{\"api_key\":\"k\",\"events\":[]}", "no_events");
        bad("bad-6", "{\"event_type\":\"open_app\",\"time\":" + t + "}", "no_owner");
        bad(
                "bad-7",
                "{\"user_id\":\"null\",\"device_id\":\"undefined\",\"event_type\":\"open_app\",\"time\":"
                        + t
                        + "}",
                "no_owner");
        bad(
                "bad-8",
                "{\"user_id\":\"user-ana\",\"event_type\":\"open_app\",\"time\":\"yesterday\"}",
                "bad_time");
        bad(
                "bad-9",
                "{\"user_id\":\"user-ben\",\"event_type\":\"open_app\",\"client_event_time\":\"11/12/2019"
                    + " 14:43\"}",
                "bad_time");
        bad(
                "bad-10",
                "{\"user_id\":\"user-ben\",\"event_type\":\"open_app\",\"time\":-5}",
                "bad_time");
        bad("bad-11", "{\"user_id\":\"user-ben\",\"event_type\":\"open_app\"}", "no_time");
        bad(
                "bad-12",
                "{\"user_id\":42,\"event_type\":\"open_app\",\"time\":" + t + "}",
                "bad_field");
        bad(
                "bad-13",
                "{\"user_id\":\"user-cho\",\"event_type\":\"open_app\",\"time\":"
                        + t
                        + ",\"session_id\":\"abc\"}",
                "bad_field");
        char[] blob = new char[MAX_RECORD_BYTES];
        Arrays.fill(blob, 'x');
        bad(
                "bad-14",
                "{\"user_id\":\"user-cho\",\"event_type\":\"open_app\",\"time\":"
                        + t
                        + ",\"event_properties\":{\"blob\":\""
                        + new String(blob)
                        + "\"}}",
                "too_large");
        // a broken device clock: an hour ahead of the record's Kafka timestamp (the limit is 10
        // minutes);
        // were it accepted, its time would push the watermark an hour ahead and make later events
        // late
        Item ahead =
                bad(
                        "bad-15",
                        "{\"user_id\":\"user-ana\",\"device_id\":\"dev-a1\",\"event_type\":\"open_app\",\"time\":"
                                + (t + 60 * MINUTE)
                                + ",\"insert_id\":\"ahead-1\"}",
                        "clock_ahead");
        ahead.timestamp = t;
        Item aheadExport =
                bad(
                        "bad-16",
                        "{\"user_id\":\"user-gus\",\"device_id\":\"dev-g1\",\"event_type\":\"search\",\"client_event_time\":\"2024-03-01"
                            + " 12:00:00.000000\",\"$insert_id\":\"ahead-2\"}",
                        "clock_ahead");
        aheadExport.timestamp = Instant.parse("2024-03-01T11:00:00Z").toEpochMilli();
        // spread them through the stream
        for (Item it : items) {
            if (it.expectedReason != null && it.events.isEmpty())
                it.order = BASE + rnd.nextInt((int) (150 * MINUTE));
        }
    }

    private static Item bad(String key, String value, String reason) {
        Item it = new Item();
        it.key = key;
        it.value = value == null ? null : utf8(value);
        it.expectedReason = reason;
        items.add(it);
        return it;
    }

    /**
     * Sends records roughly in event-time order, shuffled within +-30 s, and checks that no event
     * is further behind the latest event time before it than the job's out-of-orderness.
     */
    private static void order(Random rnd) {
        for (Item it : items) {
            if (!it.events.isEmpty()) it.order = it.minTime() + rnd.nextInt(60_001) - 30_000;
        }
        items.sort(Comparator.comparingLong(it -> it.order));
        long max = Long.MIN_VALUE;
        for (Item it : items) {
            if (it.events.isEmpty()) continue;
            if (max != Long.MIN_VALUE && it.minTime() < max - OUT_OF_ORDERNESS + SECOND) {
                throw new IllegalStateException(
                        "test traffic is more out of order than the job allows: " + it.events);
            }
            max = Math.max(max, it.maxTime());
            goodEvents.addAll(it.events);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * What differs between the expected and actual sessions by key, one line each (short failure
     * messages).
     */
    static List<String> differences(
            Map<String, ExpectedSession> expected, Map<String, ExpectedSession> actual) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ExpectedSession> e : new TreeMap<>(expected).entrySet()) {
            ExpectedSession a = actual.get(e.getKey());
            if (a == null) out.add("missing   " + e.getValue());
            else if (!a.equals(e.getValue()))
                out.add("expected  " + e.getValue() + "\n  but got " + a);
        }
        for (Map.Entry<String, ExpectedSession> a : new TreeMap<>(actual).entrySet()) {
            if (!expected.containsKey(a.getKey())) out.add("unexpected " + a.getValue());
        }
        return out;
    }

    private static byte[] originalBytes(JsonNode n) {
        if (n.hasNonNull("original")) return utf8(n.get("original").asText());
        if (n.hasNonNull("original_base64"))
            return Base64.getDecoder().decode(n.get("original_base64").asText());
        return null;
    }
}
