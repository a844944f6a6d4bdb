package com.sessionflow.testing;

import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionJob;
import com.sessionflow.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs the real job ({@link SessionJob#build}) on the test MiniCluster. */
public final class JobRunner {

    private JobRunner() {}

    /**
     * The options of a test job whose topics are all named after {@code prefix} ({@code
     * prefix-events} in, {@code prefix-sessions}, {@code -dlq}, {@code -late}, {@code -metrics}
     * out, {@code prefix} as group and transactional id), from the earliest offset, on the test
     * cluster's parallelism with 500 ms checkpoints; {@code more} follow.
     */
    public static JobOptions prefixedOptions(
            String bootstrapServers, String prefix, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                bootstrapServers,
                                "--input-topics",
                                prefix + "-events",
                                "--sessions-topic",
                                prefix + "-sessions",
                                "--dlq-topic",
                                prefix + "-dlq",
                                "--late-topic",
                                prefix + "-late",
                                "--metrics-topic",
                                prefix + "-metrics",
                                "--group-id",
                                prefix,
                                "--transactional-id-prefix",
                                prefix,
                                "--starting-offsets",
                                "earliest",
                                "--parallelism",
                                String.valueOf(FlinkCluster.PARALLELISM),
                                "--checkpoint-interval",
                                "500ms"));
        args.addAll(List.of(more));
        return JobOptions.parse(args.toArray(String[]::new));
    }

    /**
     * Prepares the topics as the job's main does, then runs the job bounded: it reads every input
     * partition up to its current end, emits everything (the final watermark closes every session),
     * commits its transactions in a final checkpoint and ends; returns once its output topics on
     * {@code broker} are readable. Fails after {@code timeout}.
     */
    public static JobExecutionResult runBounded(
            FlinkCluster flink, KafkaBroker broker, JobOptions options, Duration timeout)
            throws Exception {
        Topics.prepare(options.kafka(), options.createTopics());
        StreamExecutionEnvironment env = flink.env();
        SessionJob.build(env, options, OffsetsInitializer.latest());
        JobClient client = env.executeAsync("sessionflow bounded test run");
        JobExecutionResult result;
        try {
            result = client.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel(client);
            throw new AssertionError("the bounded job did not finish within " + timeout, e);
        }
        // its output is readable once the commit markers of its last transactions are in
        var kafka = options.kafka();
        for (String topic :
                List.of(
                        kafka.sessionsTopic,
                        kafka.deadLetterTopic,
                        kafka.lateTopic,
                        kafka.metricsTopic)) {
            broker.awaitSettled(topic);
        }
        return result;
    }

    /**
     * Prepares the topics and starts the job unbounded; the caller cancels it ({@link #cancel}).
     */
    public static JobClient start(FlinkCluster flink, JobOptions options) throws Exception {
        return start(flink, options, new Configuration());
    }

    /**
     * As {@link #start(FlinkCluster, JobOptions)}, with Flink settings on top of the cluster's
     * (such as {@code execution.state-recovery.path} to resume from a savepoint).
     */
    public static JobClient start(FlinkCluster flink, JobOptions options, Configuration flinkConf)
            throws Exception {
        Topics.prepare(options.kafka(), options.createTopics());
        StreamExecutionEnvironment env = flink.env(flinkConf);
        SessionJob.build(env, options, null);
        JobClient client = env.executeAsync("sessionflow unbounded test run");
        awaitRunning(client, Duration.ofSeconds(60));
        return client;
    }

    public static boolean isRunning(JobClient client) throws Exception {
        return client.getJobStatus().get(10, TimeUnit.SECONDS) == JobStatus.RUNNING;
    }

    /** Cancels the job and waits until it is gone; never throws. */
    public static void cancel(JobClient client) {
        if (client == null) return;
        try {
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) client.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already finished or gone
        }
    }

    private static void awaitRunning(JobClient client, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) return;
            if (status.isGloballyTerminalState()) {
                client.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new AssertionError("the job ended before it ran: " + status);
            }
            if (System.nanoTime() > deadline)
                throw new AssertionError("the job is not running after " + timeout + ": " + status);
            Thread.sleep(100);
        }
    }
}
