package com.sessionflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the TaskManager that runs the sessionizer, twice, while traffic flows; a new
 * TaskManager is started after each kill (two remain). The job must recover from its last
 * checkpoint each time with exactly-once output: the committed sessions equal the reference.
 */
@Tag("cluster")
class TaskManagerKillITCase {

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder("task-manager-kill").start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void theJobRecoversFromTwoTaskManagerKills() {
        long t0 = System.nanoTime();
        try (FaultScenario s = new FaultScenario(cluster, "TaskManagerKill", 11)) {
            String job = s.submit(2, null);
            s.traffic().start();
            LocalCluster.sleep(10_000);
            for (int kill = 1; kill <= 2; kill++) {
                // a completed checkpoint to recover from, taken while traffic flows
                cluster.awaitCheckpoints(job, 1, Duration.ofSeconds(60));
                Set<String> running = cluster.rest().taskManagersRunning(job, "sessionize");
                assertThat(running).as("TaskManagers running sessionize").isNotEmpty();
                String victim = running.iterator().next();
                long pid = cluster.taskManagers().get(victim).pid();
                long fault = System.currentTimeMillis();
                cluster.killTaskManager(victim);
                System.out.printf("kill -9 %d (TaskManager %s, runs sessionize)%n", pid, victim);
                String replacement = cluster.startTaskManager();
                System.out.printf("started TaskManager %s%n", replacement);
                s.awaitRecovery("TaskManagerKill#" + kill, fault);
                cluster.awaitJobRunning(job, Duration.ofSeconds(90));
                assertThat(cluster.rest().taskManagersRunning(job, "sessionize"))
                        .doesNotContain(victim);
                LocalCluster.sleep(5_000);
            }
            s.awaitAndVerify(Duration.ofSeconds(90));
            assertThat(cluster.taskManagers()).hasSize(2);
            assertThat(cluster.rest().jobState(job)).isEqualTo("RUNNING");
        }
        System.out.printf("TaskManagerKillITCase: %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
