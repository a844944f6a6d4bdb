package com.sessionflow.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.testing.AmplitudeJson;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzing {@link EventParser}: valid records of every accepted format (an HTTP API v2 event, a v2
 * body {@code {"events":[...]}}, a JSON array of events, an export line) are mutated (truncated,
 * bit flips, fields of the wrong JSON type, numbers beyond long, NaN and Infinity, deep nesting,
 * long strings, invalid UTF-8, duplicate keys, a BOM, empty and blank values, a second value after
 * the first, thousands of events some bad) and whatever comes out must account for the record:
 * {@code parse} never throws and never emits null, every record yields at least one output, a
 * single event exactly one (an event or a dead letter), a batch one per event, and every dead
 * letter carries its reason, the original bytes and where they came from.
 */
class EventParserFuzzTest {

    /**
     * The largest {@code --max-record-bytes} the job accepts: deep and long values reach Jackson.
     */
    static final int LIMIT = 16 * 1024 * 1024;

    /** A small {@code --max-record-bytes}, so the size check itself is fuzzed too. */
    static final int SMALL_LIMIT = 8 * 1024;

    static final long BASE = Instant.parse("2024-03-01T09:00:00Z").toEpochMilli();

    /** As EventParser: the first time that is not plausible epoch milliseconds (year 10000). */
    static final long MAX_TIME = 253_402_300_800_000L;

    static final long CLOCK_AHEAD_MS = 60_000;

    /**
     * A Kafka timestamp after every generated valid event time (they are within 30 days of BASE).
     */
    static final long KAFKA_TS = BASE + 400L * 86_400_000L;

    /** A Kafka timestamp amid the generated event times: with the clock check, some are ahead. */
    static final long MID_TS = BASE + 15L * 86_400_000L;

    static final byte[] KEY = "dev-1".getBytes(UTF_8);

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A string value that is replaced by raw JSON text (or bytes) after serialization. */
    static final String RAW = "@@raw-4f1c@@";

    /** A member {@code "DUP":0} that is replaced by a duplicate of an existing member. */
    static final String DUP = "@@dup-4f1c@@";

    /** The members of an event the parser reads, and one it ignores. */
    static final String[] FIELDS = {
        "user_id",
        "device_id",
        "event_type",
        "time",
        "client_event_time",
        "session_id",
        "insert_id",
        "$insert_id",
        "platform",
        "os_name",
        "app_version",
        "event_properties",
        "user_properties",
        "language"
    };

    /** The formats of session-rules §1. */
    enum Format {
        V2_EVENT,
        V2_BODY,
        EVENT_ARRAY,
        EXPORT_LINE
    }

    enum Mutation {
        NONE,
        TRUNCATE,
        BIT_FLIP,
        WRONG_TYPE,
        HUGE_NUMBER,
        NAN_INFINITY,
        ODD_TIME_TEXT,
        DEEP_NESTING,
        LONG_STRING,
        INVALID_UTF8,
        DUPLICATE_KEY,
        BOM,
        EMPTY,
        WHITESPACE,
        TRAILING_VALUE,
        BIG_BATCH
    }

    /** Parser settings and the Kafka coordinates of one try. */
    record Settings(
            Identity identity,
            String sessionProperty,
            int maxRecordBytes,
            long maxClockAheadMs,
            int partition,
            long offset,
            long timestamp) {

        EventParser parser() {
            return new EventParser(identity, sessionProperty, maxRecordBytes, maxClockAheadMs);
        }

        RecordOrigin origin(byte[] value) {
            return new RecordOrigin("events", partition, offset, timestamp, KEY, value);
        }
    }

    /** A fuzzed record value and what is known about the outputs it must give. */
    static final class Input {
        final Format format;
        final Mutation mutation;
        final long seed;
        String how = "";
        byte[] value;

        /** INVALID_UTF8 and BOM: the bytes and where, for the statistics; else null. */
        String kind;

        /** Events in the record before the mutation. */
        int events;

        /** The number of outputs when it is known (within the size limit), else -1. */
        int expected = -1;

        /** At most this many outputs (a mutation never adds events to a batch), else 0. */
        int atMost;

        /** Either the whole record is rejected (one dead letter) or each event is parsed. */
        boolean oneOrAll;

        /** The one dead letter's reason when the whole record must be rejected, else null. */
        Rejection reason;

        /** Only events: the mutation keeps the record valid. */
        boolean allEvents;

        /** BIG_BATCH: which events of the batch were made bad, else null. */
        boolean[] bad;

        Input(Format format, Mutation mutation, long seed) {
            this.format = format;
            this.mutation = mutation;
            this.seed = seed;
        }

        @Override
        public String toString() {
            return mutation
                    + " of "
                    + format
                    + " (seed "
                    + seed
                    + ", "
                    + how
                    + ", "
                    + (value == null ? "null" : value.length + " bytes: " + preview(value))
                    + ")";
        }
    }

    // ------------------------------------------------------------------------------------------
    // the property

    @Provide
    Arbitrary<Input> inputs() {
        return Combinators.combine(
                        Arbitraries.of(Format.class),
                        Arbitraries.of(Mutation.class),
                        Arbitraries.longs())
                .as(EventParserFuzzTest::make);
    }

    @Provide
    Arbitrary<Settings> settings() {
        return Combinators.combine(
                        Arbitraries.of(Identity.class),
                        Arbitraries.of("", "plan", "screen").map(p -> p.isEmpty() ? null : p),
                        Arbitraries.frequency(Tuple.of(85, LIMIT), Tuple.of(15, SMALL_LIMIT)),
                        Arbitraries.of(0L, CLOCK_AHEAD_MS),
                        Arbitraries.integers().between(0, 63),
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.of(-1L, KAFKA_TS, MID_TS))
                .as(Settings::new);
    }

