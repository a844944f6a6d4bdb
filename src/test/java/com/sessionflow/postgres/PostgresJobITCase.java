package com.sessionflow.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sessionflow.deploy.GrafanaDashboardTest;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import com.sessionflow.testing.PostgresServer;
import com.sessionflow.testing.SessionizedTraffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sessions-to-PostgreSQL job against a real PostgreSQL and a real broker: the real session job
 * sessionizes generated traffic (late batches that revise and merge sessions, duplicates, bad
 * records), then {@link PostgresJob} loads its compacted topics. The tables equal the topics, also
 * after a second load over full tables (a restart that reads everything again); the views give the
 * User Sessions measures the job's own metrics topic gives.
 */
class PostgresJobITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();

    static final String SESSIONS = SessionizedTraffic.sessionsTopic("pg");
    static final String METRICS = SessionizedTraffic.metricsTopic("pg");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ZONE = "Asia/Kolkata";

    static String jdbcUrl;
    static Map<String, String> sessionsTopic;
    static Map<String, String> metricsTopic;

    @BeforeAll
    static void sessionizeThenLoad() throws Exception {
        // a zone whose hours start at :30 UTC: the job's buckets and the views' must agree
        SessionizedTraffic.run(FLINK, KAFKA, "pg", 300, 150, "--time-zone", ZONE);
        List<ConsumerRecord<byte[], byte[]>> changelog = KAFKA.readToEnd(SESSIONS);
        // the changelog must hold what makes a table hard to keep: revisions and tombstones
        assertThat(changelog).anyMatch(r -> r.value() == null);
        assertThat(changelog)
                .anyMatch(r -> r.value() != null && json(r.value()).get("revision").asInt() > 1);
        sessionsTopic = KafkaBroker.fold(changelog);
        metricsTopic = KAFKA.compacted(METRICS);

        jdbcUrl = POSTGRES.createDatabase("dashboards");
        load();
    }

    /** One bounded run of the job from the topics' start, as docs/dashboards.md runs it. */
    static void load() throws Exception {
        StreamExecutionEnvironment env = FLINK.env();
        PostgresOptions options = options("--stop-at", "latest", "--checkpoint-interval", "1s");
        options.connection().applySchema();
        PostgresJob.build(env, options);
        JobClient job = env.executeAsync("load");
        try {
            job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        } finally {
            JobRunner.cancel(job);
        }
    }

    /** The test's options, each of {@code overrides} (option, value, ...) replacing its own. */
    static PostgresOptions options(String... overrides) {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("--jdbc-url", jdbcUrl);
        given.put("--jdbc-user", PostgresServer.USER);
        given.put("--jdbc-password-file", POSTGRES.passwordFile().toString());
        given.put("--bootstrap-servers", KAFKA.bootstrapServers());
        given.put("--sessions-topic", SESSIONS);
        given.put("--metrics-topic", METRICS);
        for (int i = 0; i < overrides.length; i += 2) given.put(overrides[i], overrides[i + 1]);
        List<String> args = new ArrayList<>();
        given.forEach(
                (option, value) -> {
                    args.add(option);
                    args.add(value);
                });
        return PostgresOptions.parse(args.toArray(String[]::new));
    }

    @Test
    void theTablesHoldWhatTheCompactedTopicsHold() throws Exception {
        assertTablesEqualTheTopics("dashboards");
    }

    static void assertTablesEqualTheTopics(String database) throws Exception {
        assertThat(records(database, "SELECT session_key, record FROM sessions"))
                .isEqualTo(json(sessionsTopic));
        assertThat(records(database, "SELECT metrics_key, record FROM session_metrics"))
                .isEqualTo(json(metricsTopic));
    }

    @Test
    void columnsCarryTheRecordsFields() throws Exception {
        try (Connection c = POSTGRES.connect("dashboards");
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT session_key, owner, platform, revision, length_ms,"
                                        + " event_count, empty, zero_length_cause,"
                                        + " extract(epoch FROM session_start) * 1000 AS start_ms,"
                                        + " extract(epoch FROM end_time) * 1000 AS end_ms"
                                        + " FROM sessions")) {
            int rows = 0;
            while (r.next()) {
                rows++;
                JsonNode topic = JSON.readTree(sessionsTopic.get(r.getString("session_key")));
                assertThat(r.getString("owner")).isEqualTo(topic.get("owner").asText());
                assertThat(r.getString("platform")).isEqualTo(topic.get("platform").textValue());
                assertThat(r.getInt("revision")).isEqualTo(topic.get("revision").asInt());
                assertThat(r.getLong("length_ms")).isEqualTo(topic.get("length_ms").asLong());
                assertThat(r.getInt("event_count")).isEqualTo(topic.get("event_count").asInt());
                assertThat(r.getBoolean("empty")).isEqualTo(topic.get("empty").asBoolean());
                assertThat(r.getString("zero_length_cause"))
                        .isEqualTo(topic.get("zero_length_cause").textValue());
                assertThat(Math.round(r.getDouble("start_ms")))
                        .isEqualTo(topic.get("session_id").asLong());
                assertThat(Math.round(r.getDouble("end_ms")))
                        .isEqualTo(topic.get("end_time").asLong());
            }
            assertThat(rows).isEqualTo(sessionsTopic.size());
        }
    }

    @Test
    void aSecondLoadOverFullTablesChangesNothing() throws Exception {
        // a restart without a checkpoint reads every record again, old revisions first
        load();
        assertTablesEqualTheTopics("dashboards");
    }

    @Test
    void aJobStoppedMidwayGoesOnFromItsCommittedOffsets() throws Exception {
        String url = POSTGRES.createDatabase("restarted");
        List<String> target = List.of("--jdbc-url", url, "--group-id", "restarted");
        // first run: stopped (cancelled) once some rows are in, between checkpoints
        List<String> first = new ArrayList<>(target);
        first.addAll(List.of("--checkpoint-interval", "200ms", "--batch-size", "20"));
        PostgresOptions options = options(first.toArray(String[]::new));
        options.connection().applySchema();
        StreamExecutionEnvironment env = FLINK.env();
        PostgresJob.build(env, options);
        JobClient job = env.executeAsync("stopped midway");
        try (Connection c = POSTGRES.connect("restarted");
                Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM sessions")) {
                    r.next();
                    if (r.getLong(1) > 0) break;
                }
                assertThat(System.nanoTime()).as("rows written").isLessThan(deadline);
                Thread.sleep(20);
            }
            // the offsets it goes on from: committed at a checkpoint, which flushed the rows
            // before them
            long committedDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (KAFKA.admin()
                    .listConsumerGroupOffsets("restarted")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .isEmpty()) {
                assertThat(System.nanoTime()).as("offsets committed").isLessThan(committedDeadline);
                Thread.sleep(50);
            }
        } finally {
            JobRunner.cancel(job);
        }
        // second run: from the offsets the first committed at its checkpoints, to the end
        List<String> second = new ArrayList<>(target);
        second.addAll(List.of("--starting-offsets", "committed", "--stop-at", "latest"));
        env = FLINK.env();
        PostgresJob.build(env, options(second.toArray(String[]::new)));
        env.execute("goes on");
        assertTablesEqualTheTopics("restarted");
    }

    @Test
    void anOlderRevisionNeverReplacesANewerOneAndATombstoneDeletes() throws Exception {
        String upsert = PostgresConnection.resource("upsert-session.sql");
        String key = "u-guard/1700000000000";
        try (Connection c = POSTGRES.connect("dashboards")) {
            apply(c, upsert, key, session(3, 7));
            apply(c, upsert, key, session(2, 5));
            assertThat(value(c, "SELECT event_count FROM sessions WHERE session_key = ?", key))
                    .isEqualTo("7");
            apply(c, upsert, key, session(4, 9));
            assertThat(value(c, "SELECT event_count FROM sessions WHERE session_key = ?", key))
                    .isEqualTo("9");
            apply(c, upsert, key, null);
            assertThat(value(c, "SELECT count(*) FROM sessions WHERE session_key = ?", key))
                    .isEqualTo("0");
        }
    }

    @Test
    void aFinalBucketIsNeverTakenBackByAnEarlierRecord() throws Exception {
        String upsert = PostgresConnection.resource("upsert-metrics.sql");
        String key = "1700000000000/guard";
        try (Connection c = POSTGRES.connect("dashboards")) {
            apply(c, upsert, key, metrics(10, true));
            apply(c, upsert, key, metrics(4, false));
            assertThat(value(c, "SELECT sessions FROM session_metrics WHERE metrics_key = ?", key))
                    .isEqualTo("10");
            apply(c, upsert, key, null);
        }
    }

    @Test
    void theChartViewsGiveWhatTheMetricsTopicGives() throws Exception {
        Map<String, List<Long>> expected = new TreeMap<>();
        Map<String, Long> expectedBins = new TreeMap<>();
        for (String value : metricsTopic.values()) {
            JsonNode m = JSON.readTree(value);
            String key = m.get("bucket_start").asLong() + "/" + m.get("platform").asText();
            expected.put(
                    key,
                    List.of(
                            m.get("sessions").asLong(),
                            m.get("length_sessions").asLong(),
                            m.get("time_spent_ms").asLong(),
                            m.get("distinct_users").asLong(),
                            m.get("events").asLong(),
                            m.get("engaged_sessions").asLong()));
            for (JsonNode b : m.get("length_distribution")) {
                if (b.get("sessions").asLong() > 0)
                    expectedBins.put(
                            key + "/" + b.get("from_ms").asLong(), b.get("sessions").asLong());
            }
        }
        Map<String, List<Long>> actual = new TreeMap<>();
        Map<String, Long> actualBins = new TreeMap<>();
        try (Connection c = POSTGRES.connect("dashboards");
                Statement s = c.createStatement()) {
            // the views cut buckets in the connection's time zone: the project's
            s.execute("SET TIME ZONE '" + ZONE + "'");
            try (ResultSet r =
                    s.executeQuery(
                            "SELECT (extract(epoch FROM bucket_start) * 1000)::bigint AS b, *"
                                    + " FROM user_sessions_by_hour")) {
                while (r.next()) {
                    actual.put(
                            r.getLong("b") + "/" + r.getString("platform"),
                            List.of(
                                    r.getLong("sessions"),
                                    r.getLong("length_sessions"),
                                    r.getLong("time_spent_ms"),
                                    r.getLong("distinct_users"),
                                    r.getLong("events"),
                                    r.getLong("engaged_sessions")));
                }
            }
            try (ResultSet r =
                    s.executeQuery(
                            "SELECT (extract(epoch FROM d.bucket_start) * 1000)::bigint AS b,"
                                    + " d.platform, b.from_ms, d.sessions"
                                    + " FROM session_length_distribution('hour') d"
                                    + " JOIN session_length_bins b USING (bin)")) {
                while (r.next()) {
                    actualBins.put(
                            r.getLong("b")
                                    + "/"
                                    + r.getString("platform")
                                    + "/"
                                    + r.getLong("from_ms"),
                            r.getLong("sessions"));
                }
            }
        }
        assertThat(actual).isNotEmpty().isEqualTo(expected);
        assertThat(actualBins).isNotEmpty().isEqualTo(expectedBins);
    }

    @Test
    void everyQueryOfTheGrafanaDashboardRunsAndFindsRows() throws Exception {
        List<String> queries = GrafanaDashboardTest.userSessionsQueries();
        assertThat(queries).isNotEmpty();
        try (Connection c = POSTGRES.connect("dashboards");
                Statement s = c.createStatement()) {
            for (String sql : queries) {
                try (ResultSet r = s.executeQuery(sql)) {
                    assertThat(r.next()).as(sql).isTrue();
                }
            }
        }
    }

    @Test
    void aBadConnectionStopsStartUpNamingTheOption() throws Exception {
        Path wrongPassword = Files.writeString(Files.createTempFile("password", ""), "wrong\n");
        assertThatThrownBy(
                        () ->
                                options("--jdbc-password-file", wrongPassword.toString())
                                        .connection()
                                        .applySchema())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--jdbc-password-file")
                .hasMessageContaining("PostgreSQL refused")
                .hasMessageNotContaining("wrong");
        assertThatThrownBy(
                        () ->
                                options("--jdbc-url", POSTGRES.jdbcUrl("no_such_database"))
                                        .connection()
                                        .applySchema())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--jdbc-url")
                .hasMessageContaining("no_such_database");
        assertThatThrownBy(
                        () ->
                                options("--jdbc-url", "jdbc:postgresql://127.0.0.1:1/dashboards")
                                        .connection()
                                        .applySchema())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--jdbc-url")
                .hasMessageContaining("PostgreSQL refused");
        assertThatThrownBy(() -> options("--jdbc-url", "jdbc:mysql://localhost/x"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--jdbc-url")
                .hasMessageContaining("is not jdbc:postgresql://");
        String password = Files.readString(POSTGRES.passwordFile()).strip();
        assertThat(options().connection().toString()).doesNotContain(password);
    }

    static void apply(Connection c, String sql, String key, String value) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }

    static String value(Connection c, String sql, String key) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet r = ps.executeQuery()) {
                assertThat(r.next()).isTrue();
                return r.getString(1);
            }
        }
    }

    /** A session record of the topic's format, with a revision and an event count. */
    static String session(int revision, int events) throws Exception {
        JsonNode any = JSON.readTree(sessionsTopic.values().iterator().next());
        return ((com.fasterxml.jackson.databind.node.ObjectNode) any.deepCopy())
                .put("revision", revision)
                .put("event_count", events)
                .toString();
    }

    static String metrics(long sessions, boolean isFinal) throws Exception {
        JsonNode any = JSON.readTree(metricsTopic.values().iterator().next());
        return ((com.fasterxml.jackson.databind.node.ObjectNode) any.deepCopy())
                .put("sessions", sessions)
                .put("final", isFinal)
                .toString();
    }

    static Map<String, JsonNode> records(String database, String sql) throws Exception {
        Map<String, JsonNode> rows = new TreeMap<>();
        try (Connection c = POSTGRES.connect(database);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                // the guard tests' rows are their own
                if (!r.getString(1).contains("guard"))
                    rows.put(r.getString(1), JSON.readTree(r.getString(2)));
            }
        }
        return rows;
    }

    static Map<String, JsonNode> json(Map<String, String> topic) throws Exception {
        Map<String, JsonNode> m = new TreeMap<>();
        for (var e : topic.entrySet()) m.put(e.getKey(), JSON.readTree(e.getValue()));
        return m;
    }

    static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
