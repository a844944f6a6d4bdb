package com.sessionflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.event.Identity;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.testing.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Start-up options: every bad value stops start-up with a message naming the option. */
class JobOptionsTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                // durations: zero, negative, not a duration
                Arguments.of("--gap", List.of("--gap", "0")),
                Arguments.of("--gap", List.of("--gap", "0ms")),
                Arguments.of("--gap", List.of("--gap", "-5m")),
                Arguments.of("--gap", List.of("--gap", "PT-5M")),
                Arguments.of("--gap", List.of("--gap", "five minutes")),
                Arguments.of("--gap", List.of("--gap", "5 parsecs")),
                Arguments.of("--max-session-length", List.of("--max-session-length", "0s")),
                Arguments.of("--allowed-lateness", List.of("--allowed-lateness", "PT-1S")),
                Arguments.of("--allowed-lateness", List.of("--allowed-lateness", "soon")),
                Arguments.of("--out-of-orderness", List.of("--out-of-orderness", "-1s")),
                Arguments.of("--idle-timeout", List.of("--idle-timeout", "0")),
                Arguments.of("--dedup-horizon", List.of("--dedup-horizon", "PT-1H")),
                Arguments.of("--max-clock-ahead", List.of("--max-clock-ahead", "ten")),
                Arguments.of("--checkpoint-interval", List.of("--checkpoint-interval", "0s")),
                // numbers
                Arguments.of("--max-record-bytes", List.of("--max-record-bytes", "0")),
                Arguments.of("--max-record-bytes", List.of("--max-record-bytes", "lots")),
                Arguments.of("--parallelism", List.of("--parallelism", "0")),
                Arguments.of("--max-parallelism", List.of("--max-parallelism", "0")),
                Arguments.of("--max-parallelism", List.of("--max-parallelism", "32769")),
                Arguments.of(
                        "--parallelism", List.of("--parallelism", "8", "--max-parallelism", "4")),
                Arguments.of(
                        "--session-properties",
                        List.of("--session-properties", "a,b,c,d,e,f,g,h,i,j,k")),
                // enums and offsets
                Arguments.of("--identity", List.of("--identity", "robot")),
                Arguments.of("--starting-offsets", List.of("--starting-offsets", "yesterday")),
                Arguments.of("--starting-offsets", List.of("--starting-offsets", "2026-13-45")),
                // topics: an output topic that is also an input topic, empty names
                Arguments.of(
                        "--sessions-topic",
                        List.of("--input-topics", "events,clicks", "--sessions-topic", "clicks")),
                Arguments.of("--dlq-topic", List.of("--dlq-topic", "events")),
                Arguments.of("--late-topic", List.of("--input-topics", "a,b", "--late-topic", "a")),
                Arguments.of("--sessions-topic", List.of("--sessions-topic", " ")),
                Arguments.of("--input-topics", List.of("--input-topics", " , ")),
                // files
                Arguments.of(
                        "--kafka-properties",
                        List.of("--kafka-properties", "no/such/client.properties")),
                Arguments.of("--config", List.of("--config", "no/such/job.properties")),
                // an option that does not exist
                Arguments.of("--gapp", List.of("--gapp", "5m")));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badValues")
    void aBadValueStopsStartUpNamingTheOption(String option, List<String> args) {
        assertThatThrownBy(() -> JobOptions.parse(args.toArray(String[]::new)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining(option);
    }

    @Test
    void messagesSayWhatIsAllowed() {
        assertThatThrownBy(() -> JobOptions.parse("--identity", "robot"))
                .hasMessageContainingAll("USER", "DEVICE");
        assertThatThrownBy(() -> JobOptions.parse("--gap", "five minutes"))
                .hasMessageContaining("5m");
        assertThatThrownBy(() -> JobOptions.parse("--starting-offsets", "yesterday"))
                .hasMessageContainingAll("earliest", "latest", "committed");
        assertThatThrownBy(() -> JobOptions.parse("--sessions-topic", "events"))
                .hasMessageContaining("input topic");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        JobOptions o = JobOptions.parse();
        assertThat(o.definition().gapMs()).isEqualTo(Duration.ofMinutes(5).toMillis());
        assertThat(o.definition().maxLengthMs()).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(o.identity).isEqualTo(Identity.MERGED);
        assertThat(o.allowedLateness).isEqualTo(Duration.ofHours(1));
        assertThat(o.outOfOrderness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.startingOffsets).isEqualTo("committed");
        KafkaSettings k = o.kafka();
        assertThat(k.bootstrapServers).isEqualTo("localhost:9092");
        assertThat(k.inputTopics).containsExactly("events");
        assertThat(k.sessionsTopic).isEqualTo("sessions");
        assertThat(k.deadLetterTopic).isEqualTo("events-dlq");
        assertThat(k.quarantineTopic).isEqualTo("events-quarantine");
        assertThat(o.rateLimit().eventsPerMinute())
                .isEqualTo(OwnerRateLimit.DEFAULT.eventsPerMinute());
        assertThat(o.rateLimit().action()).isEqualTo(OwnerRateLimit.DEFAULT.action());
        assertThat(o.helpRequested()).isFalse();
    }

    @Test
    void theOwnerRateGuardIsSetOrTurnedOff() {
        assertThat(JobOptions.parse("--owner-rate-limit", "0").rateLimit().applies()).isFalse();
        OwnerRateLimit keep =
                JobOptions.parse("--owner-rate-limit", "600", "--over-rate", "keep").rateLimit();
        assertThat(keep.eventsPerMinute()).isEqualTo(600);
        assertThat(keep.action()).isEqualTo(OwnerRateLimit.Action.KEEP);
        assertThatThrownBy(() -> JobOptions.parse("--owner-rate-limit", "-5"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContainingAll("--owner-rate-limit", "0 (off) or more");
        assertThatThrownBy(() -> JobOptions.parse("--over-rate", "block"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContainingAll("--over-rate", "QUARANTINE", "DROP", "KEEP");
        assertThatThrownBy(() -> JobOptions.parse("--quarantine-topic", "events"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContainingAll("--quarantine-topic", "input topic");
    }

    @Test
    void durationsAreReadAsPeopleWriteThem() {
        JobOptions o =
                JobOptions.parse(
                        "--gap",
                        "30m",
                        "--allowed-lateness",
                        "2h",
                        "--out-of-orderness",
                        "1500ms",
                        "--idle-timeout",
                        "PT45S",
                        "--max-session-length",
                        "2d",
                        "--identity",
                        "device");
        assertThat(o.definition().gapMs()).isEqualTo(Duration.ofMinutes(30).toMillis());
        assertThat(o.allowedLateness).isEqualTo(Duration.ofHours(2));
        assertThat(o.outOfOrderness()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(o.definition().maxLengthMs()).isEqualTo(Duration.ofDays(2).toMillis());
        assertThat(o.identity).isEqualTo(Identity.DEVICE);
    }

    @Test
    void aConfigFileSetsOptionsAndTheCommandLineWins() throws Exception {
        Path config = TestDirs.newDir("options").resolve("job.properties");
        Files.writeString(
                config,
                """
                # job settings
                gap = 10m
                sessions-topic = sessions-v2
                input-topics = web,mobile
                identity = device
                parallelism = 3
                """);
        JobOptions fromFile = JobOptions.parse("--config", config.toString());
        assertThat(fromFile.definition().gapMs()).isEqualTo(Duration.ofMinutes(10).toMillis());
        assertThat(fromFile.kafka().sessionsTopic).isEqualTo("sessions-v2");
        assertThat(fromFile.kafka().inputTopics).containsExactly("web", "mobile");
        assertThat(fromFile.identity).isEqualTo(Identity.DEVICE);
        assertThat(fromFile.parallelism()).isEqualTo(3);

        JobOptions overridden =
                JobOptions.parse("--gap", "2m", "--config=" + config, "--parallelism", "1");
        assertThat(overridden.definition().gapMs()).isEqualTo(Duration.ofMinutes(2).toMillis());
        assertThat(overridden.parallelism()).isEqualTo(1);
        assertThat(overridden.kafka().sessionsTopic).isEqualTo("sessions-v2");
        assertThat(overridden.identity).isEqualTo(Identity.DEVICE);
    }

    @Test
    void theHelpShowsTheRulesDefaultsAsTheyAreWritten() {
        // without the line breaks and indents of the help's layout
        assertThat(JobOptions.usage().replaceAll("\\s+", ""))
                .contains("Inactivitythatendsasession.Default:5m.")
                .contains("Default:1d.")
                .contains(
                        "Default:session_start,session_end,[Amplitude]StartSession,"
                                + "[Amplitude]EndSession.")
                .contains("Default:1800(Amplitude's")
                .contains("Default:quarantine.");
    }

    @Test
    void splitOverLimitIsAFlagOffByDefault() throws Exception {
        assertThat(JobOptions.parse().definition().splitOverLimit()).isFalse();
        assertThat(JobOptions.parse("--split-over-limit").definition().splitOverLimit()).isTrue();
        assertThat(JobOptions.parse("--split-over-limit=false").definition().splitOverLimit())
                .isFalse();
        Path config = TestDirs.newDir("options").resolve("split.properties");
        Files.writeString(config, "split-over-limit = true\n");
        assertThat(JobOptions.parse("--config", config.toString()).definition().splitOverLimit())
                .isTrue();
        assertThatThrownBy(() -> JobOptions.parse("--split-over-limit=maybe"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--split-over-limit");
    }

    @Test
    void aConfigFileWithAnUnknownKeyIsRejected() throws Exception {
        Path config = TestDirs.newDir("options").resolve("job.properties");
        Files.writeString(config, "gap = 10m\nsession-gap = 20m\n");
        assertThatThrownBy(() -> JobOptions.parse("--config", config.toString()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContainingAll("--config", "session-gap");
    }

    @Test
    void aBadValueInTheConfigFileNamesTheOption() throws Exception {
        Path config = TestDirs.newDir("options").resolve("job.properties");
        Files.writeString(config, "gap = 0s\n");
        assertThatThrownBy(() -> JobOptions.parse("--config", config.toString()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--gap");
    }

    @Test
    void kafkaClientPropertiesAreReadButTheirValuesNeverShown() throws Exception {
        Path file = TestDirs.newDir("options").resolve("client.properties");
        Files.writeString(
                file,
                """
                security.protocol = SASL_SSL
                sasl.mechanism = PLAIN
                sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="svc" password="s3cr3t-pw";
                """);
        JobOptions o =
                JobOptions.parse(
                        "--kafka-properties", file.toString(), "--bootstrap-servers", "kafka:9093");
        KafkaSettings k = o.kafka();
        assertThat(k.clientProperties.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(k.adminProperties().getProperty("bootstrap.servers")).isEqualTo("kafka:9093");
        assertThat(k.adminProperties().getProperty("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(k.toString()).contains("sasl.jaas.config").doesNotContain("s3cr3t-pw");
    }

    @Test
    void anUnreadableKafkaPropertiesFileIsRejected() throws Exception {
        Path dir = TestDirs.newDir("options");
        // a folder is never a readable properties file, whoever runs the test
        assertThatThrownBy(() -> JobOptions.parse("--kafka-properties", dir.toString()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--kafka-properties");
    }

    @Test
    void helpIsNotAnError() {
        assertThat(JobOptions.parse("--help").helpRequested()).isTrue();
        assertThat(JobOptions.usage().replaceAll("\\s+", " "))
                .contains("--gap", "--input-topics", "--allowed-lateness", "--kafka-properties");
    }
}