    // no edge cases: the generator's own cases are the edges; jqwik's would repeat tiny seeds
    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
    void everyRecordIsAccountedForAndNothingThrows(
            @ForAll("inputs") Input in, @ForAll("settings") Settings s) {
        RecordOrigin origin = s.origin(in.value);
        List<ParsedRecord> out = parse(s.parser(), origin, in + " with " + s);

        // each mutation, each format and both outcomes must really occur, or this proves little
        Statistics.label("mutation")
                .collect(in.mutation)
                .coverage(
                        c -> {
                            for (Mutation m : Mutation.values()) c.check(m).percentage(p -> p >= 3);
                        });
        Statistics.label("format")
                .collect(in.format)
                .coverage(
                        c -> {
                            for (Format f : Format.values()) c.check(f).percentage(p -> p >= 15);
                        });
        long events = out.stream().filter(r -> r != null && r.isEvent()).count();
        long dead = out.stream().filter(r -> r != null && r.isDeadLetter()).count();
        String outcome = events > 0 && dead > 0 ? "both" : events > 0 ? "events" : "dead letters";
        Statistics.label("outcome")
                .collect(outcome)
                .coverage(
                        c -> {
                            c.check("events").percentage(p -> p >= 10);
                            c.check("dead letters").percentage(p -> p >= 25);
                            c.check("both").percentage(p -> p >= 2);
                        });
        Rejection first =
                out.stream()
                        .filter(r -> r != null && r.isDeadLetter())
                        .map(r -> r.deadLetter.reason)
                        .findFirst()
                        .orElse(null);
        Statistics.label("first dead letter reason")
                .collect(first == null ? "none" : first.code())
                .coverage(
                        c -> {
                            for (Rejection r :
                                    List.of(
                                            Rejection.NOT_JSON,
                                            Rejection.NOT_AN_EVENT,
                                            Rejection.NO_EVENTS,
                                            Rejection.NO_OWNER,
                                            Rejection.NO_TIME,
                                            Rejection.BAD_TIME,
                                            Rejection.BAD_FIELD,
                                            Rejection.TOO_LARGE,
                                            Rejection.CLOCK_AHEAD))
                                c.check(r.code()).count(n -> n >= 1);
                        });
        if (in.kind != null) {
            // for the report: which invalid bytes and BOMs Jackson lets through
            Statistics.label(in.mutation.toString()).collect(in.kind + " -> " + outcome);
        }

        checkAccounted(in, s, origin, out);
    }

    // ------------------------------------------------------------------------------------------
    // examples of the inputs the brief names, one by one

    @Example
    void tenThousandLevelsOfNestingAreOneDeadLetter() {
        String arrays = "[".repeat(10_000) + "]".repeat(10_000);
        String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        String inField =
                "{\"user_id\":"
                        + "[".repeat(10_000)
                        + "]".repeat(10_000)
                        + ",\"event_type\":\"x\",\"time\":1000}";
        for (String json : List.of(arrays, objects, inField)) {
            assertThat(onlyDeadLetter(json).reason).isEqualTo(Rejection.NOT_JSON);
        }
        // just within Jackson's depth limit: the value is abbreviated into the dead letter's detail
        String deep =
                "{\"user_id\":"
                        + "[".repeat(998)
                        + "]".repeat(998)
                        + ",\"event_type\":\"x\",\"time\":1000}";
        DeadLetter d = onlyDeadLetter(deep);
        assertThat(d.reason).isEqualTo(Rejection.BAD_FIELD);
        assertThat(d.detail).hasSizeLessThan(200);
    }

