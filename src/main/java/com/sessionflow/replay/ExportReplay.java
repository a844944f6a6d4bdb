package com.sessionflow.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.job.CommandLines;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionPipeline;
import com.sessionflow.kafka.JsonRecords;
import com.sessionflow.kafka.KafkaIO;
import com.sessionflow.kafka.Topics;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.time.EventTimes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * Replays Amplitude export files through the job's session logic ({@link SessionPipeline}, with the
 * definition and time settings of {@link JobOptions}) in Flink's BATCH runtime mode.
 *
 * <p>In BATCH mode Flink sorts each owner's events by time and fires an owner's event-time timers
 * at the end of its input with watermark {@code Long.MAX_VALUE}: the sessionizer places every event
 * of an owner first and then emits each session once, complete (revision 1, close_reason
 * end_of_input), with no late events and no retractions. The sessions equal what the streaming job
 * holds in its compacted topic for the same events.
 *
 * <p>Options of its own are listed below; every other option is the job's ({@code --gap}, {@code
 * --identity}, {@code --config}, and for {@code --output kafka} {@code --bootstrap-servers}, {@code
 * --sessions-topic}, ...).
 */
@Command(
        name = "sessionflow-export-replay",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Replays Amplitude export files (.json.gz or .json, one export line per line, or the"
                    + " Export API's .zip of them) through the session logic in Flink's batch mode,"
                    + " into NDJSON files or a Kafka topic.",
            "Every other option is the job's (listed after these): --gap, --identity,"
                + " --marker-events, --config, ...; with --output kafka also --bootstrap-servers,"
                + " --sessions-topic, --kafka-properties, --transactional-id-prefix."
        })
public final class ExportReplay {

    private static final Logger LOG = LoggerFactory.getLogger(ExportReplay.class);

    public static final String UID_SOURCE = "export-files-source";

    private static final String LOCAL_HOST = "127.0.0.1";

    // the accumulators the run counts its output in, for its summary
    static final String SESSIONS = "sessions";
    static final String DEAD_LETTERS = "dead letters";
    static final String LATE_EVENTS = "late events";
    static final String QUARANTINED_EVENTS = "quarantined events";

    /** Where the sessions go. */
    public enum Output {
        FILES,
        KAFKA
    }

    @Option(
            names = "--input",
            required = true,
            split = ",",
            paramLabel = "PATH",
            description =
                    "Export files, folders of them (searched recursively; names starting with . or"
                            + " _ are skipped) or Export API .zip files (extracted before the job"
                            + " starts). Repeat the option or separate with commas.")
    List<String> inputs;

    @Option(
            names = "--output",
            defaultValue = "files",
            paramLabel = "files|kafka",
            description =
                    "files: session records as NDJSON (one JSON object per line) under"
                            + " --output-dir/sessions; kafka: session records to --sessions-topic"
                            + " (created compacted if missing), committed at the end. Default:"
                            + " ${DEFAULT-VALUE}.")
    Output output;

    @Option(
            names = "--output-dir",
            paramLabel = "DIR",
            description =
                    "Folder for --output files: sessions go to DIR/sessions, dead letters to"
                            + " DIR/dead-letters. Must not exist or be empty.")
    String outputDir;

    @Option(
            names = "--dead-letter-dir",
            paramLabel = "DIR",
            description =
                    "Folder for bad lines, as NDJSON dead letters with reason, file and line number"
                            + " (also in topic = file name, partition = -1, offset = line number)."
                            + " Default: --output-dir/dead-letters; required with --output kafka.")
    String deadLetterDir;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Where .zip inputs are extracted (the TaskManagers must see it: a shared folder"
                        + " on a multi-host cluster). Default: a temporary folder, deleted after"
                        + " the run.")
    java.nio.file.Path workDir;

    @Unmatched List<String> jobArgs = new ArrayList<>();

    private JobOptions job;
    private boolean helpRequested;

    /** Parses the replay's own options and hands every other one to {@link JobOptions#parse}. */
    public static ExportReplay parse(String... args) {
        ExportReplay replay = new ExportReplay();
        CommandLine cl = new CommandLine(replay).setCaseInsensitiveEnumValuesAllowed(true);
        replay.helpRequested = CommandLines.parse(cl, args);
        if (replay.helpRequested) return replay;
        replay.job = JobOptions.parse(replay.jobArgs.toArray(String[]::new));
        if (replay.job.helpRequested()) {
            replay.helpRequested = true;
            return replay;
        }
        replay.validate();
        return replay;
    }

    public static String usage() {
        return new CommandLine(new ExportReplay()).getUsageMessage()
                + System.lineSeparator()
                + "Options of the job that apply:"
                + System.lineSeparator()
                + JobOptions.usage();
    }

