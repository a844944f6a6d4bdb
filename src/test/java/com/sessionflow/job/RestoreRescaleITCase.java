package com.sessionflow.job;

import static com.sessionflow.testing.AmplitudeJson.parse;
import static com.sessionflow.testing.KafkaBroker.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import com.sessionflow.testing.TestDirs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stop with a savepoint and resume at another parallelism (2, then 3, then 1): every partition's
 * watermark goes on from where it was. Before the source checkpointed each partition's clock, a
 * restored partition that stayed quiet for the idle timeout was taken for one that never had an
 * event: the other partition then set the watermark alone, one event far ahead on it made the quiet
 * partition's next events too late, and sessions open at the restore did not close on quiet input.
 * Here the same traffic must give the reference's sessions and no late event.
 */
class RestoreRescaleITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster(3);

    private static final String TOPIC = "rescale-events";
    private static final long GAP = 10_000;
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    private final List<Event> sent = new ArrayList<>();
    // in the past, so the Kafka timestamps (now) are never behind the events' own times
    private final long base = System.currentTimeMillis() - 30 * 60_000;

    private static JobOptions options(int parallelism) {
        return JobOptions.parse(
                new String[] {
                    "--bootstrap-servers", KAFKA.bootstrapServers(),
                    "--input-topics", TOPIC,
                    "--sessions-topic", "rescale-sessions",
                    "--dlq-topic", "rescale-dlq",
                    "--late-topic", "rescale-late",
                    "--metrics-topic", "rescale-metrics",
                    "--group-id", "rescale",
                    "--transactional-id-prefix", "rescale",
                    "--starting-offsets", "earliest",
                    "--parallelism", String.valueOf(parallelism),
                    "--checkpoint-interval", "500ms",
                    "--gap", "10s",
                    "--out-of-orderness", "1s",
                    "--idle-timeout", "2s",
                    "--allowed-lateness", "0s"
                });
    }

    /** Events every second from {@code from} to {@code to} (seconds after base) per owner. */
    private void send(int partition, String owner, int from, int to) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int s = from; s <= to; s++) {
            Event e =
                    AmplitudeJson.event(
                            owner,
                            owner + "-device",
                            "view_item",
                            base + s * 1_000L,
                            owner + "-" + s,
                            "iOS");
            sent.add(e);
            records.add(
                    new ProducerRecord<>(
                            TOPIC,
                            partition,
                            utf8(owner),
                            utf8(AmplitudeJson.text(AmplitudeJson.v2(e, e.userId)))));
        }
        KAFKA.produce(records);
    }

    private static String stopWithSavepoint(JobClient job) throws Exception {
        return job.stopWithSavepoint(
                        false,
                        TestDirs.tmp().resolve("rescale-savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
    }

    private static JobClient resume(String savepoint, int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        return JobRunner.start(FLINK, options(parallelism), conf);
    }

    @Test
    void everyPartitionGoesOnFromItsClockAfterARescale() throws Exception {
        KAFKA.createTopic(TOPIC, 2);
        JobClient job = JobRunner.start(FLINK, options(2));
        try {
            send(0, "ana", 0, 15);
            send(1, "bo", 0, 15);
            Thread.sleep(3_000); // read and checkpointed: both partitions have a past
            String savepoint = stopWithSavepoint(job);

            job = resume(savepoint, 3);
            // one event far ahead on partition 0 only; partition 1 stays quiet past the idle
            // timeout, then both get ordinary traffic
            send(0, "cy", 50, 50);
            Thread.sleep(3_000);
            send(0, "ana", 20, 30);
            send(1, "bo", 20, 30);
            Thread.sleep(2_000);
            savepoint = stopWithSavepoint(job);

            job = resume(savepoint, 1);
            send(0, "ana", 45, 55);
            send(1, "bo", 45, 55);

            // then nothing: quiet input must close every session, those open at a restore too
            Map<String, ExpectedSession> expected =
                    ReferenceSessionizer.byKey(ReferenceSessionizer.sessionize(sent, GAP));
            Map<String, String> sessions =
                    KafkaBroker.fold(
                            KAFKA.awaitRecords(
                                    "rescale-sessions",
                                    r ->
                                            KafkaBroker.fold(r)
                                                    .keySet()
                                                    .containsAll(expected.keySet()),
                                    DEADLINE));
            assertThat(KAFKA.readToEnd("rescale-late")).as("late events").isEmpty();
            assertThat(sessions.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, ExpectedSession> e : expected.entrySet()) {
                JsonNode n = parse(sessions.get(e.getKey()));
                assertThat(e.getValue().matches(n)).as("%s vs %s", e.getValue(), n).isTrue();
            }
        } finally {
            JobRunner.cancel(job);
        }
    }
}
