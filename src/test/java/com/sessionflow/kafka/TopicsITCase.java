package com.sessionflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.job.JobOptions;
import com.sessionflow.testing.KafkaBroker;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Start-up topic checks against a real broker (which does not create topics by itself). */
class TopicsITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static KafkaSettings settings(String prefix, String... more) {
        return settingsWithInputs(prefix, prefix + "-in", more);
    }

    private static KafkaSettings settingsWithInputs(
            String prefix, String inputTopics, String... more) {
        String[] base = {
            "--bootstrap-servers", KAFKA.bootstrapServers(),
            "--input-topics", inputTopics,
            "--sessions-topic", prefix + "-sessions",
            "--dlq-topic", prefix + "-dlq",
            "--late-topic", prefix + "-late",
            "--metrics-topic", prefix + "-metrics"
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return JobOptions.parse(all).kafka();
    }

    private static Set<String> topics() throws Exception {
        return KAFKA.admin().listTopics().names().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aMissingInputTopicStopsStartUpNamingTheOption() throws Exception {
        KafkaSettings kafka = settings("missing");
        assertThatThrownBy(() -> Topics.prepare(kafka, true))
                .hasMessageContainingAll("missing-in", "--input-topics");
        // nothing was created on the way
        assertThat(topics()).doesNotContain("missing-sessions", "missing-dlq", "missing-late");
    }

    @Test
    void oneMissingInputTopicOfSeveralIsNamed() throws Exception {
        KAFKA.createTopic("several-a", 1);
        KafkaSettings kafka = settingsWithInputs("several", "several-a,several-b");
        assertThatThrownBy(() -> Topics.prepare(kafka, true))
                .hasMessageContainingAll("several-b", "--input-topics")
                .hasMessageNotContaining("several-a");
    }

    @Test
    void missingOutputTopicsAreCreatedTheSessionsTopicCompacted() throws Exception {
        KAFKA.createTopic("create-in", 3);
        KafkaSettings kafka = settings("create");
        Topics.prepare(kafka, true);
        // as many partitions as the input, so the output keeps up with it
        for (String topic : new String[] {"create-sessions", "create-dlq", "create-late"})
            KAFKA.awaitTopic(topic, 3);

        assertThat(topics()).contains("create-sessions", "create-dlq", "create-late");
        assertThat(KAFKA.topicConfig("create-sessions")).containsEntry("cleanup.policy", "compact");
        assertThat(KAFKA.topicConfig("create-dlq").get("cleanup.policy")).isEqualTo("delete");
        assertThat(KAFKA.topicConfig("create-late").get("cleanup.policy")).isEqualTo("delete");
        assertThat(KAFKA.partitionCount("create-sessions")).isEqualTo(3);

        // a second start finds everything in place
        Topics.prepare(kafka, true);
        Topics.prepare(kafka, false);
    }

    @Test
    void existingOutputTopicsAreLeftAsTheyAre() throws Exception {
        KAFKA.createTopic("keep-in", 2);
        KAFKA.createTopic(
                "keep-sessions",
                1,
                Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000"));
        Topics.prepare(settings("keep"), true);
        assertThat(KAFKA.partitionCount("keep-sessions")).isEqualTo(1);
        assertThat(KAFKA.topicConfig("keep-sessions"))
                .containsEntry("min.compaction.lag.ms", "60000");
    }

    @Test
    void withoutTopicCreationAMissingOutputTopicIsAnErrorNamingTheOption() throws Exception {
        KAFKA.createTopic("nocreate-in", 1);
        KafkaSettings kafka = settings("nocreate", "--create-topics", "false");
        assertThatThrownBy(() -> Topics.prepare(kafka, false))
                .hasMessageContainingAll("nocreate-sessions", "--sessions-topic");
        assertThat(topics()).doesNotContain("nocreate-sessions");
    }

    @Test
    void anUnreachableBrokerIsAnErrorNamingTheOption() {
        KafkaSettings kafka =
                JobOptions.parse(
                                "--bootstrap-servers",
                                "127.0.0.1:1",
                                "--kafka-properties",
                                writeClientProperties())
                        .kafka();
        assertThatThrownBy(() -> Topics.prepare(kafka, true))
                .hasMessageContaining("--bootstrap-servers");
    }

    /**
     * Short client timeouts, so the unreachable broker is given up on in seconds rather than 30.
     */
    private static String writeClientProperties() {
        try {
            java.nio.file.Path p =
                    com.sessionflow.testing.TestDirs.newDir("topics").resolve("client.properties");
            java.nio.file.Files.writeString(
                    p, "default.api.timeout.ms=3000\nrequest.timeout.ms=2000\n");
            return p.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
