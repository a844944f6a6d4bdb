package com.sessionflow.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionJob;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.KafkaBroker;
import com.sessionflow.testing.TestDirs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replay equivalence: the same export lines (a few owners, out of order within the bound,
 * session_id -1 events, markers, duplicates, a bad line) (a) produced to a Kafka topic and replayed
 * by the Kafka job bounded with {@code --stop-at latest}, (b) written to .json.gz files and
 * replayed in BATCH mode to NDJSON and (c) to a Kafka topic, give the same final sessions (revision
 * and close_reason aside), and they are the ones {@link ReferenceSessionizer} computes from the
 * generated events. Also: a replay between two timestamps reads only that slice.
 */
@Timeout(240)
class ReplayEquivalenceITCase {

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    static final long GAP_MS = 60_000;
    static final long BASE = Instant.parse("2024-03-01T09:00:00Z").toEpochMilli();

    /**
     * One generated event: its export line and the Event the reference gets (built here, not
     * parsed).
     */
    record Generated(String line, Event event) {}

    /**
     * Owners as {user_id, device_id, platform}: a user on two devices, a user on one, a device
     * without user_id, a device whose user_id is invalid. Generators give user-1's second device
     * (index 1) a share of user-1's timeline instead of one of its own.
     */
    static final List<String[]> OWNERS =
            List.of(
                    new String[] {"user-1", "dev-1a", "iOS"},
                    new String[] {"user-1", "dev-1b", "iOS"},
                    new String[] {"user-2", "dev-2", "Android"},
                    new String[] {null, "dev-3", "Web"},
                    new String[] {"anonymous", "dev-4", "Web"});

    static List<Generated> generate(long seed, long start, int eventsPerOwner) {
        Random r = new Random(seed);
        String[][] owners = OWNERS.toArray(String[][]::new);
        List<Generated> out = new ArrayList<>();
        int insert = 0;
        for (int o = 0; o < owners.length; o++) {
            if (o == 1) continue; // user-1's second device shares user-1's timeline below
            long t = start + r.nextInt(120_000);
            for (int i = 0; i < eventsPerOwner; i++) {
                int roll = r.nextInt(100);
                long step =
                        roll < 70
                                ? 1_000 + r.nextInt(40_000)
                                : roll < 80
                                        ? GAP_MS - 1 // gap - 1 ms extends
                                        : roll < 88
                                                ? GAP_MS // exactly the gap starts a new session
                                                : GAP_MS + r.nextInt(600_000);
                t += step;
                if (r.nextInt(10) < 3)
                    t = (t / 1000 + 1) * 1000; // whole seconds: 0-digit fractions allowed
                String[] who = o == 0 && r.nextBoolean() ? owners[1] : owners[o];
                String type = List.of("view", "click", "purchase", "search").get(r.nextInt(4));
                long sessionId = t - r.nextInt(30_000);
                int kind = r.nextInt(20);
                if (kind == 0) type = "session_start";
                if (kind == 1) type = "[Amplitude] End Session";
                if (kind == 2 || kind == 3) {
                    type = "push_received";
                    sessionId = -1;
                }
                String id = "ins-" + seed + "-" + insert++;
                Generated g = make(who, type, t, sessionId, id, r);
                out.add(g);
                if (r.nextInt(12) == 0) out.add(g); // a retried upload: the same line again
            }
        }
        return out;
    }

    static Generated make(
            String[] who, String type, long time, long sessionId, String insertId, Random r) {
        int digits = time % 1000 == 0 ? r.nextInt(7) : 3 + r.nextInt(4);
        String when = AmplitudeJson.exportTime(time, r.nextBoolean() ? ' ' : 'T', digits);
        Event e =
                AmplitudeJson.event(
                        "anonymous".equals(who[0]) ? null : who[0],
                        who[1],
                        type,
                        time,
                        insertId,
                        who[2]);
        e.sdkSessionId = sessionId;
        ObjectNode line = AmplitudeJson.export(e, who[0], when);
        if (who[0] == null) line.putNull("user_id"); // as the Export API writes a missing user_id
        return new Generated(AmplitudeJson.text(line), e);
    }

    static final String BAD_LINE =
            "{\"device_id\": \"dev-9\", \"event_type\": \"view\", \"client_event_time\":"
                    + " \"yesterday\"}";

