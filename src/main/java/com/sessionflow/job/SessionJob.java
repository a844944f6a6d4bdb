package com.sessionflow.job;

import com.sessionflow.event.ParsedRecord;
import com.sessionflow.kafka.JsonSerializer;
import com.sessionflow.kafka.KafkaIO;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.kafka.Topics;
import com.sessionflow.metrics.MetricsPipeline;
import com.sessionflow.metrics.MetricsRecord;
import com.sessionflow.time.EventTimes;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's entry point: Kafka in; sessions, metrics, dead letters, late and quarantined events
 * out.
 */
public final class SessionJob {

    private static final Logger LOG = LoggerFactory.getLogger(SessionJob.class);

    private SessionJob() {}

    public static void main(String[] args) throws Exception {
        JobMain.launch(
                args,
                JobOptions::parse,
                JobOptions::helpRequested,
                JobOptions::usage,
                SessionJob::run);
    }

    /**
     * Checks the topics, builds the job on {@code env} and runs it until it ends or is cancelled.
     */
    public static JobExecutionResult run(StreamExecutionEnvironment env, JobOptions options)
            throws Exception {
        KafkaSettings kafka = options.kafka();
        LOG.info("Starting with {} and definition {}", kafka, options.definition());
        Topics.prepare(kafka, options.createTopics());
        // --stop-at makes it a bounded replay: it ends by itself once it has read up to there
        build(env, options, options.stoppingOffsets());
        String name =
                (options.stopAt() == null
                                ? "sessionflow: "
                                : "sessionflow replay (stop at " + options.stopAt().trim() + "): ")
                        + String.join(",", kafka.inputTopics)
                        + " -> "
                        + kafka.sessionsTopic;
        return env.execute(name);
    }

    /**
     * Adds the whole job to {@code env}.
     *
     * @param stoppingOffsets where a bounded replay stops, or null for a job that runs forever
     */
    public static void build(
            StreamExecutionEnvironment env,
            JobOptions options,
            OffsetsInitializer stoppingOffsets) {
        configure(env, options);
        KafkaSettings kafka = options.kafka();
        DataStream<ParsedRecord> parsed =
                env.fromSource(
                                KafkaIO.eventSource(
                                        kafka,
                                        options.parser(),
                                        options.startingOffsets(),
                                        stoppingOffsets),
                                EventTimes.strategy(
                                        options.outOfOrderness(), options.idleTimeout()),
                                "kafka events")
                        .uid(SessionPipeline.UID_SOURCE);
        SessionPipeline.Outputs out =
                SessionPipeline.sessionize(
                        parsed,
                        options.timeline(),
                        options.dedupHorizon().toMillis(),
                        options.rateLimit(),
                        options.identity());
        out.sessions()
                .sinkTo(KafkaIO.sessionsSink(kafka, options.definition()))
                .uid(SessionPipeline.UID_SESSIONS_SINK)
                .name("sessions topic");
        out.deadLetters()
                .sinkTo(KafkaIO.deadLetterSink(kafka))
                .uid(SessionPipeline.UID_DLQ_SINK)
                .name("dead-letter topic");
        out.lateEvents()
                .sinkTo(KafkaIO.lateSink(kafka))
                .uid(SessionPipeline.UID_LATE_SINK)
                .name("late topic");
        // also with --over-rate drop or keep, where it stays empty: the job graph, and so a
        // savepoint's operators, do not depend on the option
        out.quarantinedEvents()
                .sinkTo(KafkaIO.quarantineSink(kafka))
                .uid(SessionPipeline.UID_QUARANTINE_SINK)
                .name("quarantine topic");
        MetricsPipeline.build(out.sessions(), out.outOfSessionEvents(), options.metrics())
                // key <bucket_start>/<platform>; the topic is compacted (latest record per key)
                .sinkTo(
                        KafkaIO.<MetricsRecord>sink(
                                kafka,
                                "metrics",
                                kafka.metricsTopic,
                                r -> JsonSerializer.utf8(r.key()),
                                MetricsRecord::toJsonBytes))
                .uid(MetricsPipeline.UID_SINK)
                .name("metrics topic");
    }

    static void configure(StreamExecutionEnvironment env, JobOptions options) {
        requireDurableCheckpoints(env.getConfiguration());
        SessionPipeline.configure(env, options.parallelism(), options.maxParallelism());
        CheckpointInterval.Resolved checkpoints =
                CheckpointInterval.resolve(env.getConfiguration(), options.checkpointInterval());
        // exactly-once whatever the cluster says: at-least-once barriers would let a restore
        // replay records its state already holds, and the sinks would write them twice
        env.enableCheckpointing(checkpoints.interval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        LOG.info(
                "Checkpoints every {} ({}); max parallelism {}",
                checkpoints.interval(),
                checkpoints.source(),
                env.getConfig().getMaxParallelism());
    }

    /**
     * Refuses Flink's fallback of keeping checkpoints in the JobManager's heap. That storage caps a
     * task's state at 5 MB: a few thousand users in, every checkpoint fails, the job restarts from
     * an older one again and again (its sinks log fenced commits) and no session is committed.
     */
    static void requireDurableCheckpoints(ReadableConfig config) {
        String storage = config.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE).orElse("");
        boolean inJobManager =
                storage.equalsIgnoreCase("jobmanager")
                        || (storage.isEmpty()
                                && config.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                                        .isEmpty());
        if (inJobManager) {
            throw new InvalidOptionException(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                            + " is not set"
                            + (storage.isEmpty()
                                    ? ""
                                    : " (or "
                                            + CheckpointingOptions.CHECKPOINT_STORAGE.key()
                                            + " is jobmanager)")
                            + ": Flink would keep checkpoints in the JobManager's memory, which"
                            + " holds at most 5 MB of state, and the job's state outgrows it. Set"
                            + " it to a durable location (s3://, hdfs://, or file:// on a shared"
                            + " volume) in the cluster's config.yaml (flink-conf/config.yaml does)"
                            + " or with -D"
                            + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                            + "=<uri>.");
        }
    }
}
