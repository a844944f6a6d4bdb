package com.sessionflow.bench;

import java.time.Duration;
import java.util.Map;

/** One scenario by name, run in this JVM. */
final class Scenarios {

    private Scenarios() {}

    static Map<String, Object> run(String name, Benchmarks.Options o) throws Exception {
        BenchSettings s = o.settings();
        switch (name) {
            case "raw",
                    "floor",
                    "sessionize-heap",
                    "sessionize-rocksdb",
                    "sessionize-merged-heap",
                    "sessionize-merged-rocksdb",
                    "windows-heap",
                    "windows-rocksdb",
                    "sql-session-heap",
                    "sql-session-rocksdb",
                    "kstreams-inmemory",
                    "kstreams-rocksdb",
                    "scale-heap",
                    "scale-rocksdb" -> {
                BenchInput input =
                        BenchInput.generate(
                                o.seed,
                                o.users,
                                o.events,
                                o.minMinutes,
                                Duration.ofMillis(s.gapMs));
                System.out.println("bench: input " + input);
                BenchInput.setCurrent(input);
                Map<String, Object> r =
                        switch (name) {
                            case "raw" -> RawBench.run();
                            case "floor" -> FlinkBench.run(FlinkBench.Kind.FLOOR, "hashmap", s);
                            case "sessionize-heap", "scale-heap" ->
                                    FlinkBench.run(FlinkBench.Kind.SESSIONIZE, "hashmap", s);
                            case "sessionize-rocksdb", "scale-rocksdb" ->
                                    FlinkBench.run(FlinkBench.Kind.SESSIONIZE, "rocksdb", s);
                            case "sessionize-merged-heap" ->
                                    FlinkBench.run(FlinkBench.Kind.SESSIONIZE_MERGED, "hashmap", s);
                            case "sessionize-merged-rocksdb" ->
                                    FlinkBench.run(FlinkBench.Kind.SESSIONIZE_MERGED, "rocksdb", s);
                            case "windows-heap" ->
                                    FlinkBench.run(FlinkBench.Kind.WINDOWS, "hashmap", s);
                            case "windows-rocksdb" ->
                                    FlinkBench.run(FlinkBench.Kind.WINDOWS, "rocksdb", s);
                            case "sql-session-heap" ->
                                    FlinkBench.run(FlinkBench.Kind.SQL_SESSION, "hashmap", s);
                            case "sql-session-rocksdb" ->
                                    FlinkBench.run(FlinkBench.Kind.SQL_SESSION, "rocksdb", s);
                            case "kstreams-inmemory" -> KafkaStreamsBench.run(false, s);
                            default -> KafkaStreamsBench.run(true, s);
                        };
                r.put("users", input.users);
                r.put("inputDeadLetters", input.deadLetters);
                r.put("inputOutOfSession", input.outOfSessionEvents);
                r.put("inputBytes", input.bytes);
                return r;
            }
            case "e2e-floor",
                    "e2e-job",
                    "e2e-sql-session",
                    "e2e-sql-user",
                    "e2e-sql-passthrough",
                    "e2e-kstreams-inmemory",
                    "e2e-kstreams-rocksdb" -> {
                BenchInput generated =
                        BenchInput.generate(
                                o.seed,
                                o.users,
                                o.events,
                                o.minMinutes,
                                Duration.ofMillis(s.gapMs));
                // a Kafka table in Flink's JSON format reads one event per record: the SQL peers
                // as a user writes them always get that shape, --single-events gives it to all
                boolean asWritten =
                        name.equals("e2e-sql-user") || name.equals("e2e-sql-passthrough");
                BenchInput input =
                        o.singleEvents || asWritten ? generated.singleEvents() : generated;
                System.out.println("bench: input " + input);
                Map<String, Object> r =
                        name.startsWith("e2e-kstreams")
                                ? KafkaBench.kafkaStreamsEndToEnd(
                                        name.endsWith("rocksdb"), input, s, o.checkpointMs)
                                : KafkaBench.endToEnd(
                                        switch (name) {
                                            case "e2e-job" -> KafkaBench.EndToEnd.JOB;
                                            case "e2e-floor" -> KafkaBench.EndToEnd.FLOOR;
                                            case "e2e-sql-user" -> KafkaBench.EndToEnd.SQL_USER;
                                            case "e2e-sql-passthrough" ->
                                                    KafkaBench.EndToEnd.SQL_PASSTHROUGH;
                                            default -> KafkaBench.EndToEnd.SQL_SESSION;
                                        },
                                        input,
                                        s,
                                        o.checkpointMs,
                                        o.e2eBackend);
                r.put("users", input.users);
                r.put("inputDeadLetters", input.deadLetters);
                return r;
            }
            case "latency" -> {
                return KafkaBench.latency(
                        s,
                        o.seed,
                        o.latencyUsers,
                        o.latencySeconds,
                        o.checkpointMs,
                        o.latencyIdentities.get(0));
            }
            case "state" -> {
                return StateSizeBench.run(o, s);
            }
            case "hot-owner" -> {
                return HotOwnerBench.run(o, s);
            }
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        }
    }
}