    private void validate() {
        if (output == Output.FILES) {
            if (outputDir == null || outputDir.isBlank()) {
                throw new InvalidOptionException(
                        "Missing option '--output-dir': --output files writes NDJSON there (or use"
                                + " --output kafka)");
            }
            if (deadLetterDir == null)
                deadLetterDir = new Path(outputDir, "dead-letters").toString();
        } else {
            if (outputDir != null) {
                throw new InvalidOptionException(
                        "Invalid value for option '--output-dir': it is for --output files; "
                                + "--output kafka writes to --sessions-topic "
                                + job.kafka().sessionsTopic);
            }
            if (deadLetterDir == null || deadLetterDir.isBlank()) {
                throw new InvalidOptionException(
                        "Missing option '--dead-letter-dir': with --output kafka bad lines are"
                                + " written there");
            }
        }
        for (String dir :
                outputDir == null ? List.of(deadLetterDir) : List.of(outputDir, deadLetterDir)) {
            if (!isEmptyOrMissing(dir)) {
                throw new InvalidOptionException(
                        "Invalid value for output folder "
                                + dir
                                + ": it holds files; give a new or empty folder so old output is"
                                + " not mixed with the replay's");
            }
        }
    }

    private static boolean isEmptyOrMissing(String dir) {
        try {
            Path p = new Path(dir);
            var fs = p.getFileSystem();
            if (!fs.exists(p)) return true;
            var children = fs.listStatus(p);
            return children == null || children.length == 0;
        } catch (java.io.IOException e) {
            throw new InvalidOptionException(
                    "Invalid value for output folder " + dir + ": " + e.getMessage());
        }
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    public JobOptions job() {
        return job;
    }

    public Output output() {
        return output;
    }

    /** Where NDJSON sessions go ({@code --output files}), else null. */
    public String sessionsDir() {
        return output == Output.FILES ? new Path(outputDir, "sessions").toString() : null;
    }

    public String deadLetterDir() {
        return deadLetterDir;
    }

    public static void main(String[] args) throws Exception {
        ExportReplay replay;
        try {
            replay = parse(args);
        } catch (InvalidOptionException e) {
            System.err.println(e.getMessage());
            System.err.println("Run with --help to list the options.");
            System.exit(2);
            return;
        }
        if (replay.helpRequested()) {
            System.out.println(usage());
            return;
        }
        try {
            JobExecutionResult result = run(environment(), replay);
            if (result.isJobExecutionResult()) System.out.println(summary(replay, result));
        } catch (InvalidOptionException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /**
     * The cluster's environment under {@code flink run}; run by itself, a Flink inside this JVM
     * whose servers (the BlobServer, the REST endpoint, the TaskManager's) listen on 127.0.0.1
     * only, not on every interface of the machine.
     */
    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (!(env instanceof LocalStreamEnvironment)) return env;
        Configuration local = new Configuration();
        local.set(JobManagerOptions.BIND_HOST, LOCAL_HOST);
        local.set(TaskManagerOptions.BIND_HOST, LOCAL_HOST);
        local.set(RestOptions.BIND_ADDRESS, LOCAL_HOST);
        return StreamExecutionEnvironment.createLocalEnvironment(local);
    }

    /** What a finished run wrote and where, from the counts of its accumulators. */
    static String summary(ExportReplay replay, JobExecutionResult result) {
        String sessionsGoTo =
                replay.output == Output.FILES
                        ? replay.sessionsDir()
                        : "topic "
                                + replay.job.kafka().sessionsTopic
                                + " at "
                                + replay.job.kafka().bootstrapServers;
        String line = "%n  %-19s %8d  %s";
        return String.format(
                Locale.ROOT,
                "Replay done in %.1f s" + line + line + line + line,
                result.getNetRuntime() / 1000.0,
                SESSIONS,
                count(result, SESSIONS),
                sessionsGoTo,
                DEAD_LETTERS,
                count(result, DEAD_LETTERS),
                replay.deadLetterDir,
                LATE_EVENTS,
                count(result, LATE_EVENTS),
                replay.deadLetterDir,
                QUARANTINED_EVENTS,
                count(result, QUARANTINED_EVENTS),
                replay.deadLetterDir);
    }

    private static long count(JobExecutionResult result, String accumulator) {
        Long count = result.getAccumulatorResult(accumulator);
        return count == null ? 0 : count;
    }

    /** Finds the files, builds the batch job on {@code env}, runs it to its end. */
    public static JobExecutionResult run(StreamExecutionEnvironment env, ExportReplay replay)
            throws Exception {
        ExportInputs inputs;
        try {
            inputs = ExportInputs.resolve(replay.inputs, replay.workDir);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(e.getMessage());
        }
        boolean attached = false;
        try {
            LOG.info(
                    "Replaying {} export file(s) with definition {} to {}",
                    inputs.files().size(),
                    replay.job.definition(),
                    replay.output == Output.FILES ? replay.sessionsDir() : replay.job.kafka());
            if (replay.output == Output.KAFKA)
                Topics.prepareSessionsTopic(replay.job.kafka(), replay.job.createTopics());
            build(env, replay, inputs.files());
            JobExecutionResult result =
                    env.execute(
                            "sessionflow export replay: "
                                    + inputs.files().size()
                                    + " file(s) -> "
                                    + (replay.output == Output.FILES
                                            ? replay.sessionsDir()
                                            : replay.job.kafka().sessionsTopic));
            attached = result.isJobExecutionResult();
            return result;
        } finally {
            // a detached submission still needs the extracted files: they are left in place
            if (attached) inputs.close();
        }
    }

    /** Adds the batch job reading {@code files} to {@code env}. */
    public static void build(
            StreamExecutionEnvironment env, ExportReplay replay, List<Path> files) {
        JobOptions job = replay.job;
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SessionPipeline.configure(env, job.parallelism(), job.maxParallelism());

        FileSource<ParsedRecord> source =
                FileSource.forBulkFileFormat(
                                new ExportLineFormat(job.parser()), files.toArray(Path[]::new))
                        .build();
        DataStream<ParsedRecord> parsed =
                env.fromSource(
                                source,
                                EventTimes.strategy(job.outOfOrderness(), job.idleTimeout()),
                                "export files")
                        .uid(UID_SOURCE);
        SessionPipeline.Outputs out =
                SessionPipeline.sessionize(
                        parsed,
                        job.timeline(),
                        job.dedupHorizon().toMillis(),
                        job.rateLimit(),
                        job.identity());
        SessionDefinition definition = job.definition();
        DataStream<SessionChange> sessions = counted(out.sessions(), SESSIONS);
        if (replay.output == Output.KAFKA) {
            sessions.sinkTo(KafkaIO.sessionsSink(job.kafka(), definition))
                    .uid(SessionPipeline.UID_SESSIONS_SINK)
                    .name("sessions topic");
        } else {
            sessions
                    // BATCH mode emits each session once, complete: there is nothing to retract
                    .filter(change -> !change.isRetraction())
                    .name("sessions only")
                    .map(new SessionJson(definition))
                    .returns(Types.STRING)
                    .name("session records")
                    .sinkTo(ndjson(replay.sessionsDir(), "sessions"))
                    .uid("sessions-files")
                    .name("sessions files");
        }
        counted(out.deadLetters(), DEAD_LETTERS)
                .map(new DeadLetterJson())
                .returns(Types.STRING)
                .name("dead-letter records")
                .sinkTo(ndjson(replay.deadLetterDir, "dead-letters"))
                .uid("dead-letter-files")
                .name("dead-letter files");
        // BATCH mode has no late events (the watermark only moves at the end of each owner);
        // written if ever
        counted(out.lateEvents(), LATE_EVENTS)
                .map(new LateJson())
                .returns(Types.STRING)
                .name("late-event records")
                .sinkTo(ndjson(replay.deadLetterDir, "late-events"))
                .uid("late-event-files")
                .name("late-event files");
        counted(out.quarantinedEvents(), QUARANTINED_EVENTS)
                .map(
                        q ->
                                new String(
                                        JsonRecords.bytes(JsonRecords.quarantinedEvent(q)),
                                        StandardCharsets.UTF_8))
                .returns(Types.STRING)
                .name("quarantined-event records")
                .sinkTo(ndjson(replay.deadLetterDir, "quarantined-events"))
                .uid("quarantined-event-files")
                .name("quarantined-event files");
    }

    /** {@code stream}, its records counted in the accumulator {@code name}. */
    private static <T> DataStream<T> counted(DataStream<T> stream, String name) {
        return stream.map(new Count<T>(name)).returns(stream.getType()).name("count " + name);
    }

    /** Passes records on and counts them, for the summary a finished run prints. */
    static final class Count<T> extends RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private transient LongCounter counter;

        Count(String name) {
            this.name = name;
        }

        @Override
        public void open(OpenContext context) {
            counter = getRuntimeContext().getLongCounter(name);
        }

        @Override
        public T map(T record) {
            counter.add(1L);
            return record;
        }
    }

    private static FileSink<String> ndjson(String dir, String prefix) {
        return FileSink.forRowFormat(
                        new Path(dir),
                        new SimpleStringEncoder<String>(StandardCharsets.UTF_8.name()))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(
                        OutputFileConfig.builder()
                                .withPartPrefix(prefix)
                                .withPartSuffix(".json")
                                .build())
                .build();
    }

    /** A session record's JSON, exactly as the job writes it to Kafka. */
    static final class SessionJson implements MapFunction<SessionChange, String> {
        private static final long serialVersionUID = 1L;
        private final SessionDefinition definition;

        SessionJson(SessionDefinition definition) {
            this.definition = definition;
        }

        @Override
        public String map(SessionChange change) {
            return new String(
                    JsonRecords.bytes(JsonRecords.session(change.session, definition)),
                    StandardCharsets.UTF_8);
        }
    }

    /**
     * The job's dead-letter JSON, plus {@code file} and {@code line} (the same as topic and
     * offset).
     */
    static final class DeadLetterJson implements MapFunction<DeadLetter, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(DeadLetter d) {
            ObjectNode n = JsonRecords.deadLetter(d);
            n.put("file", d.topic);
            n.put("line", d.offset);
            return new String(JsonRecords.bytes(n), StandardCharsets.UTF_8);
        }
    }

    static final class LateJson implements MapFunction<LateEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(LateEvent late) {
            return new String(
                    JsonRecords.bytes(JsonRecords.lateEvent(late)), StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "ExportReplay(inputs="
                + inputs
                + ", output="
                + output.name().toLowerCase(Locale.ROOT)
                + ")";
    }
}
