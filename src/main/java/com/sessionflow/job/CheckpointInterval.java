package com.sessionflow.job;

import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The checkpoint interval a job runs with, from one source: {@code --checkpoint-interval} when it
 * is given, else the cluster's {@code execution.checkpointing.interval} (config.yaml, the
 * FlinkDeployment's flinkConfiguration, {@code -D}), else {@link #FALLBACK}. The fallback exists
 * because a job without checkpoints never commits its exactly-once output: nothing would be
 * readable.
 */
public final class CheckpointInterval {

    public static final Duration FALLBACK = Duration.ofSeconds(10);

    /** Where the interval came from, for the start-up log. */
    public record Resolved(Duration interval, String source) {}

    private CheckpointInterval() {}

    public static Resolved resolve(ReadableConfig cluster, Duration option) {
        if (option != null) return new Resolved(option, "--checkpoint-interval");
        Optional<Duration> configured =
                cluster.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        if (configured.isPresent() && !configured.get().isZero()) {
            return new Resolved(
                    configured.get(), CheckpointingOptions.CHECKPOINTING_INTERVAL.key());
        }
        return new Resolved(
                FALLBACK,
                "fallback: neither --checkpoint-interval nor "
                        + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                        + " is set");
    }
}
