package com.sessionflow.bench;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventParser;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.kafka.JsonRecords;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionFormat;
import com.sessionflow.session.SessionRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Kafka Streams' SessionWindows, the peer a Kafka shop would pick: parse with the job's parser (in
 * a processor that stamps each event with its event time), re-key by owner (a repartition topic, as
 * the Flink job's keyBy), a session-windowed aggregate of the same {@link Session} summary,
 * suppressed until the window closes (final results only), JSON out. Processing only: {@link
 * TopologyTestDriver} (one thread, no broker).
 *
 * <p>Kept in Kafka Streams' favour: changelogs of the store and of the suppression buffer are off
 * (a real deployment writes both to Kafka), dead letters are counted, not written, and there is no
 * deduplication.
 */
public final class KafkaStreamsBench {

    static final String OUTPUT = "sessions";
    static final String STORE = "sessions-store";

    /** The owner of the record that ends the input. */
    static final String END_OF_INPUT = "~end-of-input";

    private KafkaStreamsBench() {}

    public static Topology topology(boolean rocksDb, BenchSettings s) {
        SessionDefinition definition = s.definition();
        // Kafka Streams merges sessions whose distance is <= the gap: gap - 1 ms gives the job's "<
        // gap"
        Duration gap = Duration.ofMillis(s.gapMs - 1);
        // the job emits once the watermark (max time - out-of-orderness) passes the gap: the same
        // grace
        Duration grace = Duration.ofMillis(s.outOfOrdernessMs);
        Duration retention = gap.plus(grace).plusMinutes(1);
        SessionBytesStoreSupplier store =
                rocksDb
                        ? Stores.persistentSessionStore(STORE, retention)
                        : Stores.inMemorySessionStore(STORE, retention);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(BenchInput.TOPIC, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new ParseProcessor(definition))
                .groupByKey(Grouped.with("by-owner", Serdes.String(), new EventSerde()))
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace))
                .aggregate(
                        Session::new,
                        (owner, e, acc) -> add(acc, e, definition),
                        (owner, a, b) -> merge(a, b),
                        Materialized.<String, Session>as(store)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(new SessionSerde())
                                .withLoggingDisabled())
                .suppress(
                        Suppressed.untilWindowCloses(
                                Suppressed.BufferConfig.unbounded().withLoggingDisabled()))
                .toStream()
                .filter((w, acc) -> acc != null)
                .map(
                        (w, acc) -> {
                            SessionRecord record = acc.emitted(CloseReason.GAP);
                            return KeyValue.pair(
                                    (w.key() + "/" + record.sessionId)
                                            .getBytes(StandardCharsets.UTF_8),
                                    JsonRecords.bytes(JsonRecords.session(record, definition)));
                        })
                .to(OUTPUT, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        return builder.build();
    }

    static Session add(Session acc, Event e, SessionDefinition definition) {
        Session one = Session.of(e, definition.isMarker(e));
        if (acc == null || acc.eventCount() == 0) return one;
        acc.absorb(one);
        return acc;
    }

    static Session merge(Session a, Session b) {
        if (a == null || a.eventCount() == 0) return b;
        if (b == null || b.eventCount() == 0) return a;
        a.absorb(b);
        return a;
    }

    /** Runs the current input through the topology; the result holds counters and times. */
    public static Map<String, Object> run(boolean rocksDb, BenchSettings s) throws Exception {
        Probe.reset();
        BenchInput input = BenchInput.current();
        try (TopologyTestDriver driver =
                new TopologyTestDriver(topology(rocksDb, s), config(s, "unused:9092"))) {
            TestInputTopic<byte[], byte[]> in =
                    driver.createInputTopic(
                            BenchInput.TOPIC, new ByteArraySerializer(), new ByteArraySerializer());
            long[] out = new long[2];
            int n = input.size();
            long maxTime = 0;
            Probe.first();
            for (int i = 0; i < n; i++) {
                if (i == n / 2) Probe.middle();
                in.pipeInput(
                        new TestRecord<>(
                                input.keys[i], input.values[i], null, input.timestamps[i]));
                maxTime = Math.max(maxTime, input.timestamps[i]);
                if ((i & 1023) == 1023) drain(driver, out);
            }
            long end = endOfInputTime(maxTime);
            in.pipeInput(new TestRecord<>(null, endOfInput(end), null, end));
            drain(driver, out);
            Probe.end();
            Probe.add("out.first", out[0]);
            Probe.add("out.records", out[0]);
            Probe.add("out.bytes", out[1]);
        }
        Map<String, Object> r = Results.throughput(input, "out");
        return r;
    }

    /** The application's settings, the same in the test driver and against a broker. */
    static Properties config(BenchSettings s, String bootstrap) throws IOException {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sessionflow-bench");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // the record cache (default 10 MB) makes every session lookup scan and copy a range of the
        // cache
        // (CachingSessionStore.findSessions -> NamedCache.keyRange): 100x slower here. Off, in
        // Kafka Streams' favour.
        p.put(
                StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG,
                System.getProperty("bench.kstreams.cache", "0"));
        p.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory(Files.createDirectories(s.tmp()), "kafka-streams")
                        .toString());
        return p;
    }

    /** Stream time moves only with records: one this far past the input closes every window. */
    static long endOfInputTime(long maxTime) {
        return maxTime + Duration.ofDays(1).toMillis();
    }

    static byte[] endOfInput(long time) {
        return ("{\"device_id\":\""
                        + END_OF_INPUT
                        + "\",\"event_type\":\"flush\",\"time\":"
                        + time
                        + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads what the driver captured, so its queues stay small (the repartition topic's records
     * too).
     */
    private static void drain(TopologyTestDriver driver, long[] out) {
        for (String topic : driver.producedTopicNames()) {
            TestOutputTopic<byte[], byte[]> t =
                    driver.createOutputTopic(
                            topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            while (!t.isEmpty()) {
                TestRecord<byte[], byte[]> r = t.readRecord();
                if (topic.equals(OUTPUT)) {
                    out[0]++;
                    out[1] += r.key().length + r.value().length;
                }
            }
        }
    }

    /**
     * Parses a record with the job's parser; events go on keyed by owner, stamped with their event
     * time.
     */
    static final class ParseProcessor implements Processor<byte[], byte[], String, Event> {
        private final SessionDefinition definition;
        private final EventParser parser = BenchInput.parser();
        private ProcessorContext<String, Event> context;
        private long offset;
        private long events;
        private long deadLetters;

        ParseProcessor(SessionDefinition definition) {
            this.definition = definition;
        }

        @Override
        public void init(ProcessorContext<String, Event> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            parser.parse(
                    new RecordOrigin(
                            BenchInput.TOPIC,
                            0,
                            offset++,
                            record.timestamp(),
                            record.key(),
                            record.value()),
                    p -> {
                        if (!p.isEvent()) {
                            deadLetters++;
                            return;
                        }
                        Event e = p.event;
                        if (e.owner.equals(END_OF_INPUT)) Probe.add("parsed.endOfInput", 1);
                        else events++;
                        if (definition.isOutOfSession(e)) return;
                        context.forward(new Record<>(e.owner, e, e.time));
                    });
        }

        @Override
        public void close() {
            Probe.add("parsed.events", events);
            Probe.add("parsed.deadLetters", deadLetters);
        }
    }

    private interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static <T> byte[] write(T value, Writer<T> w) {
        if (value == null) return null;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            w.write(out, value);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(byte[] data, Reader<T> r) {
        if (data == null) return null;
        try {
            return r.read(new DataInputStream(new ByteArrayInputStream(data)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }

    private static String str(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /**
     * A compact binary serde of the event fields the summary needs (the repartition topic's
     * values).
     */
    static final class EventSerde implements Serde<Event> {
        @Override
        public Serializer<Event> serializer() {
            return (topic, e) ->
                    write(
                            e,
                            (out, v) -> {
                                str(out, v.owner);
                                str(out, v.userId);
                                str(out, v.deviceId);
                                str(out, v.eventType);
                                out.writeLong(v.time);
                                out.writeLong(v.sdkSessionId);
                                str(out, v.insertId);
                                str(out, v.platform);
                                str(out, v.osName);
                                str(out, v.appVersion);
                            });
        }

        @Override
        public Deserializer<Event> deserializer() {
            return (topic, data) ->
                    read(
                            data,
                            in -> {
                                Event e = new Event();
                                e.owner = str(in);
                                e.userId = str(in);
                                e.deviceId = str(in);
                                e.eventType = str(in);
                                e.time = in.readLong();
                                e.sdkSessionId = in.readLong();
                                e.insertId = str(in);
                                e.platform = str(in);
                                e.osName = str(in);
                                e.appVersion = str(in);
                                return e;
                            });
        }
    }

    /** The session store's values, in the sessionizer's own session format. */
    static final class SessionSerde implements Serde<Session> {
        @Override
        public Serializer<Session> serializer() {
            return (topic, s) ->
                    write(s, (out, v) -> SessionFormat.write(v, out, strings(out, null)));
        }

        @Override
        public Deserializer<Session> deserializer() {
            return (topic, data) ->
                    read(
                            data,
                            in -> SessionFormat.read(in, strings(null, in), SessionFormat.CURRENT));
        }

        private static SessionFormat.Strings strings(DataOutputStream out, DataInputStream in) {
            return new SessionFormat.Strings() {
                @Override
                public void write(String s) throws IOException {
                    str(out, s);
                }

                @Override
                public String read() throws IOException {
                    return str(in);
                }
            };
        }
    }
}
