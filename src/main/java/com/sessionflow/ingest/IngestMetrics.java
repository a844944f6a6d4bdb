package com.sessionflow.ingest;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics ({@code GET /metrics}, docs/ingest.md): requests by endpoint and
 * status, events by outcome, request bytes, request and Kafka send latency.
 */
final class IngestMetrics {

    /** An event the server wrote and answered 200 for. */
    static final String ACCEPTED = "accepted";

    /** An event of a 400 or 413 answer: the SDK drops it or resends it in a smaller batch. */
    static final String REJECTED = "rejected";

    /** An event of a 503 answer: Kafka did not acknowledge it, the SDK resends it. */
    static final String FAILED = "failed";

    private static final double[] SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests =
            Counter.builder()
                    .name("sessionflow_ingest_requests_total")
                    .help("Upload requests answered, by endpoint and HTTP status")
                    .labelNames("endpoint", "code")
                    .withoutExemplars()
                    .register(registry);

    private final Counter events =
            Counter.builder()
                    .name("sessionflow_ingest_events_total")
                    .help(
                            "Events of answered requests: accepted (200), rejected (400, 413),"
                                    + " failed (503)")
                    .labelNames("outcome")
                    .withoutExemplars()
                    .register(registry);

    private final Counter bytes =
            Counter.builder()
                    .name("sessionflow_ingest_request_bytes_total")
                    .help("Request body bytes read, after decompression")
                    .withoutExemplars()
                    .register(registry);

    private final Histogram requestSeconds =
            Histogram.builder()
                    .name("sessionflow_ingest_request_seconds")
                    .help("Time from a request's body to its answer, by endpoint")
                    .labelNames("endpoint")
                    .classicOnly()
                    .classicUpperBounds(SECONDS)
                    .withoutExemplars()
                    .register(registry);

    private final Histogram sendSeconds =
            Histogram.builder()
                    .name("sessionflow_ingest_kafka_send_seconds")
                    .help(
                            "Time from handing a request's records to Kafka to the last"
                                    + " acknowledgement (or failure)")
                    .classicOnly()
                    .classicUpperBounds(SECONDS)
                    .withoutExemplars()
                    .register(registry);

    void answered(String endpoint, int status, int eventCount, long startNanos) {
        requests.labelValues(endpoint, String.valueOf(status)).inc();
        String outcome = status == 200 ? ACCEPTED : status >= 500 ? FAILED : REJECTED;
        events.labelValues(outcome).inc(eventCount);
        requestSeconds.labelValues(endpoint).observe((System.nanoTime() - startNanos) / 1e9);
    }

    void bodyRead(long byteCount) {
        bytes.inc(byteCount);
    }

    void sent(long startNanos) {
        sendSeconds.observe((System.nanoTime() - startNanos) / 1e9);
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
