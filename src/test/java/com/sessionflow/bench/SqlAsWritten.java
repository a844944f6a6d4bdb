package com.sessionflow.bench;

import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * What a Flink SQL user writes instead of this job, as they would write it: a Kafka table in
 * Flink's own JSON format with a watermark on the event time, and either the {@code SESSION} window
 * table function by owner ({@code e2e-sql-user}) or nothing at all ({@code e2e-sql-passthrough}:
 * read JSON, write JSON), into an exactly-once Kafka table. None of the job's classes is used: the
 * difference from {@code e2e-sql-session}, which reuses the job's source and parser, is the cost of
 * the job's parsing path. The input must hold one event per record ({@code --single-events}): a
 * Kafka table with the JSON format reads no other shape.
 */
final class SqlAsWritten {

    private SqlAsWritten() {}

    /** Adds the statement to {@code env}, to run with its {@code execute}. */
    static void build(
            StreamExecutionEnvironment env,
            String bootstrap,
            String output,
            long checkpointMs,
            long gapMs,
            long outOfOrdernessMs,
            boolean sessions) {
        env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.executeSql(
                "CREATE TABLE events ("
                        + " user_id STRING, device_id STRING, event_type STRING, `time` BIGINT,"
                        + " session_id BIGINT, insert_id STRING, platform STRING,"
                        + " ts AS TO_TIMESTAMP_LTZ(`time`, 3),"
                        + " WATERMARK FOR ts AS ts - "
                        + seconds(outOfOrdernessMs)
                        + ") WITH ("
                        + " 'connector' = 'kafka', 'topic' = '"
                        + BenchInput.TOPIC
                        + "', 'properties.bootstrap.servers' = '"
                        + bootstrap
                        + "', 'properties.group.id' = 'bench-sql',"
                        + " 'scan.startup.mode' = 'earliest-offset',"
                        + " 'scan.bounded.mode' = 'latest-offset',"
                        + " 'format' = 'json', 'json.ignore-parse-errors' = 'true')");
        String sink =
                " WITH ('connector' = 'kafka', 'topic' = '"
                        + output
                        + "', 'properties.bootstrap.servers' = '"
                        + bootstrap
                        + "', 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once',"
                        + " 'sink.transactional-id-prefix' = 'bench-sql-"
                        + (sessions ? "user" : "passthrough")
                        // below the broker's 15-minute maximum, as the job's sinks
                        + "', 'properties.transaction.timeout.ms' = '600000')";
        StreamStatementSet statements = tables.createStatementSet();
        if (sessions) {
            tables.executeSql(
                    "CREATE TABLE sessions (owner STRING, window_start TIMESTAMP(3),"
                            + " window_end TIMESTAMP(3), event_count BIGINT, start_time BIGINT,"
                            + " end_time BIGINT)"
                            + sink);
            tables.executeSql(
                    "CREATE TEMPORARY VIEW owned AS SELECT COALESCE(user_id, device_id) AS owner,"
                            // JSON without a time would fail the window: a user learns to filter
                            + " `time`, ts FROM events WHERE `time` IS NOT NULL");
            statements.addInsertSql(
                    "INSERT INTO sessions SELECT owner, window_start, window_end, COUNT(*),"
                            + " MIN(`time`), MAX(`time`) FROM TABLE(SESSION(TABLE owned PARTITION"
                            + " BY owner, DESCRIPTOR(ts), "
                            + seconds(gapMs)
                            + "))"
                            + " GROUP BY owner, window_start, window_end");
        } else {
            tables.executeSql(
                    "CREATE TABLE copied (user_id STRING, device_id STRING, event_type STRING,"
                            + " `time` BIGINT, session_id BIGINT, insert_id STRING,"
                            + " platform STRING)"
                            + sink);
            statements.addInsertSql(
                    "INSERT INTO copied SELECT user_id, device_id, event_type, `time`,"
                            + " session_id, insert_id, platform FROM events");
        }
        statements.attachAsDataStream();
    }

    /**
     * A duration as a SQL user writes it, {@code INTERVAL '5' MINUTE} or {@code '30' SECOND}: in
     * whole hours, minutes or (milli)seconds below Flink's default leading precision of 2 digits.
     */
    static String seconds(long ms) {
        if (ms % 3_600_000 == 0 && ms / 3_600_000 < 100) {
            return "INTERVAL '" + ms / 3_600_000 + "' HOUR";
        }
        if (ms % 60_000 == 0 && ms / 60_000 < 100) return "INTERVAL '" + ms / 60_000 + "' MINUTE";
        if (ms < 100_000) return "INTERVAL '" + ms / 1000.0 + "' SECOND";
        throw new IllegalArgumentException(ms + " ms is not a duration this peer writes in SQL");
    }
}
