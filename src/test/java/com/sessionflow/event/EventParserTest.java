package com.sessionflow.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** session-rules §1 input formats and the dead-letter reasons of issue 2 item 5. */
class EventParserTest {

    static final long KAFKA_TS = 1_573_570_000_000L;
    static final int MAX_BYTES = 2_000;

    EventParser parser = new EventParser(Identity.USER, null, MAX_BYTES, 0);

    List<ParsedRecord> parse(String json) {
        return parse(json == null ? null : json.getBytes(StandardCharsets.UTF_8), KAFKA_TS);
    }

    List<ParsedRecord> parse(byte[] value, long kafkaTimestamp) {
        List<ParsedRecord> out = new ArrayList<>();
        parser.parse(
                new RecordOrigin(
                        "events",
                        3,
                        42,
                        kafkaTimestamp,
                        "k".getBytes(StandardCharsets.UTF_8),
                        value),
                out::add);
        return out;
    }

    Event event(String json) {
        List<ParsedRecord> out = parse(json);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isEvent()).as("%s", out.get(0)).isTrue();
        return out.get(0).event;
    }

    DeadLetter deadLetter(String json) {
        List<ParsedRecord> out = parse(json);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isEvent()).as("%s", out.get(0)).isFalse();
        return out.get(0).deadLetter;
    }

    static String v2(String userId, String deviceId, long time) {
        return "{\"user_id\":"
                + quote(userId)
                + ",\"device_id\":"
                + quote(deviceId)
                + ",\"event_type\":\"click\",\"time\":"
                + time
                + "}";
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    @Test
    void httpApiV2Event() {
        Event e =
                event(
                        """
                        {"user_id":"alice","device_id":"dev-1","event_type":"Play Song","time":1573570028924,
                         "session_id":1573570000000,"insert_id":"ins-1","platform":"iOS","os_name":"ios",
                         "app_version":"2.1","event_properties":{"genre":"jazz"},"user_properties":{},
                         "language":"en","ip":"127.0.0.1"}\
                        """);
        assertThat(e.owner).isEqualTo("alice");
        assertThat(e.userId).isEqualTo("alice");
        assertThat(e.deviceId).isEqualTo("dev-1");
        assertThat(e.eventType).isEqualTo("Play Song");
        assertThat(e.time).isEqualTo(1573570028924L);
        assertThat(e.sdkSessionId).isEqualTo(1573570000000L);
        assertThat(e.insertId).isEqualTo("ins-1");
        assertThat(e.platform).isEqualTo("iOS");
        assertThat(e.osName).isEqualTo("ios");
        assertThat(e.appVersion).isEqualTo("2.1");
        assertThat(e.sourceTopic).isEqualTo("events");
        assertThat(e.sourcePartition).isEqualTo(3);
        assertThat(e.sourceOffset).isEqualTo(42);
    }

    @Test
    void sessionIdMinusOneAndAbsent() {
        assertThat(
                        event(
                                        "{\"device_id\":\"d\",\"event_type\":\"x\",\"time\":5,\"session_id\":-1}")
                                .sdkSessionId)
                .isEqualTo(Event.OUT_OF_SESSION_ID);
        Event noId = event("{\"device_id\":\"d\",\"event_type\":\"x\",\"time\":5}");
        assertThat(noId.hasSdkSessionId()).isFalse();
        assertThat(noId.owner).isEqualTo("d");
        assertThat(noId.userId).isNull();
    }

    @Test
    void v2RequestBodyWithOneBadElement() {
        List<ParsedRecord> out =
                parse(
                        "{\"api_key\":\"k\",\"events\":["
                                + v2("a", null, 1000)
                                + ","
                                + "{\"user_id\":\"b\",\"event_type\":\"click\"},"
                                + v2("c", null, 3000)
                                + "]}");
        assertThat(out).hasSize(3);
        assertThat(out.get(0).event.owner).isEqualTo("a");
        assertThat(out.get(1).isEvent()).isFalse();
        assertThat(out.get(1).deadLetter.reason).isEqualTo(Rejection.NO_TIME);
        assertThat(out.get(1).deadLetter.detail).contains("events[1]");
        assertThat(out.get(2).event.owner).isEqualTo("c");
        assertThat(out.get(2).event.time).isEqualTo(3000);
    }

    @Test
    void jsonArrayOfEventsWithANonObject() {
        List<ParsedRecord> out =
                parse("[" + v2("a", null, 1000) + ", 7, " + v2(null, "d", 2000) + "]");
        assertThat(out).hasSize(3);
        assertThat(out.get(0).event.owner).isEqualTo("a");
        assertThat(out.get(1).deadLetter.reason).isEqualTo(Rejection.NOT_AN_EVENT);
        assertThat(out.get(1).deadLetter.detail).contains("[1]");
        assertThat(out.get(2).event.owner).isEqualTo("d");
    }

    @Test
    void amplitudeExportLine() {
        Event e =
                event(
                        """
                        {"$insert_id":"5f0adeff-6668-4427-8d02-57d803a2b841","amplitude_id":12345,"app":1,
                         "client_event_time":"2019-11-12 14:43:48.924000","client_upload_time":"2019-11-12 14:43:50.000000",
                         "device_id":"dev-9","event_time":"2019-11-12 14:43:48.924000","event_type":"session_start",
                         "event_properties":{},"platform":"Android","os_name":"android","session_id":1573569828924,
                         "user_id":null,"version_name":"1.0"}\
                        """);
        assertThat(e.time).isEqualTo(Instant.parse("2019-11-12T14:43:48.924Z").toEpochMilli());
        assertThat(e.insertId).isEqualTo("5f0adeff-6668-4427-8d02-57d803a2b841");
        assertThat(e.owner).isEqualTo("dev-9");
        assertThat(e.sdkSessionId).isEqualTo(1573569828924L);
        assertThat(e.platform).isEqualTo("Android");
    }

    @Test
    void timeWinsOverClientEventTime() {
        Event e =
                event(
                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1000,"
                                + "\"client_event_time\":\"2019-11-12 14:43:48.924000\"}");
        assertThat(e.time).isEqualTo(1000);
    }

    @Test
    void exportLineWithTSeparatorAndNoFraction() {
        Event e =
                event(
                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"client_event_time\":\"2019-11-12T14:43:48\"}");
        assertThat(e.time).isEqualTo(Instant.parse("2019-11-12T14:43:48Z").toEpochMilli());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "null",
                "NULL",
                "none",
                "nil",
                "undefined",
                "unknown",
                "anonymous",
                "n/a",
                "N/A",
                "na",
                "0",
                "-1",
                "",
                " ",
                " null "
            })
    void invalidUserIdsAreAbsent(String id) {
        Event e = event(v2(id, "dev-1", 1000));
        assertThat(e.userId).isNull();
        assertThat(e.owner).isEqualTo("dev-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "0", "-1", "n/a", "unknown"})
    void invalidIdsOnBothSidesMeanNoOwner(String id) {
        DeadLetter d = deadLetter(v2(id, id, 1000));
        assertThat(d.reason).isEqualTo(Rejection.NO_OWNER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nullable", "00", "1", "nan", "anonymous1"})
    void idsThatOnlyLookInvalidAreKept(String id) {
        assertThat(event(v2(id, "d", 1000)).owner).isEqualTo(id);
    }

    @Test
    void deviceIdentity() {
        parser = new EventParser(Identity.DEVICE, null, MAX_BYTES, 0);
        Event e = event(v2("alice", "dev-1", 1000));
        assertThat(e.owner).isEqualTo("dev-1");
        assertThat(e.userId).isEqualTo("alice");
        assertThat(deadLetter(v2("alice", null, 1000)).reason).isEqualTo(Rejection.NO_OWNER);
        assertThat(deadLetter(v2("alice", "unknown", 1000)).reason).isEqualTo(Rejection.NO_OWNER);
    }

    @Test
    void clockAheadOfTheKafkaTimestamp() {
        parser = new EventParser(Identity.USER, null, MAX_BYTES, 60_000);
        byte[] ok = v2("u", null, KAFKA_TS + 60_000).getBytes(StandardCharsets.UTF_8);
        assertThat(parse(ok, KAFKA_TS).get(0).isEvent()).isTrue();
        byte[] ahead = v2("u", null, KAFKA_TS + 60_001).getBytes(StandardCharsets.UTF_8);
        DeadLetter d = parse(ahead, KAFKA_TS).get(0).deadLetter;
        assertThat(d).isNotNull();
        assertThat(d.reason).isEqualTo(Rejection.CLOCK_AHEAD);
        // far in the past is fine: that is just a late or replayed event
        assertThat(
                        parse(v2("u", null, 1000).getBytes(StandardCharsets.UTF_8), KAFKA_TS)
                                .get(0)
                                .isEvent())
                .isTrue();
        // without a Kafka timestamp there is nothing to compare with
        assertThat(parse(ahead, -1).get(0).isEvent()).isTrue();
        // 0 turns the check off
        parser = new EventParser(Identity.USER, null, MAX_BYTES, 0);
        assertThat(parse(ahead, KAFKA_TS).get(0).isEvent()).isTrue();
    }

    @Test
    void aKafkaTimestampNearTheEndOfTimeDoesNotOverflowTheClockCheck() {
        parser = new EventParser(Identity.USER, null, MAX_BYTES, 60_000);
        byte[] ok = v2("u", null, KAFKA_TS).getBytes(StandardCharsets.UTF_8);
        assertThat(parse(ok, Long.MAX_VALUE - 1).get(0).isEvent()).isTrue();
    }

    /** Found by EventParserFuzzTest: Jackson decodes these instead of rejecting them. */
    @Test
    void invalidUtf8IsNotJsonEvenWhereJacksonWouldDecodeIt() {
        byte[][] invalid = {
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // overlong U+0000
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80} // beyond U+10FFFF
        };
        for (byte[] bad : invalid) {
            byte[] head = "{\"user_id\":\"u".getBytes(StandardCharsets.UTF_8);
            byte[] tail = "\",\"event_type\":\"x\",\"time\":1000}".getBytes(StandardCharsets.UTF_8);
            byte[] value = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, value, 0, head.length);
            System.arraycopy(bad, 0, value, head.length, bad.length);
            System.arraycopy(tail, 0, value, head.length + bad.length, tail.length);
            List<ParsedRecord> out = parse(value, KAFKA_TS);
            assertThat(out).hasSize(1);
            assertThat(out.get(0).isDeadLetter()).as("%s", out.get(0)).isTrue();
            assertThat(out.get(0).deadLetter.reason).isEqualTo(Rejection.NOT_JSON);
            assertThat(out.get(0).deadLetter.detail).startsWith("not valid UTF-8");
        }
        // valid multi-byte text is an event
        assertThat(event(v2("zoë-ß-日本", null, 1000)).owner).isEqualTo("zoë-ß-日本");
        // so is U+FFFD written as such, what a lenient decoder makes of a malformed sequence
        assertThat(event(v2("u\uFFFD", null, 1000)).owner).isEqualTo("u\uFFFD");
    }

    @Test
    void deadLetterKeepsTheOriginalAndWhereItCameFrom() {
        DeadLetter d = deadLetter("not json");
        assertThat(d.reason).isEqualTo(Rejection.NOT_JSON);
        assertThat(new String(d.originalValue, StandardCharsets.UTF_8)).isEqualTo("not json");
        assertThat(new String(d.originalKey, StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(d.topic).isEqualTo("events");
        assertThat(d.partition).isEqualTo(3);
        assertThat(d.offset).isEqualTo(42);
        assertThat(d.timestamp).isEqualTo(KAFKA_TS);
        assertThat(d.detail).isNotBlank();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "NOT_JSON     | not json",
                "NOT_JSON     | {\"user_id\": ",
                "NOT_JSON     | '   '",
                "NOT_AN_EVENT | '\"a string\"'",
                "NOT_AN_EVENT | 42",
                "NOT_AN_EVENT | true",
                "NOT_AN_EVENT | '{\"events\": {\"user_id\":\"u\"}}'",
                "NO_EVENTS    | []",
                "NO_EVENTS    | '{\"events\": []}'",
                "NO_OWNER     | '{\"event_type\":\"x\",\"time\":1000}'",
                "NO_OWNER     |"
                    + " '{\"user_id\":null,\"device_id\":\"\",\"event_type\":\"x\",\"time\":1000}'",
                "NO_TIME      | '{\"user_id\":\"u\",\"event_type\":\"x\"}'",
                "NO_TIME      | '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":null}'",
                "BAD_TIME     | '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":\"soon\"}'",
                "BAD_TIME     |"
                        + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":\"1573570028924\"}'",
                "BAD_TIME     |"
                        + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1573570028924.5}'",
                "BAD_TIME     | '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":0}'",
                "BAD_TIME     | '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":-5}'",
                "BAD_TIME     |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":99999999999999999999}'",
                "BAD_TIME     |"
                        + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":253402300800000}'",
                "BAD_TIME     |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"client_event_time\":\"yesterday\"}'",
                "BAD_TIME     |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"client_event_time\":1573570028924}'",
                "BAD_TIME     |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"client_event_time\":\"2019-02-30"
                    + " 10:00:00\"}'",
                "BAD_FIELD    | '{\"user_id\":\"u\",\"time\":1000}'",
                "BAD_FIELD    | '{\"user_id\":\"u\",\"event_type\":\" \",\"time\":1000}'",
                "BAD_FIELD    | '{\"user_id\":\"u\",\"event_type\":7,\"time\":1000}'",
                "BAD_FIELD    | '{\"user_id\":12345,\"event_type\":\"x\",\"time\":1000}'",
                "BAD_FIELD    |"
                    + " '{\"user_id\":\"u\",\"device_id\":{},\"event_type\":\"x\",\"time\":1000}'",
                "BAD_FIELD    |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1000,\"session_id\":\"abc\"}'",
                "BAD_FIELD    |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1000,\"insert_id\":5}'",
                "BAD_FIELD    |"
                    + " '{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1000,\"platform\":[]}'",
            })
    void eachRejectionReason(Rejection reason, String json) {
        DeadLetter d = deadLetter(json);
        assertThat(d.reason).as(d.detail).isEqualTo(reason);
    }

    @Test
    void emptyAndMissingValuesAreNotJson() {
        assertThat(parse((byte[]) null, KAFKA_TS).get(0).deadLetter.reason)
                .isEqualTo(Rejection.NOT_JSON);
        assertThat(parse(new byte[0], KAFKA_TS).get(0).deadLetter.reason)
                .isEqualTo(Rejection.NOT_JSON);
    }

    @Test
    void invalidUtf8IsNotJson() {
        byte[] bad =
                "{\"user_id\":\"u\u00ff\",\"event_type\":\"x\",\"time\":1000}"
                        .getBytes(StandardCharsets.ISO_8859_1);
        List<ParsedRecord> out = parse(bad, KAFKA_TS);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isEvent()).isFalse();
        assertThat(out.get(0).deadLetter.reason).isEqualTo(Rejection.NOT_JSON);
    }

    @Test
    void tooLarge() {
        String big =
                "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1000,\"pad\":\""
                        + "x".repeat(MAX_BYTES)
                        + "\"}";
        DeadLetter d = deadLetter(big);
        assertThat(d.reason).isEqualTo(Rejection.TOO_LARGE);
        assertThat(d.originalValue).hasSize(big.length());
    }

    @Test
    void twoValuesInOneRecordAreNotSilentlyCutToOne() {
        // e.g. two export lines produced as one record: the second must not vanish
        List<ParsedRecord> out = parse(v2("a", null, 1000) + "\n" + v2("b", null, 2000));
        assertThat(out).isNotEmpty();
        boolean bothEvents = out.size() == 2 && out.stream().allMatch(ParsedRecord::isEvent);
        boolean rejected = out.stream().anyMatch(r -> !r.isEvent());
        assertThat(bothEvents || rejected).as("%s", out).isTrue();
        DeadLetter garbage = deadLetter(v2("a", null, 1000) + " trailing");
        assertThat(garbage.reason).isEqualTo(Rejection.NOT_JSON);
    }

    @Test
    void sessionPropertyFromEventThenUserProperties() {
        parser = new EventParser(Identity.USER, "plan", MAX_BYTES, 0);
        assertThat(
                        event(
                                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1,"
                                            + "\"event_properties\":{\"plan\":\"pro\"},\"user_properties\":{\"plan\":\"free\"}}")
                                .sessionProperty)
                .isEqualTo("pro");
        assertThat(
                        event(
                                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1,"
                                                + "\"user_properties\":{\"plan\":3}}")
                                .sessionProperty)
                .isEqualTo("3");
        assertThat(event("{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1}").sessionProperty)
                .isNull();
        assertThat(
                        deadLetter(
                                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1,\"event_properties\":[1]}")
                                .reason)
                .isEqualTo(Rejection.BAD_FIELD);
    }

    @Test
    void contextFromTheEventsFieldsAndItsEventThenUserProperties() {
        parser = new EventParser(Identity.USER, null, List.of("plan", "page"), MAX_BYTES, 0);
        Event e =
                event(
                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1,\"country\":\"Germany\","
                            + "\"city\":\"Berlin\",\"carrier\":{\"not\":\"text\"},\"os_version\":17,"
                            + "\"event_properties\":{\"utm_source\":\"news\",\"plan\":\"pro\"},"
                            + "\"user_properties\":{\"utm_source\":\"ads\",\"utm_medium\":\"email\","
                            + "\"plan\":\"free\",\"page\":7}}");
        assertThat(e.context.country).isEqualTo("Germany");
        assertThat(e.context.city).isEqualTo("Berlin");
        // a field that is neither text nor a number is left out, not a dead letter
        assertThat(e.context.carrier).isNull();
        assertThat(e.context.osVersion).isEqualTo("17");
        // the event's property wins over the user's, as for the session property
        assertThat(e.context.utmSource).isEqualTo("news");
        assertThat(e.context.utmMedium).isEqualTo("email");
        assertThat(e.context.properties).containsExactly("pro", "7");
        assertThat(event(v2("u", null, 1000)).context).as("an event without context").isNull();
        // properties that are not an object give no context, and are no dead letter either
        assertThat(
                        event(
                                        "{\"user_id\":\"u\",\"event_type\":\"x\",\"time\":1,"
                                                + "\"event_properties\":[1]}")
                                .context)
                .isNull();
    }

    @Test
    void oneParserServesManyRecords() {
        for (int i = 0; i < 3; i++) {
            assertThat(event(v2("u" + i, null, 1000 + i)).owner).isEqualTo("u" + i);
        }
    }
}
