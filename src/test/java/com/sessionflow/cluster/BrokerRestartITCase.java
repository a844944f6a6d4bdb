package com.sessionflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the Kafka broker while the job runs and traffic flows, then the broker started
 * again on the same log folder and port, as a crashed broker is. The job's source, its
 * transactional sinks and the test's producer all have to ride it out: the committed sessions still
 * equal the reference, nothing twice, nothing late.
 */
@Tag("cluster")
class BrokerRestartITCase {

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder("broker-restart").start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void theJobRidesOutABrokerCrash() {
        long t0 = System.nanoTime();
        try (FaultScenario s = new FaultScenario(cluster, "BrokerRestart", 22)) {
            String job = s.submit(2, null);
            s.traffic().start();
            LocalCluster.sleep(10_000);
            cluster.awaitCheckpoints(job, 1, Duration.ofSeconds(60));

            KafkaBrokerProcess broker = cluster.broker();
            long pid = broker.pid();
            long fault = System.currentTimeMillis();
            broker.kill();
            System.out.printf("kill -9 %d (the broker)%n", pid);
            // down for a few seconds, while the test's producer keeps buffering traffic
            LocalCluster.sleep(3_000);
            long t = System.nanoTime();
            broker.start();
            System.out.printf(
                    "broker restarted on %s (pid %d) in %.1f s%n",
                    broker.bootstrapServers(), broker.pid(), (System.nanoTime() - t) / 1e9);
            s.awaitRecovery("BrokerRestart", fault);
            cluster.awaitJobRunning(job, Duration.ofSeconds(90));
            LocalCluster.sleep(8_000);

            s.awaitAndVerify(Duration.ofSeconds(90));
            assertThat(cluster.rest().jobState(job)).isEqualTo("RUNNING");
        }
        System.out.printf("BrokerRestartITCase: %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
