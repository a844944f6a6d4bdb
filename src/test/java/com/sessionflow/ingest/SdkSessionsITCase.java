package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.ingest.SdkClients.NodeRun;
import com.sessionflow.job.JobOptions;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Browser SDK as the oracle: scripted visits (an anonymous visitor, a login mid-session, a
 * returning user whose first session the SDK closes with a late session_end) go through the ingest
 * server, and the job's sessions are the SDK's own: one per (device_id, session_id) the SDK
 * assigned, with its session_id, its person (the user a device logged in as, else the device) and
 * its events, markers included. With the job's default identity, as a new user runs it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SdkSessionsITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final String EVENTS = "oracle-events";

    /** The SDK's session timeout and the job's gap; the story's waits stay 1.5 s or more away. */
    static final int SESSION_TIMEOUT_MS = 3_000;

    @Test
    void theJobsSessionsAreTheSdksOwn() throws Exception {
        KAFKA.createTopic(EVENTS, 2);
        List<JsonNode> tracked;
        try (IngestServer server =
                IngestServer.start(
                        IngestOptions.parse(
                                IngestOptions.args(KAFKA.bootstrapServers(), EVENTS, "127.0.0.1", 0)
                                        .toArray(String[]::new)))) {
            NodeRun browser =
                    SdkClients.node(
                            "browser-visits.js",
                            "--server",
                            server.url(),
                            "--story",
                            story().toString(),
                            "--session-timeout-ms",
                            String.valueOf(SESSION_TIMEOUT_MS),
                            "--prefix",
                            "oracle");
            tracked = browser.results(Duration.ofSeconds(60));
        }
        assertThat(tracked)
                .hasSize(12)
                .allSatisfy(t -> assertThat(t.path("code").asInt()).isEqualTo(200));

        JobRunner.runBounded(FLINK, KAFKA, options(), Duration.ofSeconds(90));
        Map<String, String> sessions = KafkaBroker.fold(KAFKA.readToEnd("oracle-sessions"));
        Map<String, String> got = new TreeMap<>();
        sessions.forEach(
                (key, value) -> {
                    JsonNode s = parse(value);
                    got.put(key, s.path("event_count").asText());
                });
        assertThat(got).isEqualTo(sdkSessions(tracked));
    }

    /**
     * The SDK's sessions, by the job's key {@code <person>/<session_id>}, with their event counts:
     * the tracked events, the session_start the SDK sends for each, and the session_end it sends
     * for each session of a device that has a later one.
     */
    static Map<String, String> sdkSessions(List<JsonNode> tracked) {
        Map<String, String> personOfDevice = new HashMap<>();
        Map<String, Long> lastSessionOfDevice = new HashMap<>();
        Map<String, Integer> events = new HashMap<>();
        for (JsonNode t : tracked) {
            String device = t.path("device_id").asText();
            if (!t.path("user_id").isMissingNode() && !t.path("user_id").isNull()) {
                personOfDevice.put(device, t.path("user_id").asText());
            }
            long session = t.path("session_id").asLong();
            lastSessionOfDevice.merge(device, session, Math::max);
            events.merge(device + "/" + session, 1, Integer::sum);
        }
        Map<String, String> expected = new TreeMap<>();
        events.forEach(
                (deviceSession, n) -> {
                    String device = deviceSession.substring(0, deviceSession.lastIndexOf('/'));
                    long session =
                            Long.parseLong(
                                    deviceSession.substring(deviceSession.lastIndexOf('/') + 1));
                    boolean ended = session < lastSessionOfDevice.get(device);
                    String person = personOfDevice.getOrDefault(device, device);
                    expected.put(person + "/" + session, String.valueOf(n + 1 + (ended ? 1 : 0)));
                });
        return expected;
    }

    static JobOptions options() {
        return JobRunner.prefixedOptions(
                KAFKA.bootstrapServers(),
                "oracle",
                "--gap",
                SESSION_TIMEOUT_MS + "ms",
                "--out-of-orderness",
                "1s");
    }

    static Path story() throws URISyntaxException {
        return Path.of(
                Objects.requireNonNull(
                                SdkSessionsITCase.class.getResource("/sdk/identity-story.json"))
                        .toURI());
    }

    private static JsonNode parse(String value) {
        try {
            return Upload.JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a session record: " + value, e);
        }
    }
}
