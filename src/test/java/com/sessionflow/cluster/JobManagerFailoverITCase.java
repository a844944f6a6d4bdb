package com.sessionflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the JobManager while the job runs and traffic flows, on a cluster with
 * ZooKeeper high availability ({@link LocalCluster.Builder#zooKeeperHa()}); then a new JobManager
 * process on the same configuration, as a process supervisor (systemd, Kubernetes) would start one.
 * It must take over leadership, find the job in the HA store and run it again under the same job id
 * from its latest completed checkpoint; the two TaskManagers (not restarted) must register with it.
 * Exactly-once output across it: the committed sessions equal the reference.
 *
 * <p>Without HA the same kill loses the job: the new JobManager knows of no job.
 */
@Tag("cluster")
class JobManagerFailoverITCase {

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder("job-manager-failover").zooKeeperHa().start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void theJobSurvivesAJobManagerKill() {
        long t0 = System.nanoTime();
        Map<String, String> config = cluster.rest().jobManagerConfig();
        assertThat(config).containsEntry("high-availability.type", "zookeeper");
        try (FaultScenario s = new FaultScenario(cluster, "JobManagerKill", 33)) {
            String job = s.submit(2, null);
            s.traffic().start();
            LocalCluster.sleep(10_000);
            // a completed checkpoint to recover from, taken while traffic flows
            cluster.awaitCheckpoints(job, 1, Duration.ofSeconds(60));
            long checkpoint = cluster.rest().latestCompletedCheckpointId(job);
            assertThat(checkpoint).as("latest completed checkpoint").isPositive();

            long pid = cluster.jobManager().pid();
            long fault = System.currentTimeMillis();
            cluster.killJobManager();
            System.out.printf(
                    "kill -9 %d (the JobManager; latest completed checkpoint %d)%n",
                    pid, checkpoint);
            cluster.startJobManager();
            System.out.printf(
                    Locale.ROOT,
                    "new JobManager pid %d answers REST after %.1f s%n",
                    cluster.jobManager().pid(),
                    (System.currentTimeMillis() - fault) / 1000.0);
            cluster.awaitJobRunning(job, Duration.ofMinutes(2));
            System.out.printf(
                    Locale.ROOT,
                    "job %s RUNNING again %.1f s after the kill%n",
                    job,
                    (System.currentTimeMillis() - fault) / 1000.0);
            s.awaitRecovery("JobManagerKill", fault);

            // the same job, recovered (not resubmitted) from a checkpoint at least as new as the
            // one completed before the kill
            assertThat(cluster.rest().jobs())
                    .as("jobs on the new JobManager")
                    .containsOnlyKeys(job);
            JsonNode restored =
                    Deadline.awaitValue(
                            "job " + job + " to report the checkpoint it was restored from",
                            Duration.ofSeconds(30),
                            Duration.ofMillis(250),
                            () -> cluster.rest().restoredCheckpoint(job).orElse(null),
                            () -> cluster.diagnostics(20));
            System.out.printf("restored from %s%n", restored);
            assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
            assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(checkpoint);
            assertThat(cluster.taskManagers()).hasSize(2);
            assertThat(cluster.rest().taskManagerIds())
                    .containsExactlyInAnyOrderElementsOf(cluster.taskManagers().keySet());
            LocalCluster.sleep(5_000);

            s.awaitAndVerify(Duration.ofSeconds(90));
            assertThat(cluster.rest().jobState(job)).isEqualTo("RUNNING");
        }
        System.out.printf("JobManagerFailoverITCase: %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
