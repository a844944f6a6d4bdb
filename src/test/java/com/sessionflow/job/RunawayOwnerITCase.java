package com.sessionflow.job;

import static com.sessionflow.testing.AmplitudeJson.parse;
import static com.sessionflow.testing.KafkaBroker.text;
import static com.sessionflow.testing.KafkaBroker.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runaway-owner guard through the whole job on a real broker: a bot sending three times its
 * limit in one minute among people. Its excess events are in the quarantine topic with the reason,
 * exactly once each; its session holds the limit and is flagged; the people's are not touched.
 */
class RunawayOwnerITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final long BASE = Instant.parse("2026-11-01T10:00:00Z").toEpochMilli();
    static final int LIMIT = 100;
    static final int BOT_EVENTS = 3 * LIMIT;

    @Test
    void theBotsExcessIsQuarantinedAndItsSessionFlagged() throws Exception {
        KAFKA.createTopic("runaway-events", 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < BOT_EVENTS; i++) {
            // 5 a second, all within the first minute
            records.add(record(event("runaway-bot", BASE + i * 190L, "bot-" + i)));
            if (i % 50 == 0) {
                records.add(record(event("runaway-ana", BASE + i * 190L, "ana-" + i)));
                records.add(record(event("runaway-bo", BASE + i * 190L + 7, "bo-" + i)));
            }
        }
        // a bot retry of an event it already sent within the limit: still a duplicate
        records.add(record(event("runaway-bot", BASE, "bot-0")));
        KAFKA.produce(records);
        // the bounded run ends at the topic's end, where the watermark closes every session

        JobRunner.runBounded(
                FLINK,
                KAFKA,
                JobOptions.parse(
                        "--bootstrap-servers", KAFKA.bootstrapServers(),
                        "--input-topics", "runaway-events",
                        "--sessions-topic", "runaway-sessions",
                        "--dlq-topic", "runaway-dlq",
                        "--late-topic", "runaway-late",
                        "--quarantine-topic", "runaway-quarantine",
                        "--metrics-topic", "runaway-metrics",
                        "--group-id", "runaway",
                        "--transactional-id-prefix", "runaway",
                        "--starting-offsets", "earliest",
                        "--parallelism", "2",
                        "--checkpoint-interval", "500ms",
                        "--owner-rate-limit", String.valueOf(LIMIT)),
                Duration.ofMinutes(3));

        Map<String, String> sessions = KafkaBroker.fold(KAFKA.readToEnd("runaway-sessions"));
        JsonNode bot = parse(sessions.get("runaway-bot/" + BASE));
        assertThat(bot.get("event_count").asLong()).isEqualTo(LIMIT);
        assertThat(bot.get("over_rate").asBoolean()).isTrue();
        for (String person : List.of("runaway-ana/" + BASE, "runaway-bo/" + (BASE + 7))) {
            JsonNode n = parse(sessions.get(person));
            assertThat(n.get("event_count").asLong()).as(person).isEqualTo(BOT_EVENTS / 50);
            assertThat(n.get("over_rate").asBoolean()).as(person).isFalse();
        }

        List<JsonNode> quarantined =
                KAFKA.readToEnd("runaway-quarantine").stream()
                        .map(r -> parse(text(r.value())))
                        .toList();
        assertThat(quarantined)
                .allSatisfy(
                        q -> {
                            assertThat(q.get("reason").asText()).isEqualTo("owner_over_rate");
                            assertThat(q.get("event").get("user_id").asText())
                                    .isEqualTo("runaway-bot");
                            assertThat(q.get("events_per_minute").asInt()).isEqualTo(LIMIT);
                            assertThat(q.get("topic").asText()).isEqualTo("runaway-events");
                        });
        Set<String> quarantinedIds =
                quarantined.stream()
                        .map(q -> q.get("event").get("insert_id").asText())
                        .collect(Collectors.toCollection(TreeSet::new));
        Set<String> excess = new TreeSet<>();
        for (int i = LIMIT; i < BOT_EVENTS; i++) excess.add("bot-" + i);
        assertThat(quarantined).hasSize(BOT_EVENTS - LIMIT);
        assertThat(quarantinedIds).isEqualTo(excess);
        assertThat(KAFKA.readToEnd("runaway-late")).isEmpty();
        assertThat(KAFKA.readToEnd("runaway-dlq")).isEmpty();
    }

    static Event event(String owner, long time, String insertId) {
        return AmplitudeJson.event(owner, owner + "-device", "view_item", time, insertId, "iOS");
    }

    /** Keyed by owner, as the apps' producers do: one owner's events stay in order. */
    static ProducerRecord<byte[], byte[]> record(Event e) {
        return new ProducerRecord<>(
                "runaway-events",
                utf8(e.owner),
                utf8(AmplitudeJson.text(AmplitudeJson.v2(e, e.userId))));
    }
}
