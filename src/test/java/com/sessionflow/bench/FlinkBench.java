package com.sessionflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.event.EventParser;
import com.sessionflow.event.Identity;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.functions.ParsedRecordSerializer;
import com.sessionflow.functions.SessionChangeSerializer;
import com.sessionflow.functions.SplitDeadLetters;
import com.sessionflow.job.SessionPipeline;
import com.sessionflow.kafka.JsonRecords;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.time.EventTimes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The Flink scenarios, processing only: the pre-generated records come from memory (a
 * DataGeneratorSource of record indexes), are parsed by the job's EventParser inside the job, get
 * the job's watermarks, and every output is serialized as the job's Kafka sinks would serialize it,
 * then discarded. Parallelism 1 on a local MiniCluster in this JVM.
 */
public final class FlinkBench {

    private FlinkBench() {}

    public enum Kind {
        FLOOR,
        SESSIONIZE,
        /** The job with {@code --identity merged}: the device linker before the sessionizer. */
        SESSIONIZE_MERGED,
        WINDOWS,
        SQL_SESSION
    }

    /** Runs one scenario on the current {@link BenchInput}; the result holds counters and times. */
    public static Map<String, Object> run(Kind kind, String backend, BenchSettings s)
            throws Exception {
        Probe.reset();
        BenchInput input = BenchInput.current();
        StreamExecutionEnvironment env = environment(backend, s);
        DataStream<ParsedRecord> parsed = parsedInput(env, input.size(), s);
        SingleOutputStreamOperator<Event> events;
        SessionDefinition definition = s.definition();
        switch (kind) {
            case FLOOR -> {
                events = parsed.process(new SplitDeadLetters()).name("split dead letters");
                events.getSideOutput(SplitDeadLetters.DEAD_LETTERS).sinkTo(deadLetterSink());
                // the job's shape without its state: key by owner, one JSON record per event
                events.keyBy(e -> e.owner)
                        .sinkTo(new CountingSink<>("out", FlinkBench::encodeEvent))
                        .name("events as JSON");
            }
            case SESSIONIZE, SESSIONIZE_MERGED -> {
                SessionPipeline.Outputs out =
                        SessionPipeline.sessionize(
                                parsed,
                                s.timeline(),
                                s.dedupHorizonMs,
                                OwnerRateLimit.DEFAULT,
                                kind == Kind.SESSIONIZE ? Identity.USER : Identity.MERGED);
                out.sessions()
                        .sinkTo(
                                new CountingSink<>(
                                        "out",
                                        (SessionChange c, long[] size) ->
                                                encodeChange(c, definition, size)))
                        .name("sessions as JSON");
                out.deadLetters().sinkTo(deadLetterSink());
                out.lateEvents()
                        .sinkTo(
                                new CountingSink<>(
                                        "late",
                                        (late, size) -> {
                                            size[0] =
                                                    JsonRecords.bytes(JsonRecords.lateEvent(late))
                                                            .length;
                                            return "all";
                                        }));
                out.outOfSessionEvents()
                        .sinkTo(new CountingSink<>("outOfSession", (e, size) -> "all"));
            }
            case WINDOWS -> {
                events = parsed.process(new SplitDeadLetters()).name("split dead letters");
                events.getSideOutput(SplitDeadLetters.DEAD_LETTERS).sinkTo(deadLetterSink());
                OutputTag<Event> late = new OutputTag<>("late", TypeInformation.of(Event.class));
                SingleOutputStreamOperator<SessionChange> sessions =
                        events.filter(e -> !definition.isOutOfSession(e))
                                .name("in-session events")
                                .keyBy(e -> e.owner)
                                // Flink's windows touch when end >= start: gap - 1 ms gives the
                                // job's "strictly less than gap"
                                .window(
                                        EventTimeSessionWindows.withGap(
                                                Duration.ofMillis(s.gapMs - 1)))
                                .allowedLateness(Duration.ofMillis(s.allowedLatenessMs))
                                .sideOutputLateData(late)
                                .aggregate(
                                        new SessionAggregate(definition),
                                        SessionSummarySerializer.TYPE,
                                        SessionChangeSerializer.TYPE)
                                .name("session windows");
                sessions.sinkTo(
                                new CountingSink<>(
                                        "out",
                                        (SessionChange c, long[] size) ->
                                                encodeChange(c, definition, size)))
                        .name("sessions as JSON");
                sessions.getSideOutput(late)
                        .sinkTo(new CountingSink<>("late", FlinkBench::encodeEvent));
            }
            case SQL_SESSION -> {
                events = parsed.process(new SplitDeadLetters()).name("split dead letters");
                events.getSideOutput(SplitDeadLetters.DEAD_LETTERS).sinkTo(deadLetterSink());
                sqlSessions(env, events.filter(e -> !definition.isOutOfSession(e)), s.gapMs)
                        .sinkTo(new CountingSink<>("out", FlinkBench::encodeSqlSession))
                        .name("sessions as JSON");
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        env.execute("bench " + kind + " " + backend);
        return Results.throughput(input, "out");
    }

    /**
     * What a Flink SQL user writes for sessions: the {@code SESSION} window table function
     * partitioned by owner, counting events, on the same events and watermarks. Its windows touch
     * when the distance is {@code <=} the gap, so the gap is one millisecond less, as for the
     * DataStream windows. Late events are dropped (window table functions have no allowed
     * lateness).
     */
    static DataStream<Row> sqlSessions(
            StreamExecutionEnvironment env, DataStream<Event> events, long gapMs) {
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.createTemporaryView(
                "events",
                events,
                Schema.newBuilder()
                        .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                        .watermark("rowtime", "SOURCE_WATERMARK()")
                        .build());
        Table sessions =
                tables.sqlQuery(
                        "SELECT owner, MIN(`time`) AS start_time, MAX(`time`) AS end_time,"
                                + " COUNT(*) AS event_count"
                                + " FROM TABLE(SESSION(TABLE events PARTITION BY owner,"
                                + " DESCRIPTOR(rowtime), INTERVAL '"
                                + (gapMs - 1) / 1000.0
                                + "' SECOND(3, 3)))"
                                + " GROUP BY owner, window_start, window_end");
        return tables.toDataStream(sessions);
    }

    static String encodeSqlSession(Row r, long[] size) {
        size[0] = (long) sqlSessionKey(r).length + JsonRecords.bytes(sqlSessionJson(r)).length;
        return "first";
    }

    static byte[] sqlSessionKey(Row r) {
        return (r.getField("owner") + "/" + r.getField("start_time"))
                .getBytes(StandardCharsets.UTF_8);
    }

    static ObjectNode sqlSessionJson(Row r) {
        ObjectNode n = JsonRecords.object();
        n.put("owner", (String) r.getField("owner"));
        n.put("session_id", (Long) r.getField("start_time"));
        n.put("end_time", (Long) r.getField("end_time"));
        n.put("event_count", (Long) r.getField("event_count"));
        return n;
    }

    static StreamExecutionEnvironment environment(String backend, BenchSettings s)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // a failing scenario fails the run instead of restarting forever
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.setString(
                "state.backend.rocksdb.localdir",
                Files.createDirectories(s.tmp().resolve("rocksdb")).toString());
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse(s.managedMemory));
        conf.setString("state.backend.rocksdb.timer-service.factory", s.rocksDbTimers);
        conf.setString(
                "state.backend.rocksdb.use-bloom-filter", String.valueOf(s.rocksDbBloomFilter));
        conf.set(CoreOptions.TMP_DIRS, s.tmpDir);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                s.tmp().resolve("checkpoints").toUri().toString());
        conf.set(WebOptions.UPLOAD_DIR, s.tmp().resolve("flink-web-upload").toString());
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.setParallelism(1);
        return env;
    }

    static DataStream<ParsedRecord> parsedInput(
            StreamExecutionEnvironment env, int records, BenchSettings s) {
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(new RecordIndexes(records), records, Types.LONG);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pre-generated records")
                .flatMap(new ParseRecords())
                .name("parse (EventParser)")
                .returns(ParsedRecordSerializer.TYPE)
                .assignTimestampsAndWatermarks(
                        EventTimes.strategy(
                                Duration.ofMillis(s.outOfOrdernessMs),
                                Duration.ofMillis(s.idleTimeoutMs)))
                .name("watermarks (QuietAwareWatermarks)");
    }

    private static CountingSink<com.sessionflow.event.DeadLetter> deadLetterSink() {
        return new CountingSink<>(
                "deadLetters",
                (d, size) -> {
                    size[0] = JsonRecords.bytes(JsonRecords.deadLetter(d)).length;
                    return "all";
                });
    }

    static String encodeEvent(Event e, long[] size) {
        ObjectNode n = JsonRecords.event(e);
        n.put("owner", e.owner);
        size[0] =
                (long) e.owner.getBytes(StandardCharsets.UTF_8).length
                        + JsonRecords.bytes(n).length;
        return "events";
    }

    /**
     * What the job's sessions sink does with a change: key {@code owner/session_id}, JSON value or
     * a tombstone.
     */
    static String encodeChange(SessionChange c, SessionDefinition definition, long[] size) {
        byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
        if (c.isRetraction()) {
            size[0] = key.length;
            return "retractions";
        }
        size[0] =
                (long) key.length
                        + JsonRecords.bytes(JsonRecords.session(c.session, definition)).length;
        return c.session.revision == 1 ? "first" : "revisions";
    }

    /** The record indexes; notes the time of the first and the middle record. */
    static final class RecordIndexes implements GeneratorFunction<Long, Long> {
        private static final long serialVersionUID = 1L;
        private final long middle;

        RecordIndexes(long records) {
            this.middle = records / 2;
        }

        @Override
        public Long map(Long index) {
            if (index == 0) Probe.first();
            else if (index == middle) Probe.middle();
            return index;
        }
    }

    /**
     * The job's source deserializer's work: one pre-generated Kafka record into events or dead
     * letters.
     */
    static final class ParseRecords extends RichFlatMapFunction<Long, ParsedRecord> {
        private static final long serialVersionUID = 1L;
        private transient EventParser parser;
        private transient BenchInput input;
        private transient long events;
        private transient long deadLetters;

        @Override
        public void open(OpenContext context) {
            parser = BenchInput.parser();
            input = BenchInput.current();
        }

        @Override
        public void flatMap(Long boxed, Collector<ParsedRecord> out) {
            int i = boxed.intValue();
            parser.parse(
                    input.origin(i),
                    p -> {
                        if (p.isEvent()) events++;
                        else deadLetters++;
                        out.collect(p);
                    });
        }

        @Override
        public void close() {
            Probe.add("parsed.events", events);
            Probe.add("parsed.deadLetters", deadLetters);
        }
    }

    /**
     * The session summary as an incremental window aggregate: the same {@link Session} the job
     * keeps.
     */
    static final class SessionAggregate
            implements AggregateFunction<Event, Session, SessionChange> {
        private static final long serialVersionUID = 1L;
        private final SessionDefinition definition;

        SessionAggregate(SessionDefinition definition) {
            this.definition = definition;
        }

        @Override
        public Session createAccumulator() {
            return new Session();
        }

        @Override
        public Session add(Event e, Session acc) {
            Session one = Session.of(e, definition.isMarker(e));
            if (acc.eventCount() == 0) return one;
            acc.absorb(one);
            return acc;
        }

        @Override
        public SessionChange getResult(Session acc) {
            return SessionChange.update(acc.emitted(CloseReason.GAP));
        }

        @Override
        public Session merge(Session a, Session b) {
            if (a.eventCount() == 0) return b;
            if (b.eventCount() == 0) return a;
            a.absorb(b);
            return a;
        }
    }

    static Map<String, Object> counters() {
        Map<String, Object> m = new LinkedHashMap<>();
        Probe.counters().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> m.put(e.getKey(), e.getValue().get()));
        return m;
    }
}
