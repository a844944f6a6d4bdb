package com.sessionflow.functions;

import static com.sessionflow.reference.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.job.SessionPipeline;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Blocked event types are dropped before deduplication, lateness and sessions (session-rules §3).
 */
class DropBlockedEventsITCase {

    @Test
    void blockedEventsNeverReachTheSessions() throws Exception {
        SessionDefinition d =
                SessionDefinition.builder()
                        .gap(Duration.ofMillis(100))
                        .blockedTypes(Set.of("debug_ping"))
                        .build();
        // the blocked ping at 1050 would bridge 1000 and 1120; its insert id is reused by a real
        // event
        List<ParsedRecord> input =
                List.of(
                        ParsedRecord.of(at("u", 1000).insertId("a").build()),
                        ParsedRecord.of(at("u", 1050).type("debug_ping").insertId("b").build()),
                        ParsedRecord.of(at("u", 1120).insertId("b").build()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        DataStream<ParsedRecord> parsed =
                env.fromData(input)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<ParsedRecord>forMonotonousTimestamps()
                                        .withTimestampAssigner((r, ts) -> r.event.time));
        SessionPipeline.Outputs out =
                SessionPipeline.sessionize(
                        parsed, new OwnerTimeline(d, 1000), 10_000, OwnerRateLimit.DEFAULT);
        List<SessionChange> changes = new ArrayList<>();
        out.sessions().executeAndCollect().forEachRemaining(changes::add);
        // not dropped as a duplicate of the blocked event: blocking comes first
        assertThat(changes).extracting(SessionChange::key).containsExactly("u/1000", "u/1120");
        assertThat(changes).allSatisfy(c -> assertThat(c.session.eventCount).isEqualTo(1));
    }

    @Test
    void withoutBlockedTypesThePipelineHasNoExtraOperator() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Event e = at("u", 1000).build();
        DataStream<ParsedRecord> parsed = env.fromData(ParsedRecord.of(e));
        SessionPipeline.sessionize(
                        parsed,
                        new OwnerTimeline(SessionDefinition.defaults(), 1000),
                        0,
                        OwnerRateLimit.DEFAULT)
                .sessions()
                .print();
        assertThat(env.getStreamGraph().getStreamNodes())
                .noneMatch(n -> SessionPipeline.UID_DROP_BLOCKED.equals(n.getTransformationUID()));
    }
}
