package com.sessionflow.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoTest {

    private static Demo demo(String... args) {
        Demo demo = new Demo();
        new CommandLine(demo).parseArgs(args);
        return demo;
    }

    @Test
    void optionsTheDemoDoesNotKnowGoToTheJob() {
        Demo demo =
                demo(
                        "--kafka-port",
                        "19092",
                        "--no-sample-traffic",
                        "--gap",
                        "10s",
                        "--idle-timeout=2s");
        assertThat(demo.kafkaPort).isEqualTo(19092);
        assertThat(demo.noSampleTraffic).isTrue();
        assertThat(demo.jobArguments())
                .containsExactly(
                        "--bootstrap-servers",
                        "127.0.0.1:19092",
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "2s",
                        "--gap",
                        "10s",
                        "--idle-timeout=2s");
        JobOptions options = JobOptions.parse(demo.jobArguments().toArray(String[]::new));
        assertThat(options.definition().gapMs()).isEqualTo(10_000);
        assertThat(options.kafka().bootstrapServers).isEqualTo("127.0.0.1:19092");
    }

    @Test
    void theUsersJobOptionsWinOverTheDemosDefaults() {
        JobOptions options =
                JobOptions.parse(
                        demo("--parallelism", "1", "--checkpoint-interval=5s")
                                .jobArguments()
                                .toArray(String[]::new));
        assertThat(options.parallelism()).isEqualTo(1);
        assertThat(options.checkpointInterval().toSeconds()).isEqualTo(5);
    }

    @Test
    void theBrokerIsAlwaysTheDemos() {
        assertThatThrownBy(() -> demo("--bootstrap-servers", "kafka:9092").jobArguments())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--kafka-port");
    }
}
