package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.ingest.SdkClients.NodeRun;
import com.sessionflow.ingest.SdkClients.Tls;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Amplitude's own SDKs, unmodified, pointed at the ingest server: the Browser SDK in headless
 * Chromium (from another origin, so through CORS), the Node SDK, and the Java SDK over TLS. The job
 * runs on the events they send, and every track() ends in exactly one session.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SdkIngestITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final String EVENTS = "sdk-events";
    static final String SESSIONS = "sdk-sessions";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static IngestServer http;
    private static IngestServer https;
    private static JobClient job;
    private static SSLSocketFactory previousTls;

    /** The job on the events topic, closing sessions after 2 s of quiet. */
    static JobClient startJob(String bootstrapServers, FlinkCluster flink, String prefix)
            throws Exception {
        return JobRunner.start(
                flink,
                JobRunner.prefixedOptions(
                        bootstrapServers,
                        prefix,
                        "--gap",
                        "2s",
                        "--idle-timeout",
                        "500ms",
                        "--out-of-orderness",
                        "1s"));
    }

    @BeforeAll
    static void start() throws Exception {
        KAFKA.createTopic(EVENTS, 2);
        http =
                IngestServer.start(
                        IngestOptions.parse(
                                IngestOptions.args(KAFKA.bootstrapServers(), EVENTS, "127.0.0.1", 0)
                                        .toArray(String[]::new)));
        Tls tls = Tls.selfSigned();
        List<String> args = IngestOptions.args(KAFKA.bootstrapServers(), EVENTS, "127.0.0.1", 0);
        args.addAll(
                List.of(
                        "--tls-cert",
                        tls.certPem().toString(),
                        "--tls-key",
                        tls.keyPem().toString()));
        https = IngestServer.start(IngestOptions.parse(args.toArray(String[]::new)));
        previousTls = tls.trustForHttpsUrlConnection();
        job = startJob(KAFKA.bootstrapServers(), FLINK, "sdk");
    }

    @AfterAll
    static void stop() throws Exception {
        if (previousTls != null) HttpsURLConnection.setDefaultSSLSocketFactory(previousTls);
        if (job != null) JobRunner.cancel(job);
        if (http != null) http.close();
        if (https != null) https.close();
    }

    /** All three SDKs at once, as a site with a web front end and two back ends would send. */
    @Test
    void everyTrackOfEverySdkEndsInExactlyOneSession() throws Exception {
        assertThat(Files.isExecutable(Path.of("/usr/bin/chromium")))
                .as("Chromium (Debian's package, installed by .ci/run)")
                .isTrue();
        NodeRun browser =
                SdkClients.node(
                        "browser-visits.js",
                        "--server",
                        http.url(),
                        "--visits",
                        "3",
                        "--events",
                        "8",
                        "--interval-ms",
                        "100",
                        "--prefix",
                        "web");
        NodeRun node =
                SdkClients.node(
                        "send-events.js",
                        "--server",
                        http.url(),
                        "--devices",
                        "3",
                        "--events",
                        "15",
                        "--interval-ms",
                        "50",
                        "--prefix",
                        "node");
        List<JsonNode> tracked = new ArrayList<>(SdkClients.javaSdk(https.url(), "java", 3, 10));
        List<JsonNode> fromNode = node.results(DEADLINE);
        List<JsonNode> fromBrowser = browser.results(DEADLINE);
        assertThat(fromNode).hasSize(45);
        assertThat(fromBrowser).hasSize(24);
        assertThat(tracked).hasSize(30);
        tracked.addAll(fromNode);
        tracked.addAll(fromBrowser);
        SessionCheck.assertEveryTrackInExactlyOneSession(
                KAFKA::readToEnd, EVENTS, SESSIONS, tracked, DEADLINE);
    }
}
