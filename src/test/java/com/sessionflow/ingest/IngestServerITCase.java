package com.sessionflow.ingest;

import static com.sessionflow.ingest.Upload.assertReadable;
import static com.sessionflow.ingest.Upload.post;
import static com.sessionflow.testing.KafkaBroker.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.ingest.Upload.Answer;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.testing.KafkaBroker;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a real broker, as a plain HTTP client sees it: what an accepted request
 * writes, and every kind of bad request answered as Amplitude answers it, with nothing written.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestServerITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final String TOPIC = "ingest-events";

    @TempDir static Path dir;

    private static IngestServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        KAFKA.createTopic(TOPIC, 2);
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "# the site's key\nsite-key\n");
        List<String> args = IngestOptions.args(KAFKA.bootstrapServers(), TOPIC, "127.0.0.1", 0);
        args.addAll(List.of("--api-keys-file", keys.toString(), "--trust-forwarded-for"));
        server = IngestServer.start(IngestOptions.parse(args.toArray(String[]::new)));
        base = server.url().replace("/2/httpapi", "");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static ObjectNode event(String deviceId, String userId, String type, long time) {
        ObjectNode e = Upload.JSON.createObjectNode();
        if (deviceId != null) e.put("device_id", deviceId);
        if (userId != null) e.put("user_id", userId);
        e.put("event_type", type);
        e.put("time", time);
        e.put("insert_id", deviceId + "-" + type + "-" + time);
        return e;
    }

    static String body(String key, List<ObjectNode> events) {
        ObjectNode b = Upload.JSON.createObjectNode();
        b.put("api_key", key);
        ArrayNode a = b.putArray("events");
        events.forEach(a::add);
        b.putObject("options").put("min_id_length", 5);
        return b.toString();
    }

    private static List<ObjectNode> events(String prefix, int n) {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(event(prefix + "-device-" + (i % 3), "user-" + (i % 3), "e" + i, 1_000 + i));
        }
        return out;
    }

    private static List<JsonNode> written(String prefix) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readToEnd(TOPIC)) {
            JsonNode v = Upload.JSON.valueToTree(parse(r.value()));
            if (v.path("device_id").asText().startsWith(prefix)) {
                assertThat(text(r.key())).isEqualTo(v.get("device_id").asText());
                out.add(v);
            }
        }
        return out;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return Upload.JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anAcceptedRequestIsAnsweredOnlyWithEveryEventInTheTopic() throws Exception {
        List<ObjectNode> events = events("ok", 30);
        events.get(0).put("ip", "$remote");
        events.get(1).put("ip", "$remote");
        String body = body("site-key", events);
        Answer a =
                assertReadable(
                        post(
                                base + "/2/httpapi",
                                body.getBytes(StandardCharsets.UTF_8),
                                "Content-Type",
                                "application/json",
                                "X-Forwarded-For",
                                "198.51.100.4, 10.0.0.1"),
                        200);
        assertThat(a.body().get("events_ingested").asInt()).isEqualTo(30);
        assertThat(a.body().get("payload_size_bytes").asInt())
                .isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        // answered after the acknowledgement: a read right now finds all of them
        List<JsonNode> written = written("ok-");
        assertThat(written).hasSize(30);
        assertThat(written.stream().map(v -> v.get("insert_id").asText()))
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(e -> e.get("insert_id").asText()).toList());
        assertThat(written)
                .allSatisfy(v -> assertThat(v.get("server_upload_time").asLong()).isPositive());
        // one device's events in one partition, in request order
        assertThat(
                        written.stream()
                                .filter(v -> v.get("device_id").asText().equals("ok-device-0"))
                                .map(v -> v.get("time").asLong())
                                .toList())
                .isSorted();
        assertThat(
                        written.stream()
                                .filter(v -> v.get("event_type").asText().matches("e[01]"))
                                .map(v -> v.get("ip").asText()))
                .containsOnly("198.51.100.4");
    }

    @Test
    void batchGzipAndTextPlainAreTaken() throws Exception {
        String body = body("site-key", events("gz", 5));
        assertReadable(
                post(
                        base + "/batch",
                        Upload.gzip(body.getBytes(StandardCharsets.UTF_8)),
                        "Content-Type",
                        "application/json",
                        "Content-Encoding",
                        "gzip"),
                200);
        // navigator.sendBeacon posts text/plain
        assertReadable(
                post(
                        base + "/2/httpapi",
                        body("site-key", events("beacon", 2)).getBytes(StandardCharsets.UTF_8),
                        "Content-Type",
                        "text/plain;charset=UTF-8"),
                200);
        assertThat(written("gz-")).hasSize(5);
        assertThat(written("beacon-")).hasSize(2);
    }

    @Test
    void badRequestsGetAmplitudesAnswerAndWriteNothing() throws Exception {
        int before = KAFKA.readToEnd(TOPIC).size();
        String url = base + "/2/httpapi";

        assertReadable(post(url, "this is not json"), 400);
        assertThat(
                        assertReadable(post(url, body("wrong-key", events("bad", 2))), 400)
                                .body()
                                .get("error")
                                .asText())
                .startsWith("Invalid API key: ");
        assertThat(
                        assertReadable(post(url, "{\"events\":[]}"), 400)
                                .body()
                                .get("missing_field")
                                .asText())
                .isEqualTo("api_key");

        List<ObjectNode> wrongTypes = events("bad", 3);
        wrongTypes.get(1).put("time", "noon");
        wrongTypes.get(2).putArray("user_properties");
        JsonNode typed = assertReadable(post(url, body("site-key", wrongTypes)), 400).body();
        assertThat(typed.get("events_with_invalid_fields").toString())
                .isEqualTo("{\"time\":[1],\"user_properties\":[2]}");

        List<ObjectNode> noIds = events("bad", 3);
        noIds.set(0, event(null, null, "open", 1));
        noIds.set(2, event("bad-device-0", "abc", "open", 1));
        JsonNode ids = assertReadable(post(url, body("site-key", noIds)), 400).body();
        assertThat(ids.get("events_with_missing_fields").toString())
                .isEqualTo("{\"user_id_or_device_id\":[0]}");
        assertThat(ids.get("events_with_invalid_id_lengths").toString())
                .isEqualTo("{\"user_id\":[2]}");

        // Amplitude's limits: 2,000 events, 1 MB on /2/httpapi
        assertThat(
                        assertReadable(post(url, body("site-key", events("bad", 10_000))), 413)
                                .body()
                                .get("error")
                                .asText())
                .isEqualTo("Payload too large");
        List<ObjectNode> large = events("bad", 3);
        large.get(0).putObject("event_properties").put("text", "x".repeat(1_100_000));
        assertReadable(post(url, body("site-key", large)), 413);

        // 20 MB of a repeated event compress to a few kB: the limit counts what they inflate to
        byte[] bomb =
                Upload.gzip(
                        body("site-key", events("bad", 1))
                                .replace("}]", "," + "\"pad\":\"" + "0".repeat(20_000_000) + "\"}]")
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(100_000);
        assertReadable(
                post(url, bomb, "Content-Type", "application/json", "Content-Encoding", "gzip"),
                413);

        assertThat(KAFKA.readToEnd(TOPIC)).hasSize(before);
        assertThat(written("bad-")).isEmpty();
    }

    @Test
    void browsersArePermittedByCorsPreflight() throws Exception {
        var request =
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/2/httpapi"))
                        .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://shop.example")
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "content-type,content-encoding")
                        .build();
        HttpResponse<String> r =
                java.net.http.HttpClient.newHttpClient()
                        .send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isBetween(200, 204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
                .contains("POST");
        assertThat(
                        r.headers()
                                .firstValue("Access-Control-Allow-Headers")
                                .orElse("")
                                .toLowerCase(java.util.Locale.ROOT))
                .contains("content-type")
                .contains("content-encoding");
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        assertThat(Upload.get(base + "/health").statusCode()).isEqualTo(200);
        assertThat(Upload.get(base + "/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> unknown = Upload.get(base + "/2/unknown");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Upload.JSON.readTree(unknown.body()).get("code").asInt()).isEqualTo(404);
        HttpResponse<String> wrongMethod = Upload.get(base + "/2/httpapi");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(Upload.JSON.readTree(wrongMethod.body()).get("code").asInt()).isEqualTo(405);
        assertReadable(post(base + "/2/httpapi", body("site-key", events("metrics", 4))), 200);
        String metrics = Upload.get(base + "/metrics").body();
        assertThat(metrics)
                .contains("sessionflow_ingest_requests_total{code=\"200\",endpoint=\"/2/httpapi\"}")
                .contains("sessionflow_ingest_events_total{outcome=\"accepted\"}")
                .contains("sessionflow_ingest_request_bytes_total")
                .contains("sessionflow_ingest_kafka_send_seconds_bucket");
    }

    /**
     * Kafka cannot take the events (their topic is gone): 503, nothing promised, and the server's
     * readiness says so.
     */
    @Test
    void aSendKafkaDoesNotAcknowledgeIsA503() throws Exception {
        KAFKA.createTopic("ingest-doomed", 1);
        List<String> args =
                IngestOptions.args(KAFKA.bootstrapServers(), "ingest-doomed", "127.0.0.1", 0);
        args.addAll(List.of("--send-timeout", "1s"));
        try (IngestServer doomed =
                IngestServer.start(IngestOptions.parse(args.toArray(String[]::new)))) {
            KAFKA.admin().deleteTopics(List.of("ingest-doomed")).all().get(30, TimeUnit.SECONDS);
            Answer a = assertReadable(post(doomed.url(), body("any", events("doomed", 3))), 503);
            assertThat(a.body().get("error").asText()).contains("Kafka");
            assertThat(Upload.get(doomed.url().replace("/2/httpapi", "/ready")).statusCode())
                    .isEqualTo(503);
        }
    }

    @Test
    void aMissingTopicStopsStartUpNamingTheOption() {
        assertThatThrownBy(
                        () ->
                                IngestServer.start(
                                        IngestOptions.parse(
                                                IngestOptions.args(
                                                                KAFKA.bootstrapServers(),
                                                                "no-such-topic",
                                                                "127.0.0.1",
                                                                0)
                                                        .toArray(String[]::new))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("'--topic'")
                .hasMessageContaining("no-such-topic");
    }
}
