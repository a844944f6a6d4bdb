package com.sessionflow.job;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.Event;
import com.sessionflow.event.Identity;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.functions.DropBlockedEvents;
import com.sessionflow.functions.EventSerializer;
import com.sessionflow.functions.LinkDevicesFunction;
import com.sessionflow.functions.SessionChangeSerializer;
import com.sessionflow.functions.SessionizeFunction;
import com.sessionflow.functions.SessionizePersonsFunction;
import com.sessionflow.functions.SplitDeadLetters;
import com.sessionflow.functions.SplitIdentities;
import com.sessionflow.functions.StringKeySerializer;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's logic between its source and its sinks, so tests and replays can plug in their own.
 * Operator uids are part of the savepoint format: never change them.
 */
public final class SessionPipeline {

    public static final String UID_SOURCE = "kafka-events-source";
    public static final String UID_SPLIT = "split-dead-letters";
    public static final String UID_SESSIONIZE = "sessionize";
    public static final String UID_SESSIONS_SINK = "sessions-sink";
    public static final String UID_DLQ_SINK = "dead-letter-sink";
    public static final String UID_LATE_SINK = "late-events-sink";
    public static final String UID_QUARANTINE_SINK = "quarantine-sink";

    /** Only in jobs with merged identity (the default). */
    public static final String UID_LINK_DEVICES = "link-devices";

    /** Only in jobs with merged identity; stateless. */
    public static final String UID_SPLIT_IDENTITIES = "split-identities";

    /**
     * Only in jobs with --blocked-events; stateless, so adding or removing it keeps savepoints
     * valid.
     */
    public static final String UID_DROP_BLOCKED = "drop-blocked-events";

    private SessionPipeline() {}

    /**
     * The max parallelism when neither {@code --max-parallelism} nor the cluster's {@code
     * pipeline.max-parallelism} sets one. Flink's own default depends on the first deployment's
     * parallelism (128 up to parallelism 85), and a savepoint fixes it for the life of the state: a
     * job started small could never be rescaled past 128. 720 divides evenly among 1-6, 8-10, 12,
     * 15, 16 and more subtasks, so key groups spread evenly at the parallelisms people pick, and
     * its overhead (a key-group prefix of two bytes instead of one on RocksDB, per-group offsets in
     * checkpoints) is small.
     */
    public static final int DEFAULT_MAX_PARALLELISM = 720;

