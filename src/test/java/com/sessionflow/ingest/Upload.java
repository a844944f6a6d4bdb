package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/**
 * Requests to the ingest server as a plain HTTP client, and its answers checked as Amplitude's SDKs
 * read them (analytics-core's BaseTransport.buildResponse, the Java SDK's
 * Response.populateResponse).
 */
final class Upload {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The status and the parsed body of an answer. */
    record Answer(int status, JsonNode body) {}

    private Upload() {}

    static Answer post(String url, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) b.headers(headers);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed = JSON.readTree(r.body());
        return new Answer(r.statusCode(), parsed);
    }

    static Answer post(String url, String body) throws Exception {
        return post(url, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Checks an answer as the SDKs parse it: JSON whose {@code code} is the HTTP status, and for
     * each status the members they read with the types they read them as (the Java SDK throws on a
     * missing one and loses the batch).
     */
    static Answer assertReadable(Answer a, int status) {
        assertThat(a.status()).as("%s", a.body()).isEqualTo(status);
        JsonNode b = a.body();
        assertThat(b.isObject()).as("%s", b).isTrue();
        assertThat(b.get("code").isInt()).as("%s", b).isTrue();
        assertThat(b.get("code").asInt()).isEqualTo(status);
        if (status == 200) {
            assertThat(b.get("events_ingested").isInt()).as("%s", b).isTrue();
            assertThat(b.get("payload_size_bytes").isInt()).as("%s", b).isTrue();
            assertThat(b.get("server_upload_time").isIntegralNumber()).as("%s", b).isTrue();
        } else {
            assertThat(b.get("error").isTextual()).as("%s", b).isTrue();
            for (String map :
                    new String[] {
                        "events_with_invalid_fields",
                        "events_with_missing_fields",
                        "events_with_invalid_id_lengths"
                    }) {
                JsonNode m = b.get(map);
                if (m == null) continue;
                assertThat(m.isObject()).as("%s", b).isTrue();
                m.forEach(
                        indices -> {
                            assertThat(indices.isArray()).as("%s", b).isTrue();
                            indices.forEach(i -> assertThat(i.isInt()).isTrue());
                        });
            }
            if (b.has("missing_field")) assertThat(b.get("missing_field").isTextual()).isTrue();
        }
        return a;
    }
}
