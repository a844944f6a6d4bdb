package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.ingest.SdkClients.NodeRun;
import com.sessionflow.job.JobOptions;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Amplitude SDKs as the oracle: scripted visits of the Browser SDK (an anonymous visitor, a
 * login mid-session, a returning user whose first session the SDK closes with a late session_end, a
 * page reload, a logout and reset(), a device shared by two users with a logout between, two
 * devices of one user) and the Node SDK's server-side events (without session_id, and with -1) go
 * through the ingest server, and with the job's defaults its sessions are the SDKs' own: one per
 * (device_id, session_id) the SDK assigned, with its start, end and events, markers included, under
 * its person (Amplitude's rules: the user the group's events name, else the device's first user,
 * else the device). Events without session_id form inferred sessions; -1 events none.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SdkSessionsITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final String EVENTS = "oracle-events";

    /** The SDK's session timeout and the job's gap; the story's waits stay 1.5 s or more away. */
    static final int SESSION_TIMEOUT_MS = 3_000;

    @Test
    void theJobsSessionsAreTheSdksOwn() throws Exception {
        KAFKA.createTopic(EVENTS, 2);
        try (IngestServer server = ingestServer(EVENTS)) {
            NodeRun browser = browser(server, "identity-story.json", SESSION_TIMEOUT_MS);
            NodeRun serverSide = serverSide(server, "oracle-server", "");
            NodeRun outOfSession = serverSide(server, "oracle-server-out", "-1");
            assertAllAccepted(browser, 29);
            assertAllAccepted(serverSide, 6);
            assertAllAccepted(outOfSession, 6);
        }
        JobRunner.runBounded(
                FLINK,
                KAFKA,
                options("oracle", "--gap", SESSION_TIMEOUT_MS + "ms"),
                Duration.ofSeconds(90));
        assertThat(sessions(KafkaBroker.fold(KAFKA.readToEnd("oracle-sessions"))))
                .isEqualTo(sdkSessions(sent(EVENTS)));
    }

    /**
     * The web SDK's default: a 30-minute timeout, so a session's session_end comes with the next
     * session, half an hour after its time, when other devices have long moved event time on. The
     * page's clock jumps ahead instead of the test waiting, and the job runs live, so that event
     * time moves between the records as they arrive. The session_end revises its session (a later
     * revision); it does not open one of its own.
     */
    @Test
    void aSessionEndHalfAnHourLateRevisesItsSession() throws Exception {
        String events = "web-events";
        KAFKA.createTopic(events, 1);
        // the page's clock runs ahead of the broker's: not a broken device here; one partition,
        // so that the other device moves the session's event time, and the source subtask
        // without one idle at once
        JobClient job =
                JobRunner.start(
                        FLINK,
                        options(
                                "web",
                                "--gap",
                                "30m",
                                "--max-clock-ahead",
                                "2h",
                                "--idle-timeout",
                                "500ms"));
        try {
            try (IngestServer server = ingestServer(events)) {
                assertAllAccepted(browser(server, "web-timeout-story.json", 30 * 60 * 1000), 5);
            }
            List<JsonNode> sent = sent(events);
            Map<String, String> expected = sdkSessions(sent);
            // one more device, later than every open session's gap, closes them
            long last = sent.stream().mapToLong(e -> e.path("time").asLong()).max().orElseThrow();
            Event closer =
                    AmplitudeJson.event(
                            null, "oracle-web-closer", "view", last + 35 * 60_000, "closer", "Web");
            KAFKA.produce(
                    List.of(
                            KafkaBroker.record(
                                    events,
                                    closer.deviceId,
                                    AmplitudeJson.text(AmplitudeJson.v2(closer, null)))));
            KAFKA.awaitRecords(
                    "web-sessions",
                    r -> sessions(KafkaBroker.fold(r)).equals(expected),
                    Duration.ofSeconds(60));
            String first =
                    expected.keySet().stream()
                            .filter(k -> k.startsWith("oracle-web-device/"))
                            .min(String::compareTo)
                            .orElseThrow();
            // the session_end's time is its session's last event's + 1 ms: a version written
            // before it came ends earlier than the last version
            List<Long> ends = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.readToEnd("web-sessions")) {
                if (first.equals(new String(r.key(), StandardCharsets.UTF_8))
                        && r.value() != null) {
                    ends.add(
                            parse(new String(r.value(), StandardCharsets.UTF_8))
                                    .path("end_time")
                                    .asLong());
                }
            }
            assertThat(ends.get(0))
                    .as("written when its gap expired, then revised by its session_end: %s", ends)
                    .isLessThan(ends.get(ends.size() - 1));
        } finally {
            JobRunner.cancel(job);
        }
    }

    static IngestServer ingestServer(String topic) throws Exception {
        return IngestServer.start(
                IngestOptions.parse(
                        IngestOptions.args(KAFKA.bootstrapServers(), topic, "127.0.0.1", 0)
                                .toArray(String[]::new)));
    }

    static NodeRun browser(IngestServer server, String story, int sessionTimeoutMs)
            throws Exception {
        return SdkClients.node(
                "browser-visits.js",
                "--server",
                server.url(),
                "--story",
                story(story).toString(),
                "--session-timeout-ms",
                String.valueOf(sessionTimeoutMs),
                "--prefix",
                "oracle");
    }

    static void assertAllAccepted(NodeRun run, int tracked) throws Exception {
        assertThat(run.results(Duration.ofSeconds(60)))
                .hasSize(tracked)
                .allSatisfy(t -> assertThat(t.path("code").asInt()).isEqualTo(200));
    }

    /** What the SDKs sent, as the ingest server wrote it: one event per record. */
    static List<JsonNode> sent(String topic) throws Exception {
        List<JsonNode> sent = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readToEnd(topic)) {
            sent.add(Upload.JSON.readTree(r.value()));
        }
        return sent;
    }

    /** Compacted session records as "N events, start..end" by key. */
    static Map<String, String> sessions(Map<String, String> compacted) {
        Map<String, String> got = new TreeMap<>();
        compacted.forEach(
                (key, value) -> {
                    JsonNode s = parse(value);
                    got.put(
                            key,
                            s.path("event_count").asText()
                                    + " events, "
                                    + s.path("start_time").asText()
                                    + ".."
                                    + s.path("end_time").asText());
                });
        return got;
    }

    /** Two server-side devices, three events each, with the given session_id ("": none). */
    static NodeRun serverSide(IngestServer server, String prefix, String sessionId)
            throws Exception {
        return SdkClients.node(
                "send-events.js",
                "--server",
                server.url(),
                "--devices",
                "2",
                "--events",
                "3",
                "--prefix",
                prefix,
                "--session-id",
                sessionId);
    }

    /**
     * The SDKs' sessions, by the job's key {@code <person>/<session_id>}, from what they sent: each
     * (device_id, session_id) group (events without session_id, one group per device), -1 left out;
     * its session_id is its first event's time (the SDK's session_start has the time of its id;
     * after reset() the new device's part starts with its first event).
     */
    static Map<String, String> sdkSessions(List<JsonNode> sent) {
        Map<String, String> firstUserOfDevice = new HashMap<>();
        Map<String, Long> firstUserTime = new HashMap<>();
        Map<String, List<JsonNode>> groups = new TreeMap<>();
        for (JsonNode e : sent) {
            String device = e.path("device_id").asText();
            String user = e.path("user_id").asText(null);
            long time = e.path("time").asLong();
            if (user != null && time < firstUserTime.getOrDefault(device, Long.MAX_VALUE)) {
                firstUserOfDevice.put(device, user);
                firstUserTime.put(device, time);
            }
            long session = e.path("session_id").asLong(Long.MIN_VALUE);
            if (session == -1) continue;
            groups.computeIfAbsent(device + "/" + session, g -> new ArrayList<>()).add(e);
        }
        Map<String, String> expected = new TreeMap<>();
        groups.forEach(
                (group, events) -> {
                    String device = events.get(0).path("device_id").asText();
                    String person =
                            events.stream()
                                    .map(e -> e.path("user_id").asText(null))
                                    .filter(Objects::nonNull)
                                    .findFirst()
                                    .orElse(firstUserOfDevice.getOrDefault(device, device));
                    long start =
                            events.stream()
                                    .mapToLong(e -> e.path("time").asLong())
                                    .min()
                                    .orElseThrow();
                    long end =
                            events.stream()
                                    .mapToLong(e -> e.path("time").asLong())
                                    .max()
                                    .orElseThrow();
                    expected.put(
                            person + "/" + start, events.size() + " events, " + start + ".." + end);
                });
        return expected;
    }

    /** The job's defaults but for the topics (prefixed) and {@code more}. */
    static JobOptions options(String prefix, String... more) {
        List<String> args = new ArrayList<>(List.of("--out-of-orderness", "1s"));
        args.addAll(List.of(more));
        return JobRunner.prefixedOptions(
                KAFKA.bootstrapServers(), prefix, args.toArray(String[]::new));
    }

    static Path story(String name) throws URISyntaxException {
        return Path.of(
                Objects.requireNonNull(SdkSessionsITCase.class.getResource("/sdk/" + name))
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