    /**
     * Kafka order: by time plus up to 20 s of jitter (the job's out-of-orderness bound is 30 s).
     */
    static List<Generated> arrivalOrder(List<Generated> events, long seed) {
        Random r = new Random(seed);
        IdentityHashMap<Generated, Long> arrival = new IdentityHashMap<>();
        for (Generated g : events) arrival.put(g, g.event.time + r.nextInt(20_000));
        List<Generated> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(arrival::get));
        return sorted;
    }

    /** Produces the (key, line) pairs in order, stamped {@code timestamp} (null: now). */
    static void produce(String topic, List<String[]> keyAndLine, Long timestamp) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String[] kv : keyAndLine) {
            records.add(
                    new ProducerRecord<>(
                            topic,
                            null,
                            timestamp,
                            KafkaBroker.utf8(kv[0]),
                            KafkaBroker.utf8(kv[1])));
        }
        KAFKA.produce(records);
    }

    static List<String[]> keyed(List<Generated> events) {
        List<String[]> out = new ArrayList<>();
        for (Generated g : events) out.add(new String[] {g.event.deviceId, g.line});
        return out;
    }

    static Map<String, ExpectedSession> reference(List<Generated> events) {
        List<Event> all = events.stream().map(Generated::event).toList();
        return ReferenceSessionizer.byKey(
                ReferenceSessionizer.sessionize(
                        all, GAP_MS, ReferenceSessionizer.DEFAULT_MARKERS, Set.of()));
    }

    static void assertMatchesReference(
            Map<String, String> records, Map<String, ExpectedSession> expected) {
        Map<String, ExpectedSession> actual = new TreeMap<>();
        records.forEach((k, v) -> actual.put(k, ExpectedSession.of(AmplitudeJson.parse(v))));
        assertThat(actual).isEqualTo(new TreeMap<>(expected));
        records.forEach(
                (k, v) ->
                        assertThat(expected.get(k).matches(AmplitudeJson.parse(v)))
                                .as(k + " " + v)
                                .isTrue());
    }

    @Test
    void kafkaReplayAndExportFileReplaysGiveTheReferenceSessions() throws Exception {
        List<Generated> events = generate(42, BASE, 30);
        List<String> lines = new ArrayList<>(events.stream().map(Generated::line).toList());
        Map<String, ExpectedSession> expected = reference(events);
        assertThat(expected.size()).as("the data has several sessions per owner").isGreaterThan(8);

        // (a) Kafka: the lines in arrival order, plus a bad one; a bounded replay with --stop-at
        // latest
        KAFKA.createTopic("events", 2);
        List<String[]> records = keyed(arrivalOrder(events, 7));
        records.add(records.size() / 2, new String[] {"dev-9", BAD_LINE});
        produce("events", records, null);
        JobOptions live =
                JobOptions.parse(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--input-topics",
                        "events",
                        "--sessions-topic",
                        "sessions-v2",
                        "--dlq-topic",
                        "events-dlq-v2",
                        "--late-topic",
                        "events-late-v2",
                        "--starting-offsets",
                        "earliest",
                        "--stop-at",
                        "latest",
                        "--gap",
                        "1m",
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "1s");
        SessionJob.run(FLINK.env(), live); // returns: the run is bounded
        // the job's end is not yet the end of its transactions' markers: read once they are in
        KAFKA.awaitSettled("sessions-v2");
        Map<String, String> fromKafka = KAFKA.compacted("sessions-v2");

        // (b) export files: the same lines spread over gzip files (and a plain .json), bad line
        // included
        Path dir = TestDirs.newDir("equivalence-");
        List<String> shuffled = new ArrayList<>(lines);
        java.util.Collections.shuffle(shuffled, new Random(3));
        shuffled.add(5, BAD_LINE);
        int third = shuffled.size() / 3;
        ReplaySupport.writeGzip(
                dir.resolve("in/123/123_2024-03-01_9#0.json.gz"), shuffled.subList(0, third));
        ReplaySupport.writeGzip(
                dir.resolve("in/123/123_2024-03-01_10#0.json.gz"),
                shuffled.subList(third, 2 * third));
        java.nio.file.Files.write(
                dir.resolve("in/123/123_2024-03-01_11#0.json"),
                shuffled.subList(2 * third, shuffled.size()));
        ExportReplay toFiles =
                ExportReplay.parse(
                        "--input",
                        dir.resolve("in").toString(),
                        "--output-dir",
                        dir.resolve("out").toString(),
                        "--gap",
                        "1m",
                        "--parallelism",
                        "2");
        ExportReplay.run(FLINK.env(), toFiles);
        Map<String, String> fromFiles =
                ReplaySupport.byKey(ReplaySupport.readNdjson(dir.resolve("out/sessions")));

        // (c) export files to a Kafka topic
        ExportReplay toKafka =
                ExportReplay.parse(
                        "--input",
                        dir.resolve("in").toString(),
                        "--output",
                        "kafka",
                        "--dead-letter-dir",
                        dir.resolve("dlq-c").toString(),
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--sessions-topic",
                        "sessions-from-files",
                        "--gap",
                        "1m",
                        "--parallelism",
                        "2");
        ExportReplay.run(FLINK.env(), toKafka);
        KAFKA.awaitSettled("sessions-from-files");
        Map<String, String> fromFilesToKafka = KAFKA.compacted("sessions-from-files");

        assertThat(ReplaySupport.comparable(fromFiles))
                .isEqualTo(ReplaySupport.comparable(fromKafka));
        assertThat(ReplaySupport.comparable(fromFilesToKafka))
                .isEqualTo(ReplaySupport.comparable(fromKafka));
        assertMatchesReference(fromKafka, expected);
        assertMatchesReference(fromFiles, expected);
        assertThat(fromFiles.values())
                .allSatisfy(
                        v ->
                                assertThat(AmplitudeJson.parse(v).get("close_reason").asText())
                                        .isEqualTo("end_of_input"));

        // the bad line: one dead letter each way, the same reason; the file one says where it is
        KAFKA.awaitSettled("events-dlq-v2");
        List<JsonNode> kafkaDead =
                KAFKA.readToEnd("events-dlq-v2").stream()
                        .map(rec -> AmplitudeJson.parse(KafkaBroker.text(rec.value())))
                        .toList();
        List<JsonNode> fileDead =
                ReplaySupport.readNdjson(dir.resolve("out/dead-letters")).stream()
                        .map(AmplitudeJson::parse)
                        .toList();
        assertThat(kafkaDead).extracting(n -> n.get("reason").asText()).containsExactly("bad_time");
        assertThat(fileDead).extracting(n -> n.get("reason").asText()).containsExactly("bad_time");
        assertThat(fileDead.get(0).get("file").asText()).isEqualTo("123_2024-03-01_9#0.json.gz");
        assertThat(fileDead.get(0).get("line").asLong()).isEqualTo(6);
        assertThat(ReplaySupport.readNdjson(dir.resolve("dlq-c"))).hasSize(1);
    }

    @Test
    void aReplayBetweenTwoTimestampsReadsOnlyThatSlice() throws Exception {
        long now = System.currentTimeMillis();
        long tA = now - 3 * 3_600_000L;
        long tB = now - 2 * 3_600_000L;
        long tC = now - 3_600_000L;
        List<Generated> a = generate(1, BASE, 10);
        List<Generated> b = generate(2, BASE + 86_400_000L, 12);
        List<Generated> c = generate(3, BASE + 2 * 86_400_000L, 10);
        KAFKA.createTopic("events-range", 2);
        produce("events-range", keyed(a), tA);
        produce("events-range", keyed(b), tB);
        produce("events-range", keyed(c), tC);
        JobOptions slice =
                JobOptions.parse(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--input-topics",
                        "events-range",
                        "--sessions-topic",
                        "sessions-slice",
                        "--dlq-topic",
                        "slice-dlq",
                        "--late-topic",
                        "slice-late",
                        "--starting-offsets",
                        String.valueOf(tB),
                        "--stop-at",
                        Instant.ofEpochMilli(tC).toString(),
                        "--gap",
                        "1m",
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "1s");
        SessionJob.run(FLINK.env(), slice);
        KAFKA.awaitSettled("sessions-slice");
        Map<String, String> sessions = KAFKA.compacted("sessions-slice");
        Map<String, ExpectedSession> expected = reference(b);
        assertThat(expected).isNotEmpty();
        assertMatchesReference(sessions, expected);
    }
}
