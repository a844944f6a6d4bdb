package com.sessionflow.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import com.sessionflow.testing.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The replay options: --stop-at, the defaults that keep a replay apart from the live job,
 * ExportReplay's own.
 */
class ReplayOptionsTest {

    @Test
    void withoutStopAtTheJobRunsForever() {
        JobOptions o = JobOptions.parse();
        assertThat(o.stopAt()).isNull();
        assertThat(o.stoppingOffsets()).isNull();
    }

    @Test
    void stopAtTakesLatestEpochMillisOrAnIsoInstant() {
        assertThat(JobOptions.parse("--stop-at", "latest").stoppingOffsets()).isNotNull();
        assertThat(JobOptions.parse("--stop-at", "1700000000000").stoppingOffsets()).isNotNull();
        assertThat(JobOptions.parse("--stop-at", "2026-11-01T00:00:00Z").stoppingOffsets())
                .isNotNull();
        for (String bad : new String[] {"earliest", "committed", "tomorrow", "2026-11-01", "-5"}) {
            assertThatThrownBy(() -> JobOptions.parse("--stop-at", bad))
                    .as(bad)
                    .isInstanceOf(InvalidOptionException.class)
                    .hasMessageContaining("--stop-at");
        }
    }

    @Test
    void stopAtMustComeAfterAStartingTime() {
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        "--starting-offsets",
                                        "2026-11-02T00:00:00Z",
                                        "--stop-at",
                                        "2026-11-01T00:00:00Z"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--stop-at");
        assertThatThrownBy(
                        () -> JobOptions.parse("--starting-offsets", "1000", "--stop-at", "1000"))
                .isInstanceOf(InvalidOptionException.class);
        assertThat(
                        JobOptions.parse("--starting-offsets", "1000", "--stop-at", "1001")
                                .stoppingOffsets())
                .isNotNull();
    }

    @Test
    void groupAndTransactionalIdsFollowTheSessionsTopicSoAReplayNeverTouchesTheLiveJob() {
        JobOptions live = JobOptions.parse();
        JobOptions replay =
                JobOptions.parse("--sessions-topic", "sessions-v2", "--stop-at", "latest");
        assertThat(live.kafka().groupId).isEqualTo("sessionflow-sessions");
        assertThat(live.kafka().transactionalIdPrefix).isEqualTo("sessionflow-sessions");
        assertThat(replay.kafka().groupId).isEqualTo("sessionflow-sessions-v2");
        assertThat(replay.kafka().transactionalIdPrefix).isEqualTo("sessionflow-sessions-v2");
        JobOptions explicit =
                JobOptions.parse(
                        "--sessions-topic",
                        "sessions-v2",
                        "--group-id",
                        "g",
                        "--transactional-id-prefix",
                        "t");
        assertThat(explicit.kafka().groupId).isEqualTo("g");
        assertThat(explicit.kafka().transactionalIdPrefix).isEqualTo("t");
    }

    @Test
    void exportReplayHandsTheJobOptionsToJobOptions() throws Exception {
        Path out = TestDirs.newDir("opts-").resolve("out");
        ExportReplay r =
                ExportReplay.parse(
                        "--input",
                        "a.json.gz",
                        "--gap",
                        "30m",
                        "--output-dir",
                        out.toString(),
                        "--identity",
                        "device",
                        "--inactive-events=push");
        assertThat(r.output()).isEqualTo(ExportReplay.Output.FILES);
        assertThat(r.job().definition().gapMs()).isEqualTo(30 * 60_000L);
        assertThat(r.sessionsDir()).endsWith("out/sessions");
        assertThat(r.deadLetterDir()).endsWith("out/dead-letters");
        ExportReplay k =
                ExportReplay.parse(
                        "--input",
                        "x",
                        "--output",
                        "kafka",
                        "--dead-letter-dir",
                        out.toString(),
                        "--sessions-topic",
                        "sessions-v2");
        assertThat(k.job().kafka().sessionsTopic).isEqualTo("sessions-v2");
        assertThat(k.sessionsDir()).isNull();
    }

    @Test
    void exportReplayRejectsIncompleteOrUnsafeOutputs() throws Exception {
        Path dir = TestDirs.newDir("opts-");
        assertThatThrownBy(() -> ExportReplay.parse("--input", "x"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--output-dir");
        assertThatThrownBy(() -> ExportReplay.parse("--input", "x", "--output", "kafka"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--dead-letter-dir");
        assertThatThrownBy(() -> ExportReplay.parse("--output-dir", dir.toString()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--input");
        assertThatThrownBy(
                        () ->
                                ExportReplay.parse(
                                        "--input",
                                        "x",
                                        "--output-dir",
                                        dir.resolve("o").toString(),
                                        "--gap",
                                        "soon"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--gap");
        assertThatThrownBy(
                        () ->
                                ExportReplay.parse(
                                        "--input",
                                        "x",
                                        "--output-dir",
                                        dir.resolve("o").toString(),
                                        "--no-such-option"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--no-such-option");
        Files.writeString(dir.resolve("old.json"), "{}");
        assertThatThrownBy(() -> ExportReplay.parse("--input", "x", "--output-dir", dir.toString()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("holds files");
    }

    @Test
    void missingInputsAndZipsThatEscapeTheirFolderAreErrors() throws Exception {
        Path dir = TestDirs.newDir("inputs-");
        assertThatThrownBy(
                        () ->
                                ExportInputs.resolve(
                                        java.util.List.of(dir.resolve("nope").toString()), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
        Files.writeString(dir.resolve("readme.txt"), "x");
        assertThatThrownBy(() -> ExportInputs.resolve(java.util.List.of(dir.toString()), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no export file");
        Path zip = dir.resolve("evil.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("../escaped.json.gz"));
            z.write(1);
            z.closeEntry();
        }
        assertThatThrownBy(
                        () ->
                                ExportInputs.resolve(
                                        java.util.List.of(zip.toString()), dir.resolve("work")))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("outside");
        assertThat(dir.resolve("escaped.json.gz")).doesNotExist();
    }
}
