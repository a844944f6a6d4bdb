package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sessionflow.ingest.UploadCheck.Accepted;
import com.sessionflow.ingest.UploadCheck.EventRecord;
import com.sessionflow.ingest.UploadCheck.Outcome;
import com.sessionflow.ingest.UploadCheck.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Amplitude's upload rules, as its SDKs read the answers (docs/ingest.md, "Answers"). */
@Timeout(30)
class UploadCheckTest {

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final UploadCheck check = new UploadCheck(JSON, Set.of("key-1", "key-2"), 3, 5);

    private Outcome check(String body) {
        return check.check(
                body.getBytes(StandardCharsets.UTF_8), "203.0.113.7", 1_700_000_000_000L);
    }

    private JsonNode rejected(String body, int status) {
        Outcome o = check(body);
        assertThat(o).isInstanceOf(Rejected.class);
        Rejected r = (Rejected) o;
        assertThat(r.status()).isEqualTo(status);
        // the SDKs read the body's code, not the HTTP status
        assertThat(r.body().get("code").asInt()).isEqualTo(status);
        assertThat(r.body().get("error").isTextual()).isTrue();
        return r.body();
    }

    private static JsonNode value(EventRecord r) throws Exception {
        return JSON.readTree(r.value);
    }

    @Test
    void aValidRequestBecomesOneRecordPerEventKeyedByDeviceElseUser() throws Exception {
        Outcome o =
                check(
                        "{\"api_key\":\"key-1\",\"events\":["
                                + "{\"event_type\":\"open\",\"device_id\":\"device-1\","
                                + "\"user_id\":\"user-1\",\"time\":1,\"ip\":\"$remote\","
                                + "\"insert_id\":\"i-1\"},"
                                + "{\"event_type\":\"view\",\"user_id\":\"user-2\","
                                + "\"device_id\":\"null\",\"event_properties\":{\"a\":[1]}}],"
                                + "\"options\":{\"min_id_length\":5},"
                                + "\"client_upload_time\":\"2024-01-01T00:00:00.000Z\"}");
        assertThat(o).isInstanceOf(Accepted.class);
        Accepted a = (Accepted) o;
        assertThat(a.records()).hasSize(2);
        assertThat(new String(a.records().get(0).key, StandardCharsets.UTF_8))
                .isEqualTo("device-1");
        // Amplitude's invalid id values count as absent, as in the job
        assertThat(new String(a.records().get(1).key, StandardCharsets.UTF_8)).isEqualTo("user-2");
        JsonNode first = value(a.records().get(0));
        assertThat(first.get("ip").asText()).isEqualTo("203.0.113.7");
        assertThat(first.get("server_upload_time").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(first.get("insert_id").asText()).isEqualTo("i-1");
        assertThat(value(a.records().get(1)).get("event_properties").get("a").get(0).asInt())
                .isEqualTo(1);
        // an event without a time happened at its upload, as Amplitude has it
        assertThat(first.get("time").asLong()).isEqualTo(1);
        assertThat(value(a.records().get(1)).get("time").asLong()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void aMissingKeyOrEventsIsAMissingFieldTheSdksDropTheBatchFor() {
        assertThat(rejected("{\"events\":[]}", 400).get("missing_field").asText())
                .isEqualTo("api_key");
        assertThat(rejected("{\"api_key\":\"key-1\"}", 400).get("missing_field").asText())
                .isEqualTo("events");
        assertThat(
                        rejected("{\"api_key\":\"key-1\",\"events\":[]}", 400)
                                .get("missing_field")
                                .asText())
                .isEqualTo("events");
        assertThat(
                        rejected("{\"api_key\":\"key-1\",\"events\":{}}", 400)
                                .get("missing_field")
                                .asText())
                .isEqualTo("events");
    }

    @Test
    void anUnknownKeyIsAnInvalidApiKeyAsTheJavaSdkMatchesIt() {
        String error =
                rejected("{\"api_key\":\"other\",\"events\":[{}]}", 400).get("error").asText();
        // com.amplitude.Response: errorMsg.matches("Invalid API key: .*")
        assertThat(error).matches("Invalid API key: .*").contains("other");
        assertThat(rejected("{\"api_key\":5,\"events\":[{}]}", 400).get("error").asText())
                .startsWith("Invalid API key");
    }

    @Test
    void notJsonOrNotAnObjectIsA400() {
        rejected("not json", 400);
        rejected("", 400);
        rejected("[1,2]", 400);
        rejected("{\"api_key\":\"key-1\",\"events\":[{}]} {}", 400);
    }

    @Test
    void badEventsAreListedByIndexAndNothingIsWritten() {
        JsonNode body =
                rejected(
                        "{\"api_key\":\"key-2\",\"events\":["
                                + "{\"event_type\":\"ok\",\"device_id\":\"device-1\"},"
                                + "{\"event_type\":\"x\",\"device_id\":\"device-1\","
                                + "\"time\":\"yesterday\",\"event_properties\":[1]},"
                                + "{\"device_id\":\"device-1\",\"user_id\":7}]}",
                        400);
        assertThat(body.get("events_with_invalid_fields").toString())
                .isEqualTo("{\"event_properties\":[1],\"time\":[1],\"user_id\":[2]}");
        assertThat(body.get("events_with_missing_fields").toString())
                .isEqualTo("{\"event_type\":[2]}");
        assertThat(body.has("missing_field")).isFalse();
    }

    @Test
    void anEventWithoutAValidIdIsMissingOneAndShortIdsAreListedById() {
        JsonNode body =
                rejected(
                        "{\"api_key\":\"key-1\",\"events\":["
                            + "{\"event_type\":\"a\",\"user_id\":\"undefined\",\"device_id\":\"\"},"
                            + "{\"event_type\":\"b\",\"user_id\":\"abc\"},"
                            + "{\"event_type\":\"c\",\"user_id\":\"user-1\",\"device_id\":\"d1\"}]}",
                        400);
        assertThat(body.get("events_with_missing_fields").toString())
                .isEqualTo("{\"user_id_or_device_id\":[0]}");
        assertThat(body.get("events_with_invalid_id_lengths").toString())
                .isEqualTo("{\"device_id\":[2],\"user_id\":[1]}");
    }

    @Test
    void theRequestsMinIdLengthWinsOverTheDefault() {
        assertThat(
                        check(
                                "{\"api_key\":\"key-1\",\"options\":{\"min_id_length\":2},"
                                    + "\"events\":[{\"event_type\":\"b\",\"user_id\":\"ab\"}]}"))
                .isInstanceOf(Accepted.class);
        assertThat(
                        rejected(
                                        "{\"api_key\":\"key-1\",\"options\":{\"min_id_length\":\"2\"},"
                                            + "\"events\":[{\"event_type\":\"b\",\"user_id\":\"ab\"}]}",
                                        400)
                                .get("missing_field")
                                .asText())
                .isEqualTo("options.min_id_length");
    }

    @Test
    void moreEventsThanAllowedIsPayloadTooLarge() {
        JsonNode body = rejected("{\"api_key\":\"key-1\",\"events\":[{},{},{},{}]}", 413);
        assertThat(body.get("error").asText()).isEqualTo("Payload too large");
        assertThat(((Rejected) check("{\"api_key\":\"key-1\",\"events\":[{},{},{},{}]}")).events())
                .isEqualTo(4);
    }

    @Test
    void anyKeyIsTakenWhenNoneIsConfigured() {
        UploadCheck open = new UploadCheck(JSON, Set.of(), 10, 5);
        assertThat(
                        open.check(
                                "{\"api_key\":\"whatever\",\"events\":[{\"event_type\":\"a\",\"device_id\":\"device-1\"}]}"
                                        .getBytes(StandardCharsets.UTF_8),
                                "::1",
                                0))
                .isInstanceOf(Accepted.class);
    }
}
