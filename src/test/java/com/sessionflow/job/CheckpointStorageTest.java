package com.sessionflow.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The job refuses to start with checkpoints kept in the JobManager's memory (5 MB of state at
 * most).
 */
class CheckpointStorageTest {

    @Test
    void noCheckpointDirectoryStopsStartUpNamingTheSetting() {
        assertThatThrownBy(() -> SessionJob.requireDurableCheckpoints(new Configuration()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("execution.checkpointing.dir is not set")
                .hasMessageContaining("5 MB");
    }

    @Test
    void jobManagerStorageIsRefusedEvenWithADirectory() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file:///checkpoints");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "jobmanager");
        assertThatThrownBy(() -> SessionJob.requireDurableCheckpoints(conf))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("execution.checkpointing.storage is jobmanager");
    }

    @Test
    void aCheckpointDirectoryIsEnough() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://bucket/sessionflow/checkpoints");
        assertThatCode(() -> SessionJob.requireDurableCheckpoints(conf)).doesNotThrowAnyException();
    }
}
