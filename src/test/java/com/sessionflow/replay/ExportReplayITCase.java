package com.sessionflow.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real-looking Amplitude export lines replayed from files in BATCH mode: timestamps with space and
 * T and 0 to 6 fraction digits, $insert_id duplicates, amplitude_id, null and invalid user_id,
 * markers, session_id -1, and bad lines that land in the dead-letter file with their file name and
 * line number. Expected sessions are worked out by hand below.
 */
@Timeout(180)
class ExportReplayITCase {

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final String EXPORT_FILE = "187520_2019-11-12_14#0.json.gz";
    static final String PLAIN_FILE = "extra.json";
    static Path exportDir;

    static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    /** When the export lines below were uploaded (their server_upload_time is 2 s later). */
    static final long UPLOADED = t("2019-11-12T17:00:00Z");

    /**
     * An export line ({@link AmplitudeJson#export}) with {@code clientEventTime} as written here
     * and the given amplitude_id; a null {@code userId} is written as {@code "user_id": null}.
     */
    static String exportLine(
            String userId,
            String deviceId,
            String eventType,
            String clientEventTime,
            long sessionId,
            String insertId,
            long amplitudeId,
            String platform) {
        Event e = AmplitudeJson.event(userId, deviceId, eventType, UPLOADED, insertId, platform);
        e.sdkSessionId = sessionId;
        ObjectNode n =
                AmplitudeJson.export(e, userId, clientEventTime).put("amplitude_id", amplitudeId);
        if (userId == null) n.putNull("user_id");
        return AmplitudeJson.text(n);
    }

    @BeforeAll
    static void writeFiles() throws Exception {
        exportDir = TestDirs.newDir("export-");
        String l1 =
                exportLine(
                        "alice",
                        "D1",
                        "app_open",
                        "2019-11-12 14:43:48.924000",
                        1573569828924L,
                        "ins-1",
                        5000001L,
                        "iOS");
        List<String> lines =
                List.of(
                        l1,
                        exportLine(
                                "alice",
                                "D1",
                                "view",
                                "2019-11-12T14:45:00.5",
                                1573569828924L,
                                "ins-2",
                                5000001L,
                                "iOS"),
                        exportLine(
                                "alice",
                                "D1",
                                "push_received",
                                "2019-11-12 14:46:10.25",
                                -1L,
                                "ins-3",
                                5000001L,
                                "iOS"),
                        exportLine(
                                "alice",
                                "D1",
                                "[Amplitude] End Session",
                                "2019-11-12 14:47:59",
                                1573569828924L,
                                "ins-4",
                                5000001L,
                                "iOS"),
                        exportLine(
                                null,
                                "D2",
                                "app_open",
                                "2019-11-12 14:50:00.123456",
                                1573570200123L,
                                "ins-5",
                                5000002L,
                                "Web"),
                        l1, // a retried upload: the same (device_id, $insert_id) counts once
                        "",
                        exportLine(
                                "alice",
                                "D1",
                                "view",
                                "2019-11-12 25:00:00",
                                1573569828924L,
                                "ins-bad",
                                5000001L,
                                "iOS"),
                        "{\"event_type\": \"view\", ",
                        exportLine(
                                "alice",
                                "D1",
                                "view",
                                "2019-11-12 15:00:00.1",
                                1573570800100L,
                                "ins-6",
                                5000001L,
                                "iOS"));
        ReplaySupport.writeGzip(exportDir.resolve("187520").resolve(EXPORT_FILE), lines);
        Files.write(
                exportDir.resolve(PLAIN_FILE),
                List.of(
                        exportLine(
                                "null",
                                "D3",
                                "app_open",
                                "2019-11-12 16:00:00.000001",
                                1573574400000L,
                                "ins-7",
                                5000003L,
                                "Web"),
                        exportLine(
                                "null",
                                "D3",
                                "click",
                                "2019-11-12T16:04:59.999",
                                1573574400000L,
                                "ins-8",
                                5000003L,
                                "Web"),
                        "{\"amplitude_id\": 5000004, \"event_type\": \"view\","
                                + " \"client_event_time\": \"2019-11-12 16:00:00\"}"),
                StandardCharsets.UTF_8);
        Files.writeString(exportDir.resolve("_SUCCESS"), "not an export file");
    }

    static Map<String, String> replay(Path input) throws Exception {
        Path out = TestDirs.newDir("ndjson-");
        ExportReplay replay =
                ExportReplay.parse(
                        "--input",
                        input.toString(),
                        "--output-dir",
                        out.toString(),
                        "--gap",
                        "5m",
                        "--parallelism",
                        "2");
        lastSummary = ExportReplay.summary(replay, ExportReplay.run(FLINK.env(), replay));
        lastOutput = out;
        return ReplaySupport.byKey(ReplaySupport.readNdjson(out.resolve("sessions")));
    }

    static Path lastOutput;
    static String lastSummary;