    /**
     * What every environment running the pipeline needs, the job's and the replay's: no generic
     * types (every record type has an explicit serializer; a silent Kryo fallback would break
     * savepoints), the parallelism when given, and an explicit max parallelism.
     */
    public static void configure(
            StreamExecutionEnvironment env, Integer parallelism, Integer maxParallelism) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(conf);
        if (parallelism != null) env.setParallelism(parallelism);
        if (maxParallelism != null) env.setMaxParallelism(maxParallelism);
        else if (env.getConfig().getMaxParallelism() <= 0) {
            env.setMaxParallelism(DEFAULT_MAX_PARALLELISM);
        }
    }

    /** The streams the pipeline produces. */
    public record Outputs(
            DataStream<SessionChange> sessions,
            DataStream<DeadLetter> deadLetters,
            DataStream<LateEvent> lateEvents,
            DataStream<Event> outOfSessionEvents,
            DataStream<QuarantinedEvent> quarantinedEvents) {}

    /**
     * Splits off dead letters, drops blocked events and sessionizes the rest by owner, as {@code
     * --identity user} does (user_id, else device_id): for tests that compare with peers owning
     * sessions so.
     *
     * @param parsed records with event-time timestamps and watermarks already assigned
     */
    public static Outputs sessionize(
            DataStream<ParsedRecord> parsed,
            OwnerTimeline timeline,
            long dedupHorizonMs,
            OwnerRateLimit rateLimit) {
        return sessionize(parsed, timeline, dedupHorizonMs, rateLimit, Identity.USER);
    }

    /**
     * As above; with {@link Identity#MERGED} anonymous events first get the person their device is
     * linked to.
     */
    public static Outputs sessionize(
            DataStream<ParsedRecord> parsed,
            OwnerTimeline timeline,
            long dedupHorizonMs,
            OwnerRateLimit rateLimit,
            Identity identity) {
        SingleOutputStreamOperator<Event> events =
                parsed.process(new SplitDeadLetters(), EventSerializer.TYPE)
                        .uid(UID_SPLIT)
                        .name("split dead letters");
        DataStream<Event> kept = events;
        if (!timeline.definition().blockedTypes().isEmpty()) {
            kept =
                    events.filter(new DropBlockedEvents(timeline.definition().blockedTypes()))
                            .uid(UID_DROP_BLOCKED)
                            .name("drop blocked events");
        }
        int inlineInsertIds =
                InsertIds.inlineCapacityFor(
                        parsed.getExecutionEnvironment()
                                .getConfiguration()
                                .get(StateBackendOptions.STATE_BACKEND));
        if (identity == Identity.MERGED) {
            return sessionizePersons(
                    kept, events, timeline, dedupHorizonMs, inlineInsertIds, rateLimit);
        }
        SingleOutputStreamOperator<SessionChange> sessions =
                kept.keyBy(e -> e.owner, StringKeySerializer.TYPE)
                        .process(
                                new SessionizeFunction(
                                        timeline, dedupHorizonMs, inlineInsertIds, rateLimit),
                                SessionChangeSerializer.TYPE)
                        .uid(UID_SESSIONIZE)
                        .name("sessionize");
        return new Outputs(
                sessions,
                events.getSideOutput(SplitDeadLetters.DEAD_LETTERS),
                sessions.getSideOutput(SessionizeFunction.LATE),
                sessions.getSideOutput(SessionizeFunction.OUT_OF_SESSION),
                sessions.getSideOutput(SessionizeFunction.QUARANTINED));
    }

    /**
     * {@link Identity#MERGED}: identified events go to the sessionizer, keyed by person, and send
     * their device's linker the link they make; the linker, keyed by device, sessionizes a device's
     * anonymous events as its own until a login claims them, and passes claimed sessions and the
     * anonymous events of logged-in devices on to the sessionizer. Sessions and side outputs come
     * from both.
     */
    private static Outputs sessionizePersons(
            DataStream<Event> kept,
            SingleOutputStreamOperator<Event> events,
            OwnerTimeline timeline,
            long dedupHorizonMs,
            int inlineInsertIds,
            OwnerRateLimit rateLimit) {
        SingleOutputStreamOperator<Event> identified =
                kept.process(new SplitIdentities(), EventSerializer.TYPE)
                        .uid(UID_SPLIT_IDENTITIES)
                        .name("split identities");
        SingleOutputStreamOperator<Event> linked =
                identified
                        .getSideOutput(SplitIdentities.ANONYMOUS)
                        .keyBy(e -> e.deviceId, StringKeySerializer.TYPE)
                        .connect(
                                identified
                                        .getSideOutput(SplitIdentities.LINKS)
                                        .keyBy(link -> link.deviceId, StringKeySerializer.TYPE))
                        .process(
                                new LinkDevicesFunction(
                                        timeline, dedupHorizonMs, inlineInsertIds, rateLimit),
                                EventSerializer.TYPE)
                        .uid(UID_LINK_DEVICES)
                        .name("link devices to users");
        SingleOutputStreamOperator<SessionChange> persons =
                identified
                        .union(linked)
                        .keyBy(e -> e.owner, StringKeySerializer.TYPE)
                        .connect(
                                linked.getSideOutput(LinkDevicesFunction.CLAIMED)
                                        .keyBy(Session::owner, StringKeySerializer.TYPE))
                        .process(
                                new SessionizePersonsFunction(
                                        timeline, dedupHorizonMs, inlineInsertIds, rateLimit),
                                SessionChangeSerializer.TYPE)
                        .uid(UID_SESSIONIZE)
                        .name("sessionize");
        return new Outputs(
                persons.union(linked.getSideOutput(LinkDevicesFunction.DEVICE_SESSIONS)),
                events.getSideOutput(SplitDeadLetters.DEAD_LETTERS),
                persons.getSideOutput(SessionizeFunction.LATE)
                        .union(linked.getSideOutput(SessionizeFunction.LATE)),
                persons.getSideOutput(SessionizeFunction.OUT_OF_SESSION)
                        .union(linked.getSideOutput(SessionizeFunction.OUT_OF_SESSION)),
                persons.getSideOutput(SessionizeFunction.QUARANTINED)
                        .union(linked.getSideOutput(SessionizeFunction.QUARANTINED)));
    }
}
