package com.sessionflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Stop with a savepoint at parallelism 2, resume from it at 3, stop again and resume at 1: open
 * sessions, deduplication state and the sinks' transactions move between subtasks.
 *
 * <p>The traffic after each restore reproduces a bug this scenario once had: the source's
 * per-partition watermark memory was not in the savepoint, so after a restore a partition without
 * events yet was idle and did not hold the watermark back. First one event 30 s ahead in event time
 * on partition 0 only, then (after more than the idle timeout) ordinary traffic on both: with the
 * bug the watermark jumped 30 s ahead and partition 1's events were too late (the allowed lateness
 * is 0 here, so they went to the late topic and were missing from their sessions).
 */
@Tag("cluster")
class RescaleITCase {

    private static final long AHEAD_MS = 30_000;

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder("rescale").start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void sessionsSurviveRescalingThroughSavepoints() {
        long t0 = System.nanoTime();
        try (FaultScenario s =
                new FaultScenario(cluster, "Rescale", 33, "--allowed-lateness", "0s")) {
            String job = s.submit(2, null);
            assertParallelism(job, 2);
            s.traffic().start();
            LocalCluster.sleep(10_000);

            for (int parallelism : List.of(3, 1)) {
                s.traffic().pause();
                long stop = System.currentTimeMillis();
                String savepoint = cluster.stopWithSavepoint(job);
                // measured from the end of the old job: the savepoint itself commits the old
                // job's last sessions
                long fault = System.currentTimeMillis();
                System.out.printf(
                        "stopped job %s with savepoint %s in %.1f s%n",
                        job, savepoint, (fault - stop) / 1e3);
                job = s.submit(parallelism, savepoint);
                assertParallelism(job, parallelism);
                s.traffic().sendAhead(0, AHEAD_MS);
                // longer than the idle timeout: a partition the restore forgot would be idle now
                LocalCluster.sleep(3_000);
                s.traffic().resume();
                s.awaitRecovery("Rescale->" + parallelism, fault);
                LocalCluster.sleep(8_000);
            }
            s.awaitAndVerify(Duration.ofSeconds(100));
            assertThat(cluster.rest().jobState(job)).isEqualTo("RUNNING");
        }
        System.out.printf("RescaleITCase: %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static void assertParallelism(String job, int parallelism) {
        List<JsonNode> sessionize = cluster.rest().vertices(job, "sessionize");
        assertThat(sessionize).hasSize(1);
        assertThat(sessionize.get(0).path("parallelism").asInt()).isEqualTo(parallelism);
    }
}
