package com.sessionflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.job.SessionPipeline;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A running job on a MiniCluster with Flink's real Prometheus reporter: its HTTP endpoint, scraped
 * while the job runs, shows the job's own metrics.
 */
class PrometheusEndpointITCase {

    static final int PORT = FreePorts.next();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            new MiniClusterResourceConfiguration.Builder()
                                    .setNumberTaskManagers(1)
                                    .setNumberSlotsPerTaskManager(1)
                                    .setConfiguration(configuration())
                                    .build());

    /**
     * The shared test cluster settings plus the Prometheus reporter, and no restarts: a failing job
     * fails the test.
     */
    static Configuration configuration() {
        Configuration conf = FlinkCluster.configuration();
        conf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(PORT));
        conf.setString("metrics.reporter.prom.interval", "1 s");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }

    /**
     * Events of three owners, one every 500 ms of event time and 2 ms of wall time: every event is
     * its own session.
     */
    static ParsedRecord event(long n) throws InterruptedException {
        Thread.sleep(2);
        Event e = new Event();
        e.owner = "u" + (n % 3);
        e.userId = e.owner;
        e.eventType = "tap";
        e.time = 1_700_000_000_000L + n * 500;
        e.platform = n % 2 == 0 ? "iOS" : "Android";
        if (n % 10 == 0) e.sdkSessionId = Event.OUT_OF_SESSION_ID;
        return ParsedRecord.of(e);
    }

    @Test
    void theEndpointShowsTheJobsOwnMetrics() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration jobConf = new Configuration();
        jobConf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(jobConf);
        env.setParallelism(1);
        SessionDefinition definition =
                SessionDefinition.builder().gap(Duration.ofSeconds(1)).build();
        DataStream<ParsedRecord> parsed =
                env.fromSequence(0, Long.MAX_VALUE - 1)
                        .map(PrometheusEndpointITCase::event)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<ParsedRecord>forMonotonousTimestamps()
                                        .withTimestampAssigner((r, ts) -> r.event.time));
        SessionPipeline.Outputs out =
                SessionPipeline.sessionize(
                        parsed, new OwnerTimeline(definition, 0), 0, OwnerRateLimit.OFF);
        MetricsSettings settings =
                new MetricsSettings(
                        definition,
                        0,
                        60_000,
                        500,
                        MetricsSettings.parseBins(MetricsSettings.DEFAULT_BINS));
        MetricsPipeline.build(out.sessions(), out.outOfSessionEvents(), settings)
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("prometheus endpoint test");
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape =
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build();
            List<String> wanted =
                    List.of(
                            "eventsIn",
                            "sessionsEmitted",
                            "outOfSessionEvents",
                            "metricsRecordsEmitted");
            String body = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    String scraped = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
                    body = scraped;
                    if (wanted.stream().allMatch(name -> value(scraped, name) > 0)) break;
                } catch (IOException notYet) {
                    // the reporter starts with the TaskManager; the job's metrics appear once it
                    // runs
                }
                Thread.sleep(300);
            }
            for (String name : wanted) {
                assertThat(value(body, name))
                        .as("%s on the Prometheus endpoint", name)
                        .isGreaterThan(0);
            }
            assertThat(body).contains("flink_taskmanager_job_task_operator_openSessions");
            assertThat(body).contains("flink_taskmanager_job_task_operator_watermarkLagMs");
            assertThat(body).contains("flink_taskmanager_job_task_operator_sessionLengthMs");
            // event times are in 2023: the watermark lags the wall clock by years
            assertThat(value(body, "watermarkLagMs"))
                    .isGreaterThan((double) Duration.ofDays(365).toMillis());
        } finally {
            job.cancel().get();
        }
    }

    /** The largest sample of the operator metric {@code name}, or -1 if absent. */
    static double value(String body, String name) {
        Matcher m =
                Pattern.compile(
                                "^flink_taskmanager_job_task_operator_"
                                        + name
                                        + "\\{[^}]*} (\\S+)$",
                                Pattern.MULTILINE)
                        .matcher(body);
        double max = -1;
        while (m.find()) max = Math.max(max, Double.parseDouble(m.group(1)));
        return max;
    }
}
