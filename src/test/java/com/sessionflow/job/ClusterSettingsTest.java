package com.sessionflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The settings a cluster operator sets in the cluster's configuration hold unless the job's option
 * is given: the checkpoint interval and the max parallelism. Nothing runs: the environment is only
 * configured.
 */
class ClusterSettingsTest {

    static StreamExecutionEnvironment configured(Configuration cluster, String... args) {
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file:///checkpoints");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        SessionJob.configure(env, JobOptions.parse(args));
        return env;
    }

    @Test
    void theClustersCheckpointIntervalHoldsUnlessTheOptionIsGiven() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(7));
        assertThat(configured(cluster).getCheckpointInterval()).isEqualTo(7_000);

        cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(7));
        assertThat(configured(cluster, "--checkpoint-interval", "3s").getCheckpointInterval())
                .isEqualTo(3_000);
    }

    @Test
    void withoutEitherTheJobStillCheckpointsSoThatItsOutputIsCommitted() {
        assertThat(configured(new Configuration()).getCheckpointInterval())
                .isEqualTo(CheckpointInterval.FALLBACK.toMillis());
    }

    @Test
    void checkpointsAreExactlyOnceWhateverTheClusterSays() {
        Configuration cluster = new Configuration();
        cluster.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.AT_LEAST_ONCE);
        assertThat(configured(cluster).getCheckpointConfig().getCheckpointingConsistencyMode())
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
    }

    @Test
    void maxParallelismIsTheOptionsElseTheClustersElseTheJobsDefault() {
        assertThat(configured(new Configuration()).getMaxParallelism())
                .isEqualTo(SessionPipeline.DEFAULT_MAX_PARALLELISM);
        Configuration cluster = new Configuration();
        cluster.set(PipelineOptions.MAX_PARALLELISM, 256);
        assertThat(configured(cluster).getMaxParallelism()).isEqualTo(256);
        cluster = new Configuration();
        cluster.set(PipelineOptions.MAX_PARALLELISM, 256);
        assertThat(configured(cluster, "--max-parallelism", "128").getMaxParallelism())
                .isEqualTo(128);
    }
}
