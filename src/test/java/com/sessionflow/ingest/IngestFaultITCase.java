package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.cluster.ChildProcess;
import com.sessionflow.cluster.KafkaBrokerProcess;
import com.sessionflow.ingest.SdkClients.NodeRun;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.FreePorts;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import com.sessionflow.testing.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults while Amplitude's SDKs send through the server: the broker killed ({@code kill -9}) and
 * restarted while the Node SDK sends (the server answers 503, the SDK resends), then the server
 * itself killed and restarted while the Browser SDK sends (its uploads fail, it resends; a request
 * Kafka took but that was never answered comes twice). Not the Node SDK for the second: 1.5.73
 * drops a batch whose connection fails (code 0, "Unexpected error occurred"), see docs/ingest.md.
 * The server runs from its shaded jar, as a user deploys it; the broker in a process of its own.
 * Every track() still ends in exactly one session of the job.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IngestFaultITCase {

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    private static final String EVENTS = "fault-events";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Path dir = TestDirs.newDir("ingest-fault-");
    private final KafkaBrokerProcess broker = KafkaBrokerProcess.standalone(dir.resolve("kafka"));
    private final int port = FreePorts.next();
    private ChildProcess server;

    @AfterEach
    void stop() {
        if (server != null) server.kill();
        broker.close();
    }

    /** The shaded server jar Maven built beside the job's jar. */
    private static Path serverJar() {
        String jobJar = System.getProperty("sessionflow.job.jar");
        assertThat(jobJar).as("sessionflow.job.jar (set by Failsafe)").isNotNull();
        Path jar = Path.of(jobJar.replaceAll("\\.jar$", "-ingest.jar"));
        assertThat(jar).as("the ingest jar (mvn package builds it)").exists();
        return jar;
    }

    private void startServer() throws Exception {
        server =
                ChildProcess.start(
                        "ingest-server",
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-jar",
                                serverJar().toString(),
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--topic",
                                EVENTS,
                                "--host",
                                "127.0.0.1",
                                "--port",
                                String.valueOf(port),
                                "--send-timeout",
                                "2s"),
                        dir,
                        dir.resolve("ingest-server.log"),
                        List.of(),
                        Map.of(),
                        dir.resolve("pids.txt"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            server.checkAlive();
            try {
                if (Upload.get(url("/health")).statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server did not start: " + server.tail(30));
            }
            Thread.sleep(100);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void brokerAndServerKilledWhileSdksSendLoseNothingAndCountNothingTwice() throws Exception {
        broker.start();
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(EVENTS, 2, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        startServer();

        // the broker killed while the Node SDK sends: 503s, which the SDK resends
        NodeRun node =
                SdkClients.node(
                        "send-events.js",
                        "--server",
                        url("/2/httpapi"),
                        "--devices",
                        "3",
                        "--events",
                        "40",
                        "--interval-ms",
                        "100",
                        "--prefix",
                        "fault-node",
                        "--max-retries",
                        "50");
        Thread.sleep(1500);
        broker.kill();
        Thread.sleep(3000);
        assertThat(
                        Upload.post(
                                        url("/2/httpapi"),
                                        IngestServerITCase.body(
                                                "k",
                                                List.of(
                                                        IngestServerITCase.event(
                                                                "probe-device",
                                                                null,
                                                                "probe",
                                                                System.currentTimeMillis()))))
                                .status())
                .as("an upload while the broker is down")
                .isEqualTo(503);
        assertThat(Upload.get(url("/ready")).statusCode()).isEqualTo(503);
        broker.start();
        List<JsonNode> tracked = new ArrayList<>(node.results(Duration.ofMinutes(2)));
        assertThat(tracked).hasSize(120);
        // the SDK's own uploads were refused too, not only the probe's one event
        assertThat(metric(Upload.get(url("/metrics")).body(), "failed")).isGreaterThan(1);

        // the server killed while the Browser SDK sends: its uploads fail, it resends them to the
        // restarted server; one Kafka took but never answered for comes twice
        double before = metric(Upload.get(url("/metrics")).body(), "accepted");
        NodeRun browser =
                SdkClients.node(
                        "browser-visits.js",
                        "--server",
                        url("/2/httpapi"),
                        "--visits",
                        "3",
                        "--events",
                        "30",
                        "--interval-ms",
                        "100",
                        "--prefix",
                        "fault-web");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (metric(Upload.get(url("/metrics")).body(), "accepted") < before + 10) {
            assertThat(System.nanoTime()).as("the browser's first uploads").isLessThan(deadline);
            Thread.sleep(100);
        }
        server.kill();
        Thread.sleep(1000);
        startServer();
        List<JsonNode> fromBrowser = browser.results(Duration.ofMinutes(2));
        assertThat(fromBrowser).hasSize(90);
        tracked.addAll(fromBrowser);

        JobClient job = SdkIngestITCase.startJob(broker.bootstrapServers(), FLINK, "fault");
        try {
            SessionCheck.assertEveryTrackInExactlyOneSession(
                    topic -> KafkaBroker.readToEnd(broker.clientProperties(), topic),
                    EVENTS,
                    "fault-sessions",
                    tracked,
                    DEADLINE);
        } finally {
            JobRunner.cancel(job);
        }
        assertThat(Files.readString(server.output())).doesNotContain("Exception in thread");
        int records = KafkaBroker.readToEnd(broker.clientProperties(), EVENTS).size();
        System.out.printf(
                "IngestFaultITCase: %d track() calls, %d records in %s (resent ones included)%n",
                tracked.size(), records, EVENTS);
    }

    /** An events_total counter of the server's /metrics. */
    private static double metric(String metrics, String outcome) {
        String name = "sessionflow_ingest_events_total{outcome=\"" + outcome + "\"}";
        return metrics.lines()
                .filter(l -> l.startsWith(name))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
