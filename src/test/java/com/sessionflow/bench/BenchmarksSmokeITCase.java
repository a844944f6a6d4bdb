package com.sessionflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every benchmark scenario on a few thousand events, each in its own JVM as in a real run, so the
 * benchmark cannot rot. No timing asserts: only that every scenario read every event and that the
 * sessionizers agree on the number of sessions. To make them agree the watermark bound is 3 hours
 * (no event is late) and every session is emitted once, at the end of the input. The scenarios
 * through a real broker are checked the same way: everything committed, the same sessions.
 */
class BenchmarksSmokeITCase {

    @Test
    void everyScenarioProcessesEveryEventAndTheSessionizersAgree() throws Exception {
        Benchmarks.Runner runner = smallRunner("bench-smoke");
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (String s : Benchmarks.PROCESSING) results.put(s, runner.fork(s, 1, List.of()));

        JsonNode floor = results.get("floor");
        long events = floor.path("events").asLong();
        assertThat(events).isGreaterThanOrEqualTo(2500);
        List<Long> sessions = new ArrayList<>();
        results.forEach(
                (name, r) -> {
                    assertThat(r.path("events").asLong()).as(name).isEqualTo(events);
                    assertThat(r.path("counters").path("parsed.events").asLong())
                            .as(name + " parsed events")
                            .isEqualTo(events);
                    assertThat(r.path("counters").path("parsed.deadLetters").asLong())
                            .as(name + " dead letters")
                            .isEqualTo(r.path("inputDeadLetters").asLong());
                    if (!name.equals("floor") && !name.equals("raw") && !name.contains("merged")) {
                        assertThat(r.path("counters").path("late.records").asLong())
                                .as(name + " late")
                                .isZero();
                        assertThat(r.path("counters").path("out.revisions").asLong())
                                .as(name + " revisions")
                                .isZero();
                        sessions.add(r.path("counters").path("out.first").asLong());
                    }
                });
        assertThat(floor.path("counters").path("out.records").asLong()).isEqualTo(events);
        assertThat(results.get("raw").path("counters").path("out.records").asLong())
                .isEqualTo(events);
        assertThat(sessions.get(0)).isPositive();
        assertThat(sessions)
                .as("sessions of " + results.keySet().stream().skip(2).toList())
                .containsOnly(sessions.get(0));

        // merged identity joins a device's anonymous events to its user's sessions: never more
        for (String merged : List.of("sessionize-merged-heap", "sessionize-merged-rocksdb")) {
            long first = results.get(merged).path("counters").path("out.first").asLong();
            assertThat(first).as(merged).isPositive().isLessThanOrEqualTo(sessions.get(0));
        }

        JsonNode state = runner.fork("state", 1, List.of("--users", "100"));
        assertThat(state.path("measures")).hasSize(8);
        state.path("measures").forEach(m -> assertThat(m.path("sessions").asLong()).isPositive());

        JsonNode hot = runner.fork("hot-owner", 1, List.of());
        assertThat(hot.path("measures")).hasSize(6);
        hot.path("measures")
                .forEach(m -> assertThat(m.path("ordinaryEventMicros").asDouble()).isPositive());
    }

    @Test
    void endToEndScenariosCommitEveryEventAndAgreeOnTheSessions() throws Exception {
        Benchmarks.Runner runner = smallRunner("bench-smoke-e2e", "--checkpoint-ms", "1000");
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (String s : Benchmarks.END_TO_END) results.put(s, runner.fork(s, 1, List.of()));

        JsonNode floor = results.get("e2e-floor");
        assertThat(floor.path("committed").path(KafkaBench.OUTPUT).asLong())
                .isEqualTo(floor.path("events").asLong());
        long sessions = results.get("e2e-job").path("committed").path("sessions").asLong();
        assertThat(sessions).isPositive();
        assertThat(results.get("e2e-job").path("committed").path("events-dlq").asLong())
                .isEqualTo(results.get("e2e-job").path("inputDeadLetters").asLong());
        // the peers own sessions by user_id, else device_id, and agree; the job's default, merged
        // identity, joins a device's visit before a sign-up to its user's: never more
        long peers =
                results.get("e2e-sql-session").path("committed").path(KafkaBench.OUTPUT).asLong();
        assertThat(sessions).as("the job's sessions").isLessThanOrEqualTo(peers);
        // the SQL a user writes reads one event per record: it copies every one, and its
        // sessions are at most one per event
        JsonNode copied = results.get("e2e-sql-passthrough");
        assertThat(copied.path("committed").path(KafkaBench.OUTPUT).asLong())
                .isEqualTo(copied.path("events").asLong());
        JsonNode asWritten = results.get("e2e-sql-user");
        assertThat(asWritten.path("committed").path(KafkaBench.OUTPUT).asLong())
                .isPositive()
                .isLessThan(asWritten.path("events").asLong());
        for (String kafkaStreams : List.of("e2e-kstreams-inmemory", "e2e-kstreams-rocksdb")) {
            assertThat(
                            results.get(kafkaStreams)
                                    .path("committed")
                                    .path(KafkaStreamsBench.OUTPUT)
                                    .asLong())
                    .as(kafkaStreams + " sessions")
                    .isEqualTo(peers);
        }
    }

    /**
     * A runner for a small input (2,500 events of 200 users, every event placed whatever its
     * lateness) writing under {@code java.io.tmpdir}/{@code outName}.
     */
    private static Benchmarks.Runner smallRunner(String outName, String... extra)
            throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--events",
                                "2500",
                                "--users",
                                "200",
                                "--heap",
                                "1g",
                                "--out",
                                Path.of(System.getProperty("java.io.tmpdir"), outName).toString(),
                                "--out-of-orderness-ms",
                                String.valueOf(3 * 3_600_000L)));
        args.addAll(List.of(extra));
        return new Benchmarks.Runner(
                Benchmarks.Options.parse(args.toArray(String[]::new)),
                new PrintStream(OutputStream.nullOutputStream()));
    }
}
