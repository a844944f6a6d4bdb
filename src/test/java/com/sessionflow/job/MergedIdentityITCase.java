package com.sessionflow.job;

import static com.sessionflow.testing.AmplitudeJson.parse;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job with {@code --identity merged} over a real broker: Amplitude's identity scenarios (a
 * visit before sign-up, a logout, two devices of one user, a device shared by two users, a login
 * that arrives after the anonymous event it precedes, a device that never logs in) give the
 * sessions the reference computes with the same rules, one person each.
 */
class MergedIdentityITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final long BASE = Instant.parse("2026-11-02T09:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final long GAP = 5 * MINUTE;
    static final long LATENESS = 60 * MINUTE;

    static Event at(long minutes, String device, String user, String type) {
        Event e =
                AmplitudeJson.event(
                        user,
                        device,
                        type,
                        BASE + minutes * MINUTE,
                        device + "-" + minutes + "-" + type,
                        "iOS");
        return e;
    }

    /** In the order they are sent. */
    static List<Event> traffic() {
        return List.of(
                // ana browses anonymously on her phone, signs up, logs out, browses on
                at(0, "ana-phone", null, "view_item"),
                at(1, "ana-phone", null, "view_item"),
                at(2, "ana-phone", "ana", "sign_up"),
                at(3, "ana-phone", "ana", "purchase"),
                at(4, "ana-phone", null, "view_item"),
                // a tablet shared by jane, then mary
                at(10, "tablet", "jane", "login"),
                at(11, "tablet", null, "view_item"),
                at(20, "tablet", "mary", "login"),
                at(21, "tablet", null, "view_item"),
                // ana on her laptop, anonymous after her login there
                at(30, "ana-laptop", "ana", "login"),
                at(31, "ana-laptop", null, "view_item"),
                // otto's login is sent after the anonymous event it precedes
                at(41, "otto-phone", null, "view_item"),
                at(40, "otto-phone", "otto", "login"),
                // a visitor who never logs in
                at(50, "visitor", null, "view_item"),
                at(52, "visitor", null, "view_item"),
                // moves event time on, so that every session above is closed
                at(200, "clock", null, "view_item"));
    }

    @Test
    void anonymousEventsJoinTheirPersonsSessions() throws Exception {
        String topic = "merged-events";
        KAFKA.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Event e : traffic()) {
            records.add(
                    new ProducerRecord<>(
                            topic,
                            0,
                            utf8(e.deviceId),
                            utf8(AmplitudeJson.text(AmplitudeJson.v2(e, e.userId)))));
        }
        KAFKA.produce(records);
        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers", KAFKA.bootstrapServers(),
                        "--input-topics", topic,
                        "--sessions-topic", "merged-sessions",
                        "--dlq-topic", "merged-dlq",
                        "--late-topic", "merged-late",
                        "--metrics-topic", "merged-metrics",
                        "--group-id", "merged",
                        "--transactional-id-prefix", "merged",
                        "--starting-offsets", "earliest",
                        "--parallelism", String.valueOf(FlinkCluster.PARALLELISM),
                        "--checkpoint-interval", "500ms",
                        "--identity", "merged",
                        "--out-of-orderness", "2m");
        JobRunner.runBounded(FLINK, KAFKA, options, Duration.ofMinutes(2));

        Map<String, ExpectedSession> expected =
                new TreeMap<>(
                        ReferenceSessionizer.byKey(
                                ReferenceSessionizer.sessionize(
                                        ReferenceSessionizer.mergeIdentities(
                                                traffic(), LATENESS, GAP),
                                        GAP)));
        Map<String, ExpectedSession> actual = new TreeMap<>();
        for (Map.Entry<String, String> e : KAFKA.compacted("merged-sessions").entrySet()) {
            JsonNode n = parse(e.getValue());
            actual.put(e.getKey(), ExpectedSession.of(n));
            assertThat(expected.get(e.getKey()))
                    .as("the record %s", n)
                    .isNotNull()
                    .matches(s -> s.matches(n));
        }
        assertThat(actual).isEqualTo(expected);
        // one person each: ana's sessions hold both her devices' anonymous events
        assertThat(actual.keySet())
                .containsExactly(
                        "ana/" + BASE,
                        "ana/" + (BASE + 30 * MINUTE),
                        "clock/" + (BASE + 200 * MINUTE),
                        "jane/" + (BASE + 10 * MINUTE),
                        "mary/" + (BASE + 20 * MINUTE),
                        "otto/" + (BASE + 40 * MINUTE),
                        "visitor/" + (BASE + 50 * MINUTE));
        assertThat(actual.get("ana/" + BASE).eventCount()).isEqualTo(5);
        assertThat(KAFKA.readToEnd("merged-late")).isEmpty();
    }
}
