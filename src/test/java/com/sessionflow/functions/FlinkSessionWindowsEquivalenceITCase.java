package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.job.SessionPipeline;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.TestEvents;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On in-order data without -1 events or duplicates, the job's sessions are Flink's own {@code
 * EventTimeSessionWindows}. Flink merges two events exactly {@code g} apart in {@code withGap(g)},
 * Amplitude splits them (session-rules §2), so the windows use {@code gap - 1 ms}.
 */
class FlinkSessionWindowsEquivalenceITCase {

    static final long GAP = 1_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            new MiniClusterResourceConfiguration.Builder()
                                    .setNumberTaskManagers(1)
                                    .setNumberSlotsPerTaskManager(2)
                                    .setConfiguration(configuration())
                                    .build());

    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        conf.set(CoreOptions.TMP_DIRS, tmp.toString());
        conf.set(WebOptions.UPLOAD_DIR, tmp.resolve("flink-web-upload").toString());
        return conf;
    }

    /** In event-time order: several owners, steps around the gap, markers included. */
    static List<Event> events(long seed) {
        Random random = new Random(seed);
        long[] steps = {0, 1, 50, 400, GAP - 2, GAP - 1, GAP, GAP + 1, 5 * GAP};
        String[] types = {
            "click", "view", "session_start", "session_end", "[Amplitude] Start Session"
        };
        long time = 1_700_000_000_000L;
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            time +=
                    random.nextInt(4) == 0
                            ? steps[random.nextInt(steps.length)]
                            : random.nextInt(3);
            String owner = "user-" + random.nextInt(6);
            out.add(
                    TestEvents.at(owner, time)
                            .type(types[random.nextInt(types.length)])
                            .insertId("i" + i)
                            .build());
        }
        return out;
    }

    /** (min time, max time, count) of a window. */
    static final class Span implements AggregateFunction<Event, long[], long[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public long[] createAccumulator() {
            return new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0};
        }

        @Override
        public long[] add(Event e, long[] acc) {
            return new long[] {Math.min(acc[0], e.time), Math.max(acc[1], e.time), acc[2] + 1};
        }

        @Override
        public long[] getResult(long[] acc) {
            return acc;
        }

        @Override
        public long[] merge(long[] a, long[] b) {
            return new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2] + b[2]};
        }
    }

    static final class Describe extends ProcessWindowFunction<long[], String, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String owner, Context ctx, Iterable<long[]> spans, Collector<String> out) {
            for (long[] s : spans)
                out.collect("flink " + owner + " " + s[0] + " " + s[1] + " " + s[2]);
        }
    }

    static String describe(String owner, long start, long end, long count) {
        return owner + " " + start + " " + end + " " + count;
    }

    @Test
    void sameSessionsAsEventTimeSessionWindowsWithGapMinusOne() throws Exception {
        List<Event> events = events(20_260_527L);
        List<ParsedRecord> records = events.stream().map(ParsedRecord::of).toList();

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        DataStream<ParsedRecord> parsed =
                env.fromData(records, TypeInformation.of(ParsedRecord.class))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<ParsedRecord>forMonotonousTimestamps()
                                        .withTimestampAssigner((r, ts) -> r.event.time))
                        .setParallelism(1);

        SessionDefinition definition =
                SessionDefinition.builder().gap(Duration.ofMillis(GAP)).build();
        DataStream<String> ours =
                SessionPipeline.sessionize(
                                parsed,
                                new OwnerTimeline(definition, 0),
                                60_000,
                                OwnerRateLimit.DEFAULT)
                        .sessions()
                        .map(
                                c ->
                                        c.isRetraction()
                                                ? "retract " + c.key()
                                                : "ours "
                                                        + c.key()
                                                        + " "
                                                        + describe(
                                                                c.owner,
                                                                c.session.startTime,
                                                                c.session.endTime,
                                                                c.session.eventCount));
        DataStream<String> flinks =
                parsed.map(r -> r.event)
                        .keyBy(e -> e.owner)
                        .window(EventTimeSessionWindows.withGap(Duration.ofMillis(GAP - 1)))
                        .aggregate(new Span(), new Describe());

        List<String> collected = new ArrayList<>();
        try (var it = ours.union(flinks).executeAndCollect("equivalence")) {
            it.forEachRemaining(collected::add);
        }

        // ours, compacted (one key always comes from one subtask, so its order is kept)
        Map<String, String> compacted = new HashMap<>();
        TreeSet<String> flinkSessions = new TreeSet<>();
        for (String line : collected) {
            String[] f = line.split(" ", 3);
            switch (f[0]) {
                case "retract" -> compacted.remove(f[1]);
                case "ours" -> compacted.put(f[1], f[2]);
                case "flink" ->
                        assertThat(flinkSessions.add(line.substring("flink ".length()))).isTrue();
                default -> throw new AssertionError(line);
            }
        }
        TreeSet<String> ourSessions = new TreeSet<>(compacted.values());
        TreeSet<String> reference = new TreeSet<>();
        ReferenceSessionizer.sessionize(events, GAP)
                .forEach(
                        s ->
                                reference.add(
                                        describe(
                                                s.owner(),
                                                s.sessionId(),
                                                s.endTime(),
                                                s.eventCount())));

        assertThat(flinkSessions).hasSizeGreaterThan(20);
        assertThat(ourSessions).isEqualTo(flinkSessions);
        assertThat(reference).isEqualTo(flinkSessions);
        // in-order input: nothing is ever revised or retracted
        assertThat(collected).noneMatch(l -> l.startsWith("retract"));
        assertThat(collected.stream().filter(l -> l.startsWith("ours")).count())
                .isEqualTo(ourSessions.size());
    }
}
