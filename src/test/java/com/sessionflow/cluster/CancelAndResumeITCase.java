package com.sessionflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cancel the job while traffic flows, then start it again from its last retained checkpoint
 * (flink-conf keeps it on cancellation: {@code externalized-checkpoint-retention:
 * RETAIN_ON_CANCELLATION}). What the cancelled job wrote after that checkpoint was never committed;
 * the resumed job reads those records again and writes them once.
 */
@Tag("cluster")
class CancelAndResumeITCase {

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder("cancel-and-resume").start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void theJobResumesFromItsRetainedCheckpoint() {
        long t0 = System.nanoTime();
        try (FaultScenario s = new FaultScenario(cluster, "CancelAndResume", 44)) {
            String job = s.submit(2, null);
            s.traffic().start();
            LocalCluster.sleep(10_000);
            cluster.awaitCheckpoints(job, 1, Duration.ofSeconds(60));

            long fault = System.currentTimeMillis();
            cluster.cancelJob(job);
            String checkpoint =
                    cluster.latestCheckpoint(job)
                            .orElseThrow(
                                    () ->
                                            new AssertionError(
                                                    "job " + job + " has no completed checkpoint"));
            System.out.printf(
                    "cancelled job %s in %.1f s; its last checkpoint: %s%n",
                    job, (System.currentTimeMillis() - fault) / 1e3, checkpoint);
            assertThat(Files.isRegularFile(Path.of(URI.create(checkpoint)).resolve("_metadata")))
                    .as("the checkpoint %s is retained after the cancellation", checkpoint)
                    .isTrue();
            // traffic keeps coming while the job is down: the resumed job catches up
            LocalCluster.sleep(2_000);

            String resumed = s.submit(2, checkpoint);
            s.awaitRecovery("CancelAndResume", fault);
            LocalCluster.sleep(8_000);

            s.awaitAndVerify(Duration.ofSeconds(90));
            assertThat(cluster.rest().jobState(resumed)).isEqualTo("RUNNING");
        }
        System.out.printf("CancelAndResumeITCase: %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
