package com.sessionflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sessionflow.event.Event;
import com.sessionflow.functions.SessionChangeSerializer;
import com.sessionflow.job.JobOptions;
import com.sessionflow.reference.TestEvents;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Flink SQL table over the sessions topic ({@code docs/sql/sessions-table.sql}, verbatim but
 * for the topic and the servers): the job's own sessions sink writes a changelog with a revision
 * and a tombstone, and what Flink SQL's upsert-kafka table holds equals the compacted topic, per
 * session and in a chart's aggregate.
 */
class SessionsTableITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final String TOPIC = "sql-sessions";
    static final long MIN = 60_000;
    static final long T = 1_700_000_000_000L;
    static final SessionDefinition DEFINITION =
            SessionDefinition.builder().gap(Duration.ofMinutes(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    /** The compacted topic: the latest value of each key, tombstoned keys left out. */
    static final Map<String, JsonNode> compacted = new TreeMap<>();

    @BeforeAll
    static void writeSessionsWithTheJobsSink() throws Exception {
        KAFKA.createTopic(TOPIC, 2);
        // u1: two sessions, then a late event bridges them (a revision and a tombstone); u2: one
        OwnerTimeline timeline = new OwnerTimeline(DEFINITION, 60 * MIN);
        List<Session> u1 = new ArrayList<>();
        List<Session> u2 = new ArrayList<>();
        List<SessionChange> changes = new ArrayList<>();
        timeline.place(u1, event("u1", T, "iOS"));
        timeline.place(u1, event("u1", T + 6 * MIN, "iOS"));
        timeline.place(u2, event("u2", T + MIN, "Web"));
        timeline.place(u2, event("u2", T + 2 * MIN, "Web"));
        timeline.advance(u1, T + 20 * MIN, changes::add);
        timeline.advance(u2, T + 20 * MIN, changes::add);
        timeline.place(u1, event("u1", T + 3 * MIN, "iOS"));
        timeline.advance(u1, Long.MAX_VALUE, changes::add);
        assertThat(changes).anyMatch(SessionChange::isRetraction);

        StreamExecutionEnvironment env = FLINK.env();
        env.enableCheckpointing(200);
        KafkaSettings kafka =
                JobOptions.parse(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--sessions-topic",
                                TOPIC)
                        .kafka();
        env.fromData(changes, SessionChangeSerializer.TYPE)
                .sinkTo(KafkaIO.sessionsSink(kafka, DEFINITION));
        env.execute("write sessions");

        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readToEnd(TOPIC)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) compacted.remove(key);
            else compacted.put(key, JSON.readTree(r.value()));
        }
        assertThat(compacted).containsOnlyKeys("u1/" + T, "u2/" + (T + MIN));
    }

    static Event event(String owner, long time, String platform) {
        return TestEvents.at(owner, time).platform(platform).build();
    }

    @Test
    void theTableHoldsWhatTheCompactedTopicHolds() throws Exception {
        Map<String, Row> table = new TreeMap<>();
        for (Row r : query("SELECT session_key, event_count, revision, platform FROM sessions")) {
            String key = (String) r.getField("session_key");
            switch (r.getKind()) {
                case INSERT, UPDATE_AFTER -> table.put(key, r);
                case UPDATE_BEFORE, DELETE -> table.remove(key);
            }
        }
        assertThat(table.keySet()).isEqualTo(compacted.keySet());
        compacted.forEach(
                (key, json) -> {
                    Row row = table.get(key);
                    assertThat(row.getField("event_count"))
                            .isEqualTo(json.get("event_count").asLong());
                    assertThat(row.getField("revision")).isEqualTo(json.get("revision").asInt());
                    assertThat(row.getField("platform")).isEqualTo(json.get("platform").asText());
                });
        assertThat(table.get("u1/" + T).getField("event_count")).isEqualTo(3L);
    }

    @Test
    void aChartQueryCountsEachSessionOnce() throws Exception {
        Map<String, long[]> byPlatform = new TreeMap<>();
        for (Row r :
                query(
                        "SELECT platform, COUNT(*) AS sessions, SUM(length_ms) AS time_ms"
                                + " FROM sessions GROUP BY platform")) {
            String platform = (String) r.getField("platform");
            switch (r.getKind()) {
                case INSERT, UPDATE_AFTER ->
                        byPlatform.put(
                                platform,
                                new long[] {
                                    (Long) r.getField("sessions"), (Long) r.getField("time_ms")
                                });
                case UPDATE_BEFORE, DELETE -> byPlatform.remove(platform);
            }
        }
        Map<String, long[]> expected = new TreeMap<>();
        compacted
                .values()
                .forEach(
                        s -> {
                            long[] t =
                                    expected.computeIfAbsent(
                                            s.get("platform").asText(), k -> new long[2]);
                            t[0]++;
                            t[1] += s.get("length_ms").asLong();
                        });
        assertThat(byPlatform).containsOnlyKeys(expected.keySet());
        expected.forEach((p, t) -> assertThat(byPlatform.get(p)).as(p).containsExactly(t));
    }

    /** Runs {@code sql} over the sessions table, bounded at the topic's current end. */
    static List<Row> query(String sql) throws Exception {
        String ddl =
                Files.readString(Path.of("docs/sql/sessions-table.sql"))
                        .replace("'topic' = 'sessions'", "'topic' = '" + TOPIC + "'")
                        .replace("kafka:9092", KAFKA.bootstrapServers())
                        .replaceAll("(?m)^\\s*--.*$", "")
                        .trim();
        assertThat(ddl).endsWith(");");
        String bounded =
                ddl.substring(0, ddl.length() - 2) + ", 'scan.bounded.mode' = 'latest-offset')";
        StreamTableEnvironment tables = StreamTableEnvironment.create(FLINK.env());
        tables.executeSql(bounded);
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tables.executeSql(sql).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }
}
