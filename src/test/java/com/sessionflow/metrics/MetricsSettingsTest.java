package com.sessionflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {

    @Test
    void defaultsAreAmplitudesBinsHourlyBucketsAndTenSeconds() {
        MetricsSettings m = JobOptions.parse().metrics();
        assertThat(m.bucketSizeMs()).isEqualTo(3_600_000);
        assertThat(m.intervalMs()).isEqualTo(10_000);
        assertThat(m.binEdges())
                .containsExactly(
                        0,
                        3_000,
                        10_000,
                        30_000,
                        60_000,
                        180_000,
                        600_000,
                        1_800_000,
                        3_600_000,
                        86_400_000);
        assertThat(JobOptions.parse().kafka().metricsTopic).isEqualTo("session-metrics");
    }

    @Test
    void optionsAreParsed() {
        JobOptions o =
                JobOptions.parse(
                        "--bucket-size",
                        "15m",
                        "--metrics-interval",
                        "2s",
                        "--length-bins",
                        "0, 500, 1s,1m",
                        "--metrics-topic",
                        "m");
        assertThat(o.metrics().bucketSizeMs()).isEqualTo(900_000);
        assertThat(o.metrics().intervalMs()).isEqualTo(2_000);
        assertThat(o.metrics().binEdges()).containsExactly(0, 500, 1_000, 60_000);
        assertThat(o.kafka().metricsTopic).isEqualTo("m");
    }

    @Test
    void badValuesNameTheOption() {
        assertThatThrownBy(() -> JobOptions.parse("--bucket-size", "7m"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("--bucket-size")
                .hasMessageContaining("divide a day");
        assertThatThrownBy(() -> JobOptions.parse("--bucket-size", "30s"))
                .hasMessageContaining("--bucket-size");
        assertThatThrownBy(() -> JobOptions.parse("--bucket-size", "2d"))
                .hasMessageContaining("--bucket-size");
        assertThatThrownBy(() -> JobOptions.parse("--length-bins", "0,10s,5s"))
                .hasMessageContaining("--length-bins");
        assertThatThrownBy(() -> JobOptions.parse("--length-bins", "0"))
                .hasMessageContaining("--length-bins");
        assertThatThrownBy(() -> JobOptions.parse("--length-bins", "0,abc"))
                .hasMessageContaining("--length-bins");
        assertThatThrownBy(() -> JobOptions.parse("--metrics-topic", "sessions"))
                .hasMessageContaining("--metrics-topic");
    }

    @Test
    void bucketsAndBins() {
        MetricsSettings m = JobOptions.parse("--bucket-size", "1h").metrics();
        assertThat(m.bucketStart(3_600_000)).isEqualTo(3_600_000);
        assertThat(m.bucketStart(3_599_999)).isZero();
        assertThat(m.bucketStart(-1)).isEqualTo(-3_600_000);
        assertThat(m.bin(0)).isZero();
        assertThat(m.bin(2_999)).isZero();
        assertThat(m.bin(3_000)).isEqualTo(1);
        assertThat(m.bin(3_600_000)).isEqualTo(8);
        assertThat(m.bin(86_400_000))
                .as("a session of exactly the limit: the last bin")
                .isEqualTo(8);
    }
}
