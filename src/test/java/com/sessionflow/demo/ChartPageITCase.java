package com.sessionflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sessionflow.job.JobOptions;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.KafkaBroker;
import com.sessionflow.testing.SessionizedTraffic;
import com.sessionflow.testing.TestDirs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo's chart page in a real browser (headless Chromium, Debian's package; {@code .ci/run}
 * installs it): the real job's metrics topic, read by the demo's watcher and served by {@link
 * ChartServer}, shows on the page with the topic's numbers, per bucket and in the length
 * distribution, for all platforms and for one.
 */
class ChartPageITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern ROW =
            Pattern.compile("<tr data-bucket=\"(\\d+)\" data-platform=\"([^\"]*)\">(.*?)</tr>");
    static final Pattern CELL =
            Pattern.compile("<td data-field=\"(\\w+)\" data-value=\"([^\"]*)\">([^<]*)</td>");
    static final Pattern BIN =
            Pattern.compile(
                    "<rect class=\"bar distribution\"[^>]*data-bin-from=\"(\\d+)\""
                            + " data-sessions=\"(\\d+)\"");

    static Map<String, String> metricsTopic;
    static Thread watching;
    static ChartServer chart;

    @BeforeAll
    static void serveTheJobsMetrics() throws Exception {
        assertThat(CHROMIUM)
                .as("Debian's chromium package (.ci/run installs it: apt-get install chromium)")
                .isExecutable();
        SessionizedTraffic.run(FLINK, KAFKA, "chart", 200, 150);
        metricsTopic = KAFKA.compacted(SessionizedTraffic.metricsTopic("chart"));
        TopicWatcher watcher =
                new TopicWatcher(
                        JobOptions.parse(
                                        "--bootstrap-servers",
                                        KAFKA.bootstrapServers(),
                                        "--sessions-topic",
                                        SessionizedTraffic.sessionsTopic("chart"),
                                        "--dlq-topic",
                                        "chart-dlq",
                                        "--late-topic",
                                        "chart-late",
                                        "--metrics-topic",
                                        SessionizedTraffic.metricsTopic("chart"))
                                .kafka(),
                        new PrintStream(OutputStream.nullOutputStream()));
        watching = new Thread(watcher, "topic-watcher");
        watching.setDaemon(true);
        watching.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (watcher.latestMetrics().size() < metricsTopic.size()) {
            assertThat(System.nanoTime())
                    .as("the watcher read the metrics topic")
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
        watcher.stopWhenQuiet(Duration.ZERO);
        chart =
                ChartServer.start(
                        "127.0.0.1", 0, () -> List.copyOf(watcher.latestMetrics().values()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (chart != null) chart.close();
        if (watching != null) watching.join(10_000);
    }

    @Test
    void everyBucketOfAllPlatformsShowsTheTopicsNumbers() throws Exception {
        assertPageShowsTheTopic("all");
    }

    @Test
    void thePlatformFilterShowsOnePlatformsBuckets() throws Exception {
        Map<String, Integer> sessionsByPlatform = new TreeMap<>();
        for (String v : metricsTopic.values()) {
            JsonNode m = JSON.readTree(v);
            if (!m.get("platform").asText().equals("all"))
                sessionsByPlatform.merge(
                        m.get("platform").asText(), m.get("sessions").asInt(), Integer::sum);
        }
        String busiest =
                sessionsByPlatform.entrySet().stream()
                        .max(Map.Entry.comparingByValue())
                        .orElseThrow()
                        .getKey();
        assertPageShowsTheTopic(busiest);
    }

    @Test
    void thePageRendersInAScreenshot() throws Exception {
        Path png = TestDirs.tmp().resolve("chart.png");
        Files.deleteIfExists(png);
        chromium("--window-size=1280,1000", "--screenshot=" + png, url("all"));
        // a blank page is a few KB; bars, lines and a table are far more
        assertThat(Files.size(png)).isGreaterThan(30_000);
    }

    static void assertPageShowsTheTopic(String platform) throws Exception {
        String dom = chromium("--dump-dom", url(platform));
        Map<Long, Map<String, String[]>> page = new TreeMap<>();
        Matcher row = ROW.matcher(dom);
        while (row.find()) {
            assertThat(row.group(2)).isEqualTo(platform);
            Map<String, String[]> cells = new TreeMap<>();
            Matcher cell = CELL.matcher(row.group(3));
            while (cell.find()) {
                cells.put(cell.group(1), new String[] {cell.group(2), cell.group(3)});
            }
            page.put(Long.parseLong(row.group(1)), cells);
        }
        Map<Long, JsonNode> topic = new TreeMap<>();
        Map<Long, Long> bins = new TreeMap<>();
        for (String v : metricsTopic.values()) {
            JsonNode m = JSON.readTree(v);
            if (!m.get("platform").asText().equals(platform)) continue;
            topic.put(m.get("bucket_start").asLong(), m);
            for (JsonNode b : m.get("length_distribution"))
                bins.merge(b.get("from_ms").asLong(), b.get("sessions").asLong(), Long::sum);
        }
        assertThat(page.keySet()).as("buckets on the page").isNotEmpty().isEqualTo(topic.keySet());
        topic.forEach(
                (bucket, m) -> {
                    Map<String, String[]> cells = page.get(bucket);
                    // counts as the page shows them; measures as the numbers it drew from
                    for (String count : List.of("sessions", "length_sessions", "distinct_users")) {
                        assertThat(cells.get(count)[1])
                                .as(bucket + " " + count)
                                .isEqualTo(m.get(count).asText());
                    }
                    for (String measure :
                            List.of(
                                    "average_length_ms",
                                    "sessions_per_user",
                                    "time_spent_per_user_ms")) {
                        assertThat(number(cells.get(measure)[0]))
                                .as(bucket + " " + measure)
                                .isEqualTo(
                                        m.get(measure).isNull() ? null : m.get(measure).asDouble());
                    }
                    assertThat(cells.get("final")[1])
                            .isEqualTo(m.get("final").asBoolean() ? "yes" : "no");
                });
        Map<Long, Long> shownBins = new TreeMap<>();
        Matcher bin = BIN.matcher(dom);
        while (bin.find())
            shownBins.put(Long.parseLong(bin.group(1)), Long.parseLong(bin.group(2)));
        assertThat(shownBins).as("the length distribution").isEqualTo(bins);
    }

    static Double number(String json) {
        return json.equals("null") ? null : Double.valueOf(json);
    }

    static String url(String platform) {
        return "http://127.0.0.1:" + chart.port() + "/?platform=" + platform;
    }

    /** Runs headless Chromium as these machines need it (no network beyond 127.0.0.1). */
    static String chromium(String... args) throws Exception {
        Path profile = TestDirs.newDir("chromium-");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                CHROMIUM.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile,
                                // lets the page fetch and draw before the DOM or picture is taken
                                "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(TestDirs.tmp(), "chromium-", ".out");
        Process p =
                new ProcessBuilder(command)
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + command);
        }
        assertThat(p.exitValue()).as("chromium's exit code").isZero();
        return Files.readString(output, StandardCharsets.UTF_8);
    }
}
