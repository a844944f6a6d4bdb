package com.sessionflow.testing;

import com.sessionflow.demo.TrafficGenerator;
import com.sessionflow.demo.TrafficRecord;
import com.sessionflow.job.JobOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's sample traffic (late batches, duplicates, bad records), sessionized by the real job in
 * a bounded run: what the tests of the job's consumers (the database, the chart page) read.
 */
public final class SessionizedTraffic {

    private SessionizedTraffic() {}

    /**
     * Produces {@code minutes} of {@code users}' traffic, ending four hours ago at the latest, to
     * {@code <prefix>-events}, and runs the job over it into {@link #sessionsTopic} and {@link
     * #metricsTopic} (and {@code <prefix>-dlq}, {@code -late}, {@code -quarantine}), with {@code
     * jobOptions} on top of the test's.
     */
    public static void run(
            FlinkCluster flink,
            KafkaBroker kafka,
            String prefix,
            int users,
            int minutes,
            String... jobOptions)
            throws Exception {
        long start = (System.currentTimeMillis() / 3_600_000L - 4) * 3_600_000L;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (TrafficRecord r :
                new TrafficGenerator(11, start, users, Duration.ofMinutes(5))
                        .until(start + minutes * 60_000L)) {
            records.add(
                    new ProducerRecord<>(
                            prefix + "-events",
                            null,
                            r.timestamp(),
                            r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                            r.value()));
        }
        kafka.createTopic(prefix + "-events", 2);
        kafka.produce(records);
        List<String> options =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--input-topics",
                                prefix + "-events",
                                "--sessions-topic",
                                sessionsTopic(prefix),
                                "--dlq-topic",
                                prefix + "-dlq",
                                "--late-topic",
                                prefix + "-late",
                                "--quarantine-topic",
                                prefix + "-quarantine",
                                "--metrics-topic",
                                metricsTopic(prefix),
                                "--starting-offsets",
                                "earliest",
                                "--checkpoint-interval",
                                "500ms"));
        options.addAll(List.of(jobOptions));
        JobRunner.runBounded(
                flink,
                kafka,
                JobOptions.parse(options.toArray(String[]::new)),
                Duration.ofMinutes(3));
    }

    public static String sessionsTopic(String prefix) {
        return prefix + "-sessions";
    }

    public static String metricsTopic(String prefix) {
        return prefix + "-metrics";
    }
}
