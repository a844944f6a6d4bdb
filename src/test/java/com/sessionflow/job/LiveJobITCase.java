package com.sessionflow.job;

import static com.sessionflow.testing.AmplitudeJson.parse;
import static com.sessionflow.testing.KafkaBroker.text;
import static com.sessionflow.testing.KafkaBroker.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job running unbounded (as in production) against a real broker: sessions still close
 * when the input goes quiet, and a late event that bridges two emitted sessions turns them into
 * one, re-emitted with revision 2, with a tombstone on the other key.
 */
class LiveJobITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    private static final long MINUTE = 60_000;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    /**
     * A few events stamped now, then silence: no later event will ever push the watermark past
     * their sessions' end, yet the sessions must be written (session-rules §5: sessions close on
     * time when the input goes quiet).
     */
    @Test
    void sessionsCloseWhenTheInputGoesQuiet() throws Exception {
        KAFKA.createTopic("quiet-events", 2);
        JobClient job =
                JobRunner.start(
                        FLINK,
                        JobRunner.prefixedOptions(
                                KAFKA.bootstrapServers(),
                                "quiet",
                                "--gap",
                                "1s",
                                "--idle-timeout",
                                "500ms",
                                "--out-of-orderness",
                                "200ms"));
        try {
            long now = System.currentTimeMillis();
            List<Event> events =
                    List.of(
                            AmplitudeJson.event("quiet-1", "qd-1", "open_app", now, "q1", "iOS"),
                            AmplitudeJson.event(
                                    "quiet-2", "qd-2", "open_app", now + 100, "q2", "Web"),
                            AmplitudeJson.event(
                                    "quiet-1", "qd-1", "view_item", now + 300, "q3", "iOS"));
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (Event e : events) {
                records.add(
                        KafkaBroker.record(
                                "quiet-events",
                                e.deviceId,
                                AmplitudeJson.text(AmplitudeJson.v2(e, e.userId))));
            }
            KAFKA.produce(records);

            Map<String, ExpectedSession> expected =
                    ReferenceSessionizer.byKey(ReferenceSessionizer.sessionize(events, 1000));
            assertThat(expected).hasSize(2);
            List<ConsumerRecord<byte[], byte[]>> log =
                    KAFKA.awaitRecords(
                            "quiet-sessions",
                            r -> KafkaBroker.fold(r).keySet().containsAll(expected.keySet()),
                            DEADLINE);

            Map<String, String> sessions = KafkaBroker.fold(log);
            assertThat(sessions.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, ExpectedSession> e : expected.entrySet()) {
                JsonNode n = parse(sessions.get(e.getKey()));
                assertThat(e.getValue().matches(n)).as("%s", n).isTrue();
                // closed by the passing (quiet) time, not by the end of the input: the job runs on
                assertThat(n.get("close_reason").asText()).isEqualTo("gap");
            }
            assertThat(JobRunner.isRunning(job))
                    .as("the job is still running: it closed them on its own")
                    .isTrue();
        } finally {
            JobRunner.cancel(job);
        }
    }

    /**
     * Two sessions of one owner are written; then an event arrives late (within the allowed
     * lateness) that lies less than a gap from both: they are one session now. The sessions topic
     * must say so: the earlier key re-emitted with revision 2, the later key tombstoned. An event
     * beyond the allowed lateness goes to the late topic instead.
     */
    @Test
    void aLateEventBridgingTwoSessionsMergesThemAndRetractsOne() throws Exception {
        KAFKA.createTopic("late-events", 2);
        JobClient job =
                JobRunner.start(
                        FLINK,
                        JobRunner.prefixedOptions(
                                KAFKA.bootstrapServers(),
                                "late",
                                "--gap",
                                "5m",
                                "--allowed-lateness",
                                "1h",
                                "--out-of-orderness",
                                "1s",
                                // no partition goes quiet during the test: only events move
                                // event time
                                "--idle-timeout",
                                "10m"));
        try {
            long t = Instant.parse("2024-05-01T08:00:00Z").toEpochMilli();
            List<Event> ana =
                    new ArrayList<>(
                            List.of(
                                    AmplitudeJson.event(
                                            "late-ana", "la-1", "open_app", t, "a1", "iOS"),
                                    AmplitudeJson.event(
                                            "late-ana",
                                            "la-1",
                                            "view_item",
                                            t + MINUTE,
                                            "a2",
                                            "iOS"),
                                    AmplitudeJson.event(
                                            "late-ana",
                                            "la-1",
                                            "search",
                                            t + 10 * MINUTE,
                                            "a3",
                                            "iOS"),
                                    AmplitudeJson.event(
                                            "late-ana",
                                            "la-1",
                                            "purchase",
                                            t + 11 * MINUTE,
                                            "a4",
                                            "iOS")));
            Event ben = AmplitudeJson.event("late-ben", "lb-1", "open_app", t, "b1", "Android");
            List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
            for (Event e : ana) first.add(to(0, e));
            first.add(to(1, ben));
            // later traffic on both partitions moves the watermark past both sessions' close
            first.add(
                    to(
                            0,
                            AmplitudeJson.event(
                                    "late-zed", "lz-0", "open_app", t + 30 * MINUTE, "z1", "Web")));
            first.add(
                    to(
                            1,
                            AmplitudeJson.event(
                                    "late-zoe", "lz-1", "open_app", t + 30 * MINUTE, "z2", "Web")));
            KAFKA.produce(first);

            String early = "late-ana/" + t;
            String later = "late-ana/" + (t + 10 * MINUTE);
            String benKey = "late-ben/" + t;
            KAFKA.awaitRecords(
                    "late-sessions",
                    r -> KafkaBroker.fold(r).keySet().containsAll(List.of(early, later, benKey)),
                    DEADLINE);

            Event bridge =
                    AmplitudeJson.event(
                            "late-ana",
                            "la-1",
                            "add_to_cart",
                            t + 5 * MINUTE + 30_000,
                            "a5",
                            "iOS");
            Event tooLate =
                    AmplitudeJson.event(
                            "late-ana", "la-1", "open_app", t - 3 * 60 * MINUTE, "a6", "iOS");
            KAFKA.produce(
                    List.of(
                            to(0, bridge),
                            to(0, tooLate),
                            to(
                                    0,
                                    AmplitudeJson.event(
                                            "late-zed",
                                            "lz-0",
                                            "search",
                                            t + 31 * MINUTE,
                                            "z3",
                                            "Web")),
                            to(
                                    1,
                                    AmplitudeJson.event(
                                            "late-zoe",
                                            "lz-1",
                                            "search",
                                            t + 31 * MINUTE,
                                            "z4",
                                            "Web"))));

            List<ConsumerRecord<byte[], byte[]>> log =
                    KAFKA.awaitRecords(
                            "late-sessions",
                            r ->
                                    !KafkaBroker.fold(r).containsKey(later)
                                            && KafkaBroker.fold(r).containsKey(early)
                                            && parse(KafkaBroker.fold(r).get(early))
                                                            .get("revision")
                                                            .asInt()
                                                    == 2,
                            DEADLINE);

            ana.add(bridge);
            List<ExpectedSession> expected = ReferenceSessionizer.sessionize(ana, 5 * MINUTE);
            assertThat(expected).hasSize(1);
            Map<String, String> sessions = KafkaBroker.fold(log);
            JsonNode merged = parse(sessions.get(early));
            assertThat(expected.get(0).matches(merged)).as("%s", merged).isTrue();
            assertThat(merged.get("event_count").asLong()).isEqualTo(5);
            assertThat(merged.get("revision").asInt()).isEqualTo(2);
            assertThat(parse(sessions.get(benKey)).get("revision").asInt()).isEqualTo(1);

            // the changelog: each of the two sessions once, then the merged one and a tombstone
            Map<String, List<String>> byKey = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : log) {
                byKey.computeIfAbsent(text(r.key()), k -> new ArrayList<>())
                        .add(
                                r.value() == null
                                        ? "tombstone"
                                        : "revision "
                                                + parse(text(r.value())).get("revision").asInt());
            }
            assertThat(byKey.get(early)).containsExactly("revision 1", "revision 2");
            assertThat(byKey.get(later)).containsExactly("revision 1", "tombstone");
            assertThat(byKey.get(benKey)).containsExactly("revision 1");

            List<ConsumerRecord<byte[], byte[]>> late =
                    KAFKA.awaitRecords("late-late", r -> !r.isEmpty(), DEADLINE);
            assertThat(late).hasSize(1);
            JsonNode lateRecord = parse(text(late.get(0).value()));
            assertThat(lateRecord.get("reason").asText()).isEqualTo("too_late");
            assertThat(lateRecord.get("event").get("time").asLong()).isEqualTo(tooLate.time);
            assertThat(lateRecord.get("topic").asText()).isEqualTo("late-events");
            assertThat(lateRecord.get("partition").asInt()).isEqualTo(0);
        } finally {
            JobRunner.cancel(job);
        }
    }

    private static ProducerRecord<byte[], byte[]> to(int partition, Event e) {
        return new ProducerRecord<>(
                "late-events",
                partition,
                null,
                utf8(e.deviceId),
                utf8(AmplitudeJson.text(AmplitudeJson.v2(e, e.userId))));
    }
}