    @Example
    void numbersBeyondLongAreRejectedNotThrown() {
        String twoTo64 = BigInteger.TWO.pow(64).toString();
        String belowMinLong =
                BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE).toString();
        for (String n : List.of("1e400", "-1e400", twoTo64, belowMinLong, "1" + "0".repeat(500))) {
            assertThat(onlyDeadLetter(v2WithRaw("time", n)).reason)
                    .as(n)
                    .isEqualTo(Rejection.BAD_TIME);
            assertThat(onlyDeadLetter(v2WithRaw("session_id", n)).reason)
                    .as(n)
                    .isEqualTo(Rejection.BAD_FIELD);
        }
        assertThat(onlyDeadLetter(v2WithRaw("time", "1" + "0".repeat(5_000))).reason)
                .isEqualTo(Rejection.NOT_JSON);
    }

    @Example
    void nanAndInfinityLiteralsAreNotJson() {
        for (String lit : List.of("NaN", "-NaN", "Infinity", "-Infinity", "+Infinity")) {
            assertThat(onlyDeadLetter(v2WithRaw("time", lit)).reason)
                    .as(lit)
                    .isEqualTo(Rejection.NOT_JSON);
        }
    }

    @Example
    void aUtf8BomInFrontIsOneOutput() {
        byte[] event = validV2().getBytes(UTF_8);
        byte[] withBom = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, event);
        List<ParsedRecord> out = parse(parser(LIMIT), withBom);
        assertThat(out).hasSize(1);
        // Jackson skips a UTF-8 BOM: the event is kept
        assertThat(out.get(0).isEvent()).as("%s", out.get(0)).isTrue();
    }

    @Example
    void emptyNullAndBlankValuesAreOneDeadLetter() {
        for (byte[] value :
                Arrays.asList(
                        null,
                        new byte[0],
                        " ".getBytes(UTF_8),
                        "\n\t\r ".repeat(10_000).getBytes(UTF_8),
                        "\u00a0\u2028".getBytes(UTF_8))) {
            List<ParsedRecord> out = parse(parser(LIMIT), value);
            assertThat(out).hasSize(1);
            assertThat(out.get(0).deadLetter.reason).isEqualTo(Rejection.NOT_JSON);
            assertThat(out.get(0).deadLetter.originalValue).isEqualTo(value);
        }
    }

    @Example
    void invalidUtf8InAStringIsOneOutput() {
        // one output each; note that Jackson lets overlong forms (C0 AF is '/'), UTF-8-encoded
        // surrogates and code points above U+10FFFF through inside strings: those give an event
        // with that text, not a NOT_JSON dead letter
        byte[] prefix = "{\"user_id\":\"u".getBytes(UTF_8);
        byte[] suffix = "\",\"event_type\":\"x\",\"time\":1000}".getBytes(UTF_8);
        for (byte[] bad : INVALID_UTF8) {
            List<ParsedRecord> out = parse(parser(LIMIT), concat(prefix, bad, suffix));
            assertThat(out).as(hex(bad)).hasSize(1);
        }
    }

    @Example
    void thousandsOfEventsSomeBadGiveOneOutputEach() {
        ArrayNode events = NODES.arrayNode();
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            ObjectNode e = NODES.objectNode().put("device_id", "d" + (i % 50));
            e.put("event_type", "view").put("time", BASE + i);
            if (i % 7 == 3) e.put("time", "soon");
            events.add(e);
        }
        ObjectNode body = NODES.objectNode().put("api_key", "k");
        body.set("events", events);
        List<ParsedRecord> out = parse(parser(LIMIT), AmplitudeJson.text(body).getBytes(UTF_8));
        assertThat(out).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(out.get(i).isDeadLetter()).as("output %d", i).isEqualTo(i % 7 == 3);
            if (i % 7 == 3) assertThat(out.get(i).deadLetter.detail).contains("events[" + i + "]");
            else assertThat(out.get(i).event.time).isEqualTo(BASE + i);
        }
    }

    // ------------------------------------------------------------------------------------------
    // the checks

    static List<ParsedRecord> parse(EventParser parser, RecordOrigin origin, String what) {
        List<ParsedRecord> out = new ArrayList<>();
        try {
            parser.parse(origin, out::add);
        } catch (Throwable t) {
            throw new AssertionError(
                    "BUG in EventParser: parse threw " + t + " (it must never throw) on " + what,
                    t);
        }
        return out;
    }

    static void checkAccounted(Input in, Settings s, RecordOrigin origin, List<ParsedRecord> out) {
        String what = in + " with " + s + " gave " + abbreviate(out);
        assertThat(out)
                .as("BUG in EventParser: a record gave no output (lost): %s", what)
                .isNotEmpty();
        assertThat(out).as("BUG in EventParser: a null output: %s", what).doesNotContainNull();
        for (ParsedRecord r : out) {
            assertThat(r.isEvent() != r.isDeadLetter() && r.clock == null)
                    .as("an output is exactly one of event, dead letter: %s", what)
                    .isTrue();
            if (r.isDeadLetter()) checkDeadLetter(r.deadLetter, origin, what);
            else checkEvent(r.event, s, origin, what);
        }

        if (in.value != null && in.value.length > s.maxRecordBytes) {
            assertThat(out).as("too large: one dead letter: %s", what).hasSize(1);
            assertThat(out.get(0).isDeadLetter()).as(what).isTrue();
            assertThat(out.get(0).deadLetter.reason).as(what).isEqualTo(Rejection.TOO_LARGE);
            return;
        }
        if (in.expected >= 0) {
            assertThat(out)
                    .as("BUG in EventParser: expected %d output(s): %s", in.expected, what)
                    .hasSize(in.expected);
        }
        if (in.atMost > 0) {
            assertThat(out.size())
                    .as("more outputs than events: %s", what)
                    .isLessThanOrEqualTo(in.atMost);
        }
        if (in.oneOrAll) {
            assertThat(out.size() == 1 || out.size() == in.events)
                    .as("BUG in EventParser: one dead letter or one output per event: %s", what)
                    .isTrue();
        }
        if (in.reason != null) {
            assertThat(out).as(what).hasSize(1);
            assertThat(out.get(0).isDeadLetter()).as(what).isTrue();
            assertThat(out.get(0).deadLetter.reason).as(what).isEqualTo(in.reason);
        }
        if (in.allEvents) {
            assertThat(out)
                    .as("a valid record gives only events (or clock-ahead dead letters): %s", what)
                    .allMatch(r -> r.isEvent() || r.deadLetter.reason == Rejection.CLOCK_AHEAD);
        }
        if (in.bad != null) {
            assertThat(out).as(what).hasSize(in.bad.length);
            for (int i = 0; i < in.bad.length; i++) {
                ParsedRecord r = out.get(i);
                // a good event may be ahead of the Kafka timestamp: a clock-ahead dead letter
                boolean asMade =
                        in.bad[i]
                                ? r.isDeadLetter()
                                : r.isEvent() || r.deadLetter.reason == Rejection.CLOCK_AHEAD;
                assertThat(asMade)
                        .as("output %d is a dead letter iff its event was made bad: %s", i, what)
                        .isTrue();
                if (in.bad[i]) {
                    assertThat(out.get(i).deadLetter.detail)
                            .as("the dead letter says which event: %s", what)
                            .contains("[" + i + "]");
                }
            }
        }
    }

    static void checkDeadLetter(DeadLetter d, RecordOrigin origin, String what) {
        assertThat(d.reason).as("a dead letter without a reason: %s", what).isNotNull();
        if (d.reason == Rejection.CLOCK_AHEAD) {
            assertThat(origin.timestamp)
                    .as("clock ahead without a timestamp: %s", what)
                    .isNotNegative();
        }
        assertThat(d.detail).as("a dead letter without a detail: %s", what).isNotNull();
        assertThat(d.originalValue).as("the original bytes: %s", what).isEqualTo(origin.value);
        assertThat(d.originalKey).as("the original key: %s", what).isEqualTo(origin.key);
        assertThat(d.topic).as(what).isEqualTo(origin.topic);
        assertThat(d.partition).as(what).isEqualTo(origin.partition);
        assertThat(d.offset).as(what).isEqualTo(origin.offset);
        assertThat(d.timestamp).as(what).isEqualTo(origin.timestamp);
    }

    static void checkEvent(Event e, Settings s, RecordOrigin origin, String what) {
        String owner =
                s.identity() == Identity.DEVICE
                        ? e.deviceId
                        : e.userId != null ? e.userId : e.deviceId;
        assertThat(e.owner).as("an event without an owner: %s", what).isNotNull().isEqualTo(owner);
        assertThat(e.eventType).as("an event without a type: %s", what).isNotBlank();
        assertThat(e.time)
                .as("an implausible event time: %s", what)
                .isPositive()
                .isLessThan(MAX_TIME);
        if (s.maxClockAheadMs() > 0 && origin.timestamp >= 0) {
            assertThat(e.time).as(what).isLessThanOrEqualTo(origin.timestamp + s.maxClockAheadMs());
        }
        assertThat(e.sourceTopic).as(what).isEqualTo(origin.topic);
        assertThat(e.sourcePartition).as(what).isEqualTo(origin.partition);
        assertThat(e.sourceOffset).as(what).isEqualTo(origin.offset);
    }

    // ------------------------------------------------------------------------------------------
    // the generator: a valid record, then one mutation

    /** A valid record: its root and the event objects in it (the same objects, not copies). */
    record Valid(JsonNode root, List<ObjectNode> events) {
        int n() {
            return events.size();
        }

        /** The array holding the events, or null for a single event. */
        ArrayNode array() {
            if (root.isArray()) return (ArrayNode) root;
            return root.has("events") ? (ArrayNode) root.get("events") : null;
        }
    }

    static Input make(Format f, Mutation m, long seed) {
        Random r = new Random(seed);
        Input in = new Input(f, m, seed);
        switch (m) {
            case NONE -> {
                Valid v = valid(f, r);
                set(in, v, bytes(v.root));
                in.expected = v.n();
                in.allEvents = true;
            }
            case TRUNCATE -> {
                Valid v = valid(f, r);
                byte[] b = bytes(v.root);
                // 0 to length - 1 bytes: the closing brace or bracket always goes
                int cut = r.nextInt(b.length);
                set(in, v, Arrays.copyOf(b, cut));
                in.how = "cut to " + cut + " of " + b.length + " bytes";
                in.expected = 1;
                in.reason = Rejection.NOT_JSON;
            }
            case BIT_FLIP -> {
                Valid v = valid(f, r);
                byte[] b = bytes(v.root);
                int flips = 1 + r.nextInt(3);
                StringBuilder how = new StringBuilder("flipped");
                for (int i = 0; i < flips; i++) {
                    int pos = r.nextInt(b.length);
                    int bit = r.nextInt(8);
                    b[pos] ^= (byte) (1 << bit);
                    how.append(" bit ").append(bit).append(" of byte ").append(pos);
                }
                set(in, v, b);
                in.how = how.toString();
                in.atMost = Math.max(1, v.n());
                if (v.n() == 1) in.expected = 1;
            }
            case WRONG_TYPE -> wrongType(in, f, r);
            case HUGE_NUMBER -> {
                Valid v = valid(f, r);
                String lit = pick(r, HUGE_NUMBERS);
                if (r.nextInt(10) == 0) lit = "9".repeat(900 + r.nextInt(300));
                String field =
                        r.nextInt(10) < 6
                                ? "time"
                                : r.nextBoolean() ? "session_id" : pick(r, FIELDS);
                pickEvent(v, r).put(field, RAW);
                set(in, v, text(v.root).replace(quoted(RAW), lit).getBytes(UTF_8));
                in.how = field + " = " + abbreviate(lit);
                if (lit.length() <= 900) in.expected = v.n();
                else in.atMost = Math.max(1, v.n());
            }
            case NAN_INFINITY -> {
                Valid v = valid(f, r);
                String lit = pick(r, NOT_JSON_NUMBERS);
                String field = r.nextBoolean() ? "time" : pick(r, FIELDS);
                pickEvent(v, r).put(field, RAW);
                set(in, v, text(v.root).replace(quoted(RAW), lit).getBytes(UTF_8));
                in.how = field + " = " + lit;
                in.expected = 1;
                in.reason = Rejection.NOT_JSON;
            }
            case ODD_TIME_TEXT -> {
                Valid v = valid(f, r);
                ObjectNode e = pickEvent(v, r);
                e.remove("time");
                if (r.nextInt(4) == 0) e.putNull("time");
                String t = oddTime(r);
                e.put("client_event_time", t);
                set(in, v, bytes(v.root));
                in.how = "client_event_time = " + abbreviate(t);
                in.expected = v.n();
            }
            case DEEP_NESTING -> deepNesting(in, f, r);
            case LONG_STRING -> longString(in, f, r);
            case INVALID_UTF8 -> invalidUtf8(in, f, r);
            case DUPLICATE_KEY -> duplicateKey(in, f, r);
            case BOM -> {
                Valid v = valid(f, r);
                int kind = r.nextInt(10);
                byte[] bom =
                        kind < 6
                                ? new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}
                                : kind < 7
                                        ? new byte[] {
                                            (byte) 0xEF, (byte) 0xBB, (byte) 0xBF,
                                            (byte) 0xEF, (byte) 0xBB, (byte) 0xBF
                                        }
                                        : kind < 8
                                                ? new byte[] {(byte) 0xFE, (byte) 0xFF}
                                                : kind < 9
                                                        ? new byte[] {(byte) 0xFF, (byte) 0xFE}
                                                        : new byte[] {
                                                            0, 0, (byte) 0xFE, (byte) 0xFF
                                                        };
                set(in, v, concat(bom, bytes(v.root)));
                in.how = "BOM " + hex(bom);
                in.kind = hex(bom);
                in.oneOrAll = true;
            }
            case EMPTY -> {
                in.value = r.nextBoolean() ? null : new byte[0];
                in.how = in.value == null ? "no value" : "zero bytes";
                in.expected = 1;
                in.reason = Rejection.NOT_JSON;
            }
            case WHITESPACE -> whitespace(in, f, r);
            case TRAILING_VALUE -> {
                Valid v = valid(f, r);
                String sep = pick(r, "", " ", "\n", "\r\n", "\t");
                String second =
                        r.nextBoolean()
                                ? text(valid(f, r).root)
                                : pick(r, "x", "}", "]", ",", "null", "0", "\"\"", "{}", "[]");
                set(in, v, (text(v.root) + sep + second).getBytes(UTF_8));
                in.how = "followed by " + escape(sep) + abbreviate(second);
                in.expected = 1;
                in.reason = Rejection.NOT_JSON;
            }
            case BIG_BATCH -> bigBatch(in, f, r);
        }
        return in;
    }

    static void set(Input in, Valid v, byte[] value) {
        in.events = v.n();
        in.value = value;
    }

    static Valid valid(Format f, Random r) {
        int n =
                f == Format.V2_EVENT || f == Format.EXPORT_LINE
                        ? 1
                        : r.nextInt(3) == 0 ? 1 : 2 + r.nextInt(4);
        return valid(f, r, n);
    }

    static Valid valid(Format f, Random r, int n) {
        boolean export = f == Format.EXPORT_LINE || (f == Format.EVENT_ARRAY && r.nextBoolean());
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < n; i++) events.add(event(r, export));
        JsonNode root;
        switch (f) {
            case V2_BODY -> root = AmplitudeJson.body(events);
            case EVENT_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                events.forEach(a::add);
                root = a;
            }
            default -> root = events.get(0);
        }
        return new Valid(root, events);
    }

    /** A valid event: a v2 event or an export line, always with a usable device_id. */
    static ObjectNode event(Random r, boolean export) {
        String rawUser =
                pick(
                        r,
                        "user-" + r.nextInt(1000),
                        "user-" + r.nextInt(1000),
                        null,
                        "anonymous",
                        " NULL ",
                        "Ünïcødé-" + r.nextInt(10),
                        "😀-" + r.nextInt(10));
        String user = rawUser == null || InvalidIds.clean(rawUser) == null ? null : rawUser;
        String device = "dev-" + r.nextInt(1000);
        String type =
                pick(
                        r,
                        "view",
                        "click",
                        "session_start",
                        "Play Song",
                        "[Amplitude] End Session",
                        "ťÿpé ✓");
        long time = BASE + (long) r.nextInt(30) * 86_400_000L + r.nextInt(86_400_000) + 1;
        String insert = r.nextInt(4) == 0 ? null : "ins-" + Long.toHexString(r.nextLong());
        String platform = pick(r, "iOS", "Android", "Web");
        Event e = AmplitudeJson.event(user, device, type, time, insert, platform);
        int s = r.nextInt(4);
        if (s == 0) e.sdkSessionId = Event.OUT_OF_SESSION_ID;
        else if (s > 1) e.sdkSessionId = time - r.nextInt(600_000);
        return export
                ? AmplitudeJson.export(e, rawUser, r.nextInt(2))
                : AmplitudeJson.v2(e, rawUser);
    }

    static ObjectNode pickEvent(Valid v, Random r) {
        return v.events.get(r.nextInt(v.n()));
    }

    static void wrongType(Input in, Format f, Random r) {
        Valid v = valid(f, r);
        int roll = r.nextInt(100);
        ArrayNode array = v.array();
        if (roll < 25) {
            // the record itself, or a body's "events", is of the wrong type
            int kind = r.nextInt(4);
            JsonNode w =
                    kind == 0
                            ? wrongValue(r, array != null ? array : v.root)
                            : kind == 1
                                    ? AmplitudeJson.parse(pick(r, RECORD_REPLACEMENTS))
                                    : NODES.arrayNode(); // an empty batch, half the time
            JsonNode root = v.root;
            if (f == Format.V2_BODY && r.nextBoolean()) {
                ((ObjectNode) root).set("events", w);
                in.how = "\"events\" = " + abbreviate(w.toString());
                in.expected = w.isArray() ? Math.max(1, w.size()) : 1;
            } else {
                root = w;
                in.how = "the record = " + abbreviate(w.toString());
                JsonNode events = w.isObject() && w.has("events") ? w.get("events") : w;
                in.expected = events.isArray() ? Math.max(1, events.size()) : 1;
            }
            set(in, v, bytes(root));
        } else if (roll < 40 && array != null) {
            // an element of the batch is not an object
            int i = r.nextInt(array.size());
            JsonNode w = wrongValue(r, array.get(i));
            if (w.isObject()) w = NODES.numberNode(7);
            array.set(i, w);
            set(in, v, bytes(v.root));
            in.how = "element " + i + " = " + abbreviate(w.toString());
            in.expected = v.n();
        } else {
            ObjectNode e = pickEvent(v, r);
            int k = 1 + r.nextInt(3);
            StringBuilder how = new StringBuilder();
            for (int j = 0; j < k; j++) {
                String field = pick(r, FIELDS);
                JsonNode w = wrongValue(r, e.get(field));
                if (field.endsWith("_properties") && r.nextBoolean()) {
                    // the session property's value may be of any type
                    ObjectNode props = NODES.objectNode();
                    props.set(r.nextBoolean() ? "plan" : "screen", w);
                    w = props;
                }
                e.set(field, w);
                how.append(field).append(" = ").append(abbreviate(w.toString())).append("; ");
            }
            set(in, v, bytes(v.root));
            in.how = how.toString();
            in.expected = v.n();
        }
    }

    /** Whole records that are no event, or an empty batch. */
    static final String[] RECORD_REPLACEMENTS = {
        "[]",
        "{\"events\":[]}",
        "{\"api_key\":\"k\",\"events\":[]}",
        "{}",
        "{\"events\":{}}",
        "{\"events\":null}",
        "\"an event\"",
        "7",
        "null",
        "true",
        "[1,\"u\",null]"
    };

    /** A JSON value of another type than {@code current} (any type when it is missing). */
    static JsonNode wrongValue(Random r, JsonNode current) {
        while (true) {
            JsonNode w =
                    switch (r.nextInt(8)) {
                        case 0 ->
                                NODES.textNode(
                                        pick(
                                                r,
                                                "x",
                                                "",
                                                " ",
                                                "123",
                                                "1573570028924",
                                                "null",
                                                "true"));
                        case 1 ->
                                NODES.numberNode(
                                        pick(
                                                r,
                                                0L,
                                                -1L,
                                                7L,
                                                1_573_570_028_924L,
                                                Long.MAX_VALUE,
                                                Long.MIN_VALUE));
                        case 2 -> NODES.numberNode(pick(r, 1.5, 1_573_570_028_924.0, -0.0, 1e300));
                        case 3 -> NODES.numberNode(BigInteger.TWO.pow(64 + r.nextInt(64)));
                        case 4 ->
                                r.nextBoolean()
                                        ? NODES.objectNode()
                                        : NODES.objectNode().put("a", 1).put("user_id", "u");
                        case 5 -> {
                            ArrayNode a = NODES.arrayNode();
                            int n = r.nextInt(3);
                            for (int i = 0; i < n; i++) a.add(r.nextBoolean() ? "u" : "7");
                            yield a;
                        }
                        case 6 -> NODES.nullNode();
                        default -> NODES.booleanNode(r.nextBoolean());
                    };
            if (current == null || w.getNodeType() != current.getNodeType()) return w;
        }
    }

    static final String[] HUGE_NUMBERS = {
        "1e400",
        "-1e400",
        "1e-400",
        "1E19",
        "18446744073709551616", // 2^64
        "18446744073709551615",
        "9223372036854775808", // Long.MAX_VALUE + 1
        "-9223372036854775809", // Long.MIN_VALUE - 1
        "9223372036854775807",
        "-9223372036854775808",
        "253402300799999", // the last plausible time
        "253402300800000",
        "340282366920938463463374607431768211456", // 2^128
        "1573570028924.000",
        "1.573570028924e12",
        "-0",
        "0.0",
        "1e0",
        "123456789012345678901234567890123456789012345678901234567890"
    };

    static final String[] NOT_JSON_NUMBERS = {
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "+Infinity",
        "+1",
        "01",
        "-01",
        ".5",
        "1.",
        "0x10",
        "1e",
        "1e+",
        "--1",
        "inf",
        "nan",
        "undefined",
        "True",
        "NULL",
        "1_000"
    };

    static String oddTime(Random r) {
        if (r.nextBoolean()) {
            return pick(
                    r,
                    "2019-11-12 14:43:48.924000",
                    "2019-11-12T14:43:48Z",
                    "2019-11-12 14:43:48+00:00",
                    "2019-11-12 14:43:48.9240000",
                    "2019-11-12 24:00:00",
                    "2019-02-29 10:00:00",
                    "2020-02-29 10:00:00",
                    "9999-12-31 23:59:59.999999",
                    "0000-01-01 00:00:00",
                    "1970-01-01 00:00:00",
                    "1970-01-01 00:00:00.001",
                    "+10000-01-01 00:00:00",
                    "-0001-01-01 00:00:00",
                    "٢٠١٩-١١-١٢ ١٤:٤٣:٤٨",
                    "2019-11-12\u00a014:43:48",
                    "2019-11-12 14:43:48+01:00",
                    "Z",
                    "+00:00",
                    "",
                    "   ",
                    "2019-11-12",
                    "x".repeat(19),
                    "2019-11-12 14:43:48." + "9".repeat(1000));
        }
        // a valid export timestamp with one character changed, dropped or added
        StringBuilder t =
                new StringBuilder(
                        AmplitudeJson.exportTime(
                                BASE + r.nextInt(1_000_000_000), r.nextBoolean() ? ' ' : 'T', 6));
        int pos = r.nextInt(t.length());
        String pool = "0123456789 T:-.Z+\u0000\u00e9";
        char c = pool.charAt(r.nextInt(pool.length()));
        switch (r.nextInt(3)) {
            case 0 -> t.setCharAt(pos, c);
            case 1 -> t.deleteCharAt(pos);
            default -> t.insert(pos, c);
        }
        return t.toString();
    }

    static void deepNesting(Input in, Format f, Random r) {
        Valid v = valid(f, r);
        int depth = pick(r, 10, 500, 900, 990, 998, 999, 1000, 1001, 1500, 10_000, 100_000);
        int shape = r.nextInt(3);
        if (r.nextInt(10) < 3) {
            // the whole record wrapped: a batch whose element is not an event, or an object
            // without an owner (or too deep)
            String inner = text(v.root);
            String json =
                    shape == 0
                            ? "[".repeat(depth) + inner + "]".repeat(depth)
                            : "{\"a\":".repeat(depth) + inner + "}".repeat(depth);
            set(in, v, json.getBytes(UTF_8));
            in.how = "the record inside " + depth + (shape == 0 ? " arrays" : " objects");
            in.expected = 1;
            return;
        }
        String field = r.nextInt(4) == 0 ? "event_properties" : pick(r, FIELDS);
        ObjectNode e = pickEvent(v, r);
        if (field.equals("event_properties")) {
            ObjectNode props = NODES.objectNode();
            props.put(r.nextBoolean() ? "plan" : "screen", RAW);
            e.set(field, props);
        } else {
            e.put(field, RAW);
        }
        String deep =
                switch (shape) {
                    case 0 -> "[".repeat(depth) + "]".repeat(depth);
                    case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                    default -> "[{\"a\":".repeat(depth / 2) + "\"x\"" + "}]".repeat(depth / 2);
                };
        set(in, v, text(v.root).replace(quoted(RAW), deep).getBytes(UTF_8));
        in.how = field + " nested " + depth + " deep (shape " + shape + ")";
        if (depth <= 900) in.expected = v.n();
        else in.oneOrAll = true;
    }

    static void longString(Input in, Format f, Random r) {
        Valid v = valid(f, r);
        int length = pick(r, 10_000, 60_000, 300_000, 1_000_000, 2_000_000);
        String s;
        if (length <= 300_000 && r.nextBoolean()) {
            String pool = "aZ09 é€😀\"\\\n\u0000\u2028\u001f/";
            StringBuilder b = new StringBuilder(length);
            while (b.length() < length) {
                int i = r.nextInt(pool.length());
                if (Character.isSurrogate(pool.charAt(i))) b.append("😀");
                else b.append(pool.charAt(i));
            }
            s = b.toString();
        } else {
            s = String.valueOf((char) ('a' + r.nextInt(26))).repeat(length);
        }
        ObjectNode e = pickEvent(v, r);
        if (r.nextInt(6) == 0) {
            // a long member name (Jackson limits names to 50,000 characters)
            e.put(s, 1);
            set(in, v, bytes(v.root));
            in.how = "a member name of " + length + " chars";
            in.oneOrAll = true;
        } else {
            String field = pick(r, FIELDS);
            e.put(field, s);
            set(in, v, bytes(v.root));
            in.how = field + " = " + length + " chars";
            in.expected = v.n();
        }
    }

    static final byte[][] INVALID_UTF8 = {
        {(byte) 0xFF},
        {(byte) 0xFE},
        {(byte) 0x80}, // a continuation byte without a lead
        {(byte) 0xBF},
        {(byte) 0xC3}, // a lead without its continuation
        {(byte) 0xC3, 0x28},
        {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
        {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
        {(byte) 0xC1, (byte) 0xBF},
        {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // overlong NUL
        {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate encoded in UTF-8
        {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xFC, (byte) 0x84, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {0x00}, // a raw NUL (a control character JSON requires escaped)
        {0x1F}
    };

    static void invalidUtf8(Input in, Format f, Random r) {
        Valid v = valid(f, r);
        int which = r.nextInt(INVALID_UTF8.length);
        byte[] bad = INVALID_UTF8[which];
        int place = r.nextInt(10);
        if (place < 6) {
            // inside a string value: the record parses whole or is rejected whole
            String field =
                    pick(
                            r,
                            "user_id",
                            "device_id",
                            "event_type",
                            "insert_id",
                            "platform",
                            "language");
            pickEvent(v, r).put(field, "ab" + RAW + "cd");
            byte[] b = bytes(v.root);
            int at = indexOf(b, RAW.getBytes(UTF_8));
            byte[] value =
                    concat(
                            Arrays.copyOfRange(b, 0, at),
                            bad,
                            Arrays.copyOfRange(b, at + RAW.length(), b.length));
            set(in, v, value);
            in.how = "#" + which + " " + hex(bad) + " in " + field;
            in.kind = hex(bad) + " in a string";
            in.oneOrAll = true;
        } else {
            byte[] b = bytes(v.root);
            int at = r.nextInt(b.length + 1);
            boolean overwrite = place < 8 && at + bad.length <= b.length;
            byte[] value;
            if (overwrite) {
                value = b.clone();
                System.arraycopy(bad, 0, value, at, bad.length);
            } else {
                value =
                        concat(
                                Arrays.copyOfRange(b, 0, at),
                                bad,
                                Arrays.copyOfRange(b, at, b.length));
            }
            set(in, v, value);
            in.how = "#" + which + " " + hex(bad) + (overwrite ? " over" : " into") + " byte " + at;
            in.kind = "anywhere";
            in.atMost = Math.max(1, v.n());
        }
    }

    static void duplicateKey(Input in, Format f, Random r) {
        Valid v = valid(f, r);
        if (f == Format.V2_BODY && r.nextInt(4) == 0) {
            // "events" twice: Jackson keeps the last
            JsonNode other =
                    pick(
                            r,
                            NODES.arrayNode(),
                            NODES.textNode("x"),
                            NODES.nullNode(),
                            valid(Format.EVENT_ARRAY, r).root);
            boolean before = r.nextBoolean();
            ObjectNode root = withMarker((ObjectNode) v.root, before);
            String json = text(root).replace(quoted(DUP) + ":0", "\"events\":" + text(other));
            set(in, v, json.getBytes(UTF_8));
            in.how =
                    "\"events\" also = "
                            + abbreviate(text(other))
                            + (before ? " before" : " after");
            in.expected = before ? v.n() : other.isArray() ? Math.max(1, other.size()) : 1;
            return;
        }
        int i = r.nextInt(v.n());
        ObjectNode e = v.events.get(i);
        Iterator<String> names = e.fieldNames();
        List<String> existing = new ArrayList<>();
        names.forEachRemaining(existing::add);
        String field = existing.get(r.nextInt(existing.size()));
        JsonNode dup = r.nextBoolean() && e.has(field) ? e.get(field) : wrongValue(r, e.get(field));
        if (r.nextInt(3) == 0) dup = NODES.textNode("other-" + r.nextInt(100));
        boolean before = r.nextBoolean();
        ObjectNode marked = withMarker(e, before);
        ArrayNode array = v.array();
        JsonNode root = array == null ? marked : v.root;
        if (array != null) array.set(i, marked);
        String json = text(root).replace(quoted(DUP) + ":0", quoted(field) + ":" + text(dup));
        set(in, v, json.getBytes(UTF_8));
        in.how = field + " also = " + abbreviate(text(dup)) + (before ? " before" : " after");
        in.expected = v.n();
    }

    /** A copy of {@code o} with the member {@code "DUP":0} first or last. */
    static ObjectNode withMarker(ObjectNode o, boolean first) {
        ObjectNode copy = NODES.objectNode();
        if (first) copy.put(DUP, 0);
        copy.setAll(o);
        if (!first) copy.put(DUP, 0);
        return copy;
    }

    static void whitespace(Input in, Format f, Random r) {
        int kind = r.nextInt(8);
        if (kind < 5) {
            int n = pick(r, 1, 2, 10, 1_000, 100_000);
            StringBuilder b = new StringBuilder(n);
            for (int i = 0; i < n; i++) b.append(" \t\n\r".charAt(r.nextInt(4)));
            in.value = b.toString().getBytes(UTF_8);
            in.how = n + " whitespace chars";
            in.expected = 1;
            in.reason = Rejection.NOT_JSON;
        } else if (kind < 6) {
            // blanks JSON does not count as whitespace
            String s = pick(r, "\u00a0", "\u2028", "\f", "\u000b", "\u3000", "\ufeff", "\u0000");
            in.value = s.repeat(1 + r.nextInt(5)).getBytes(UTF_8);
            in.how = "only " + escape(s);
            in.expected = 1;
        } else {
            // whitespace around a valid record is still the record
            Valid v = valid(f, r);
            String pad = " \n\t\r".repeat(1 + r.nextInt(100));
            set(in, v, (pad + text(v.root) + pad).getBytes(UTF_8));
            in.how = "padded with " + pad.length() + " whitespace chars each side";
            in.expected = v.n();
            in.allEvents = true;
        }
    }

    static void bigBatch(Input in, Format f, Random r) {
        Format batch =
                f == Format.V2_EVENT
                        ? Format.V2_BODY
                        : f == Format.EXPORT_LINE ? Format.EVENT_ARRAY : f;
        int n = 1_000 + r.nextInt(2_001);
        Valid v = valid(batch, r, n);
        if (f == Format.EXPORT_LINE) {
            // export lines, as a JSON array
            ArrayNode a = NODES.arrayNode();
            v.events.clear();
            for (int i = 0; i < n; i++) {
                ObjectNode e = event(r, true);
                v.events.add(e);
                a.add(e);
            }
            v = new Valid(a, v.events);
        }
        ArrayNode array = v.array();
        double share = r.nextDouble() * 0.3;
        boolean[] bad = new boolean[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() >= share) continue;
            bad[i] = true;
            count++;
            ObjectNode e = v.events.get(i);
            switch (r.nextInt(6)) {
                case 0 -> {
                    e.remove("time");
                    e.put("client_event_time", "yesterday");
                }
                case 1 -> {
                    e.remove("user_id");
                    e.remove("device_id");
                }
                case 2 -> e.put("event_type", 5);
                case 3 -> e.put("session_id", "abc");
                case 4 ->
                        array.set(
                                i,
                                pick(
                                        r,
                                        NODES.numberNode(7),
                                        NODES.nullNode(),
                                        NODES.textNode("e"),
                                        NODES.arrayNode()));
                default -> {
                    e.remove("time");
                    e.remove("client_event_time");
                }
            }
        }
        set(in, v, bytes(v.root));
        in.how = n + " events, " + count + " bad";
        in.bad = bad;
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    static EventParser parser(int limit) {
        return new EventParser(Identity.USER, "plan", limit, 0);
    }

    static List<ParsedRecord> parse(EventParser parser, byte[] value) {
        RecordOrigin origin = new RecordOrigin("events", 3, 42, KAFKA_TS, KEY, value);
        String what = value == null ? "null" : value.length + " bytes: " + preview(value);
        List<ParsedRecord> out = parse(parser, origin, what);
        Input any = new Input(Format.V2_EVENT, Mutation.NONE, 0);
        any.value = value;
        checkAccounted(
                any, new Settings(Identity.USER, "plan", LIMIT, 0, 3, 42, KAFKA_TS), origin, out);
        return out;
    }

    static DeadLetter onlyDeadLetter(String json) {
        List<ParsedRecord> out = parse(parser(LIMIT), json.getBytes(UTF_8));
        assertThat(out).as(abbreviate(json)).hasSize(1);
        assertThat(out.get(0).isDeadLetter()).as("%s: %s", abbreviate(json), out.get(0)).isTrue();
        return out.get(0).deadLetter;
    }

    static String validV2() {
        return "{\"user_id\":\"u\",\"device_id\":\"d\",\"event_type\":\"x\",\"time\":" + BASE + "}";
    }

    /** A valid v2 event whose {@code field} is the raw JSON text {@code raw}. */
    static String v2WithRaw(String field, String raw) {
        ObjectNode e = (ObjectNode) AmplitudeJson.parse(validV2());
        e.put(field, RAW);
        return text(e).replace(quoted(RAW), raw);
    }

    static String text(JsonNode n) {
        try {
            return AmplitudeJson.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(JsonNode n) {
        return text(n).getBytes(UTF_8);
    }

    static String quoted(String s) {
        return "\"" + s + "\"";
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        throw new IllegalStateException("marker not found");
    }

    @SafeVarargs
    static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02X ", x & 0xFF));
        return s.toString().trim();
    }

    /** The first bytes, printable ASCII as is and everything else as {@code \xNN}. */
    static String preview(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 240); i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') s.append((char) c);
            else s.append(String.format("\\x%02X", c));
        }
        return b.length > 240 ? s + "..." : s.toString();
    }

    static String escape(String s) {
        return preview(s.getBytes(UTF_8));
    }

    static String abbreviate(String s) {
        String e = escape(s.length() > 100 ? s.substring(0, 100) : s);
        return s.length() > 100 ? e + "...(" + s.length() + " chars)" : e;
    }

    static String abbreviate(List<ParsedRecord> out) {
        if (out.size() <= 3) return out.toString();
        return out.subList(0, 3) + "... (" + out.size() + " outputs)";
    }
}