    @Test
    void exportLinesBecomeTheSessionsWorkedOutByHand() throws Exception {
        Map<String, String> sessions = replay(exportDir);
        long t1 = t("2019-11-12T14:43:48.924Z");
        long t4 = t("2019-11-12T14:47:59Z");
        long t5 = t("2019-11-12T14:50:00.123Z");
        long t6 = t("2019-11-12T15:00:00.100Z");
        long t7 = t("2019-11-12T16:00:00Z"); // .000001: sub-millisecond digits are dropped
        long t8 = t("2019-11-12T16:04:59.999Z");
        assertThat(sessions).containsOnlyKeys("alice/" + t1, "alice/" + t6, "D2/" + t5, "D3/" + t7);

        JsonNode a = AmplitudeJson.parse(sessions.get("alice/" + t1));
        // app_open, view, End Session marker; the -1 push is out of session; the duplicate counts
        // once
        assertThat(a.get("start_time").asLong()).isEqualTo(t1);
        assertThat(a.get("end_time").asLong()).isEqualTo(t4);
        assertThat(a.get("length_ms").asLong()).isEqualTo(t4 - t1).isEqualTo(250_076L);
        assertThat(a.get("event_count").asLong()).isEqualTo(3);
        assertThat(a.get("active_event_count").asLong()).isEqualTo(2);
        assertThat(a.get("first_event_type").asText()).isEqualTo("app_open");
        assertThat(a.get("last_event_type").asText()).isEqualTo("[Amplitude] End Session");
        assertThat(a.get("user_id").asText()).isEqualTo("alice");
        assertThat(a.get("device_id").asText()).isEqualTo("D1");
        assertThat(a.get("platform").asText()).isEqualTo("iOS");
        assertThat(a.get("definition").asText()).isEqualTo("gap");
        assertThat(a.get("revision").asInt()).isEqualTo(1);
        assertThat(a.get("close_reason").asText()).isEqualTo("end_of_input");

        JsonNode later =
                AmplitudeJson.parse(sessions.get("alice/" + t6)); // 12 min after 14:47:59: gap 5m
        assertThat(later.get("event_count").asLong()).isEqualTo(1);
        assertThat(later.get("zero_length").asBoolean()).isTrue();

        JsonNode d2 =
                AmplitudeJson.parse(sessions.get("D2/" + t5)); // user_id null: owner is the device
        assertThat(d2.get("user_id").isNull()).isTrue();
        assertThat(d2.get("platform").asText()).isEqualTo("Web");

        JsonNode d3 =
                AmplitudeJson.parse(sessions.get("D3/" + t7)); // user_id "null" is no id either
        assertThat(d3.get("user_id").isNull()).isTrue();
        assertThat(d3.get("end_time").asLong()).isEqualTo(t8);
        assertThat(d3.get("event_count").asLong()).isEqualTo(2);
        assertThat(d3.get("length_ms").asLong()).isEqualTo(299_999L);

        assertDeadLetters(lastOutput.resolve("dead-letters"));
        // what the console prints at the end counts what the files hold, and says where they are
        assertThat(lastSummary)
                .containsPattern(
                        "sessions +"
                                + sessions.size()
                                + " +"
                                + Pattern.quote(lastOutput.resolve("sessions").toString()))
                .containsPattern(
                        "dead letters +3 +"
                                + Pattern.quote(lastOutput.resolve("dead-letters").toString()))
                .containsPattern("late events +0 ");
    }

    static void assertDeadLetters(Path dir) throws Exception {
        List<JsonNode> dead =
                ReplaySupport.readNdjson(dir).stream()
                        .map(AmplitudeJson::parse)
                        .filter(n -> n.has("reason"))
                        .sorted(
                                (x, y) ->
                                        (x.get("file").asText() + x.get("line").asLong())
                                                .compareTo(
                                                        y.get("file").asText()
                                                                + y.get("line").asLong()))
                        .toList();
        assertThat(dead).hasSize(3);
        assertThat(dead)
                .extracting(
                        n ->
                                n.get("file").asText()
                                        + ":"
                                        + n.get("line").asLong()
                                        + " "
                                        + n.get("reason").asText())
                .containsExactly(
                        EXPORT_FILE + ":8 bad_time",
                        EXPORT_FILE + ":9 not_json",
                        PLAIN_FILE + ":3 no_owner");
        for (JsonNode n : dead) {
            assertThat(n.get("topic").asText()).isEqualTo(n.get("file").asText());
            assertThat(n.get("partition").asInt()).isEqualTo(-1);
            assertThat(n.get("offset").asLong()).isEqualTo(n.get("line").asLong());
            assertThat(n.get("detail").asText()).isNotBlank();
        }
        assertThat(dead.get(0).get("original").asText()).contains("2019-11-12 25:00:00");
        assertThat(dead.get(1).get("original").asText()).isEqualTo("{\"event_type\": \"view\", ");
    }

    @Test
    void anExportApiZipGivesTheSameSessionsAsItsFiles() throws Exception {
        Map<String, String> fromDir = replay(exportDir);
        Path zip = TestDirs.newDir("zip-").resolve("export.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("187520/"));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("187520/" + EXPORT_FILE));
            z.write(Files.readAllBytes(exportDir.resolve("187520").resolve(EXPORT_FILE)));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("187520/" + PLAIN_FILE));
            z.write(Files.readAllBytes(exportDir.resolve(PLAIN_FILE)));
            z.closeEntry();
        }
        Map<String, String> fromZip = replay(zip);
        assertThat(fromZip).hasSize(4).isEqualTo(fromDir);
        assertDeadLetters(lastOutput.resolve("dead-letters"));
    }
}
