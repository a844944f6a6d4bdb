package com.sessionflow.postgres;

import com.sessionflow.job.CheckpointInterval;
import com.sessionflow.job.JobMain;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions-to-PostgreSQL job: keeps the tables {@code sessions} and {@code session_metrics}
 * equal to the compacted topics the session job writes, for dashboards and BI tools.
 *
 * <p>A job of its own, not a sink of the session job: a database that is slow, full or down then
 * backs up only this job (it catches up from its checkpointed offsets), never sessionization, and
 * the tables can be rebuilt from the topics at any time without touching the session job.
 *
 * <p>Each record is one upsert or delete ({@code upsert-*.sql}), idempotent, in topic order per key
 * (source and sink are chained, so no record overtakes another of its partition), so writing at
 * least once leaves the tables equal to the topics after any restart or replay.
 */
public final class PostgresJob {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresJob.class);

    static final String UID_SESSIONS_SOURCE = "postgres-sessions-source";
    static final String UID_SESSIONS_SINK = "postgres-sessions-sink";
    static final String UID_METRICS_SOURCE = "postgres-metrics-source";
    static final String UID_METRICS_SINK = "postgres-metrics-sink";

    private PostgresJob() {}

    public static void main(String[] args) throws Exception {
        JobMain.launch(
                args,
                PostgresOptions::parse,
                PostgresOptions::helpRequested,
                PostgresOptions::usage,
                PostgresJob::run);
    }

    /** Checks the connection, creates what is missing of the schema, and runs the job. */
    public static JobExecutionResult run(StreamExecutionEnvironment env, PostgresOptions options)
            throws Exception {
        PostgresConnection connection = options.connection();
        LOG.info("Writing to {}", connection);
        connection.applySchema();
        build(env, options);
        return env.execute(
                "sessionflow-postgres: "
                        + options.sessionsTopic()
                        + ", "
                        + options.metricsTopic()
                        + " -> "
                        + connection);
    }

    /** Adds the two topic-to-table pipelines to {@code env}. */
    public static void build(StreamExecutionEnvironment env, PostgresOptions options) {
        if (options.parallelism() != null) env.setParallelism(options.parallelism());
        env.enableCheckpointing(
                CheckpointInterval.resolve(env.getConfiguration(), options.checkpointInterval())
                        .interval()
                        .toMillis(),
                CheckpointingMode.AT_LEAST_ONCE);
        table(env, options, options.sessionsTopic(), "upsert-session.sql", "sessions");
        table(env, options, options.metricsTopic(), "upsert-metrics.sql", "session_metrics");
    }

    private static void table(
            StreamExecutionEnvironment env,
            PostgresOptions options,
            String topic,
            String statement,
            String table) {
        boolean sessions = table.equals("sessions");
        env.fromSource(source(options, topic), WatermarkStrategy.noWatermarks(), topic + " topic")
                .uid(sessions ? UID_SESSIONS_SOURCE : UID_METRICS_SOURCE)
                .sinkTo(sink(options, statement))
                .uid(sessions ? UID_SESSIONS_SINK : UID_METRICS_SINK)
                .name(table + " table");
    }

    private static KafkaSource<TopicChange> source(PostgresOptions options, String topic) {
        KafkaSourceBuilder<TopicChange> b =
                KafkaSource.<TopicChange>builder()
                        .setProperties(options.clientProperties())
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId(options.groupId())
                        .setStartingOffsets(options.startingOffsets())
                        .setDeserializer(new TopicChangeDeserializer())
                        // for lag monitoring only: a restart reads from the checkpoint's offsets
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        // the session job writes in transactions: only committed records are rows
                        .setProperty("isolation.level", "read_committed");
        if (options.bounded()) b.setBounded(OffsetsInitializer.latest());
        return b.build();
    }

    private static JdbcSink<TopicChange> sink(PostgresOptions options, String statement) {
        return JdbcSink.<TopicChange>builder()
                .withQueryStatement(
                        PostgresConnection.resource(statement),
                        (ps, change) -> {
                            ps.setString(1, change.key);
                            ps.setString(2, change.value);
                        })
                .withExecutionOptions(
                        JdbcExecutionOptions.builder()
                                .withBatchSize(options.batchSize())
                                .withBatchIntervalMs(options.batchInterval().toMillis())
                                .withMaxRetries(options.maxRetries())
                                .build())
                .buildAtLeastOnce(options.connection().sinkOptions());
    }
}
