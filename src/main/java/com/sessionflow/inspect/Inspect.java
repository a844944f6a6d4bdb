package com.sessionflow.inspect;

import com.sessionflow.event.EventParser;
import com.sessionflow.event.Identity;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.StartingOffsets;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.replay.ExportInputs;
import com.sessionflow.replay.ExportLineFormat;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code inspect}: one owner's events from the input topic, in time order, each with what the job
 * makes of it ({@link OwnerInspection}), then the owner's sessions with the fields the User
 * Sessions FAQ asks about. Any job option after the inspect options applies (the definition, the
 * gap, the topics, the brokers), so the answer is the job's under those options.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Prints one owner's events from the input topics with what the job makes of each,"
                        + " then its sessions. Job options (--bootstrap-servers, --input-topics,"
                        + " --gap, --definition, ...) follow.")
public final class Inspect implements Callable<Integer> {

    @Option(
            names = "--owner",
            required = true,
            description =
                    "The owner: a user_id, or a device_id (a device that never logged in, under the"
                            + " default merged identity; under --identity user, a device's events"
                            + " without user_id).")
    String owner;

    @Option(
            names = "--from",
            defaultValue = "0",
            description =
                    "Show events from this event time on: epoch ms or an ISO-8601 instant."
                            + " Default: the beginning.")
    String from;

    @Option(
            names = "--to",
            defaultValue = "9223372036854775807",
            description = "Show events before this event time. Default: no end.")
    String to;

    @Option(
            names = "--input",
            paramLabel = "PATH",
            description =
                    "An Amplitude export file, a folder of them or an Export API zip, instead of"
                            + " the input topics (repeat for more): judged as the export-file"
                            + " replay judges them.")
    List<String> exportInputs = new ArrayList<>();

    @Unmatched List<String> jobArgs = new ArrayList<>();

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(JobOptions.execute(new Inspect(), args));
    }

    @Override
    public Integer call() throws Exception {
        JobOptions options;
        long fromTime;
        long toTime;
        try {
            options = JobOptions.parse(jobArgs.toArray(String[]::new));
            fromTime = time("--from", from);
            toTime = time("--to", to);
        } catch (InvalidOptionException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        long dedupHorizon = options.dedupHorizon().toMillis();
        OwnerInspection inspection;
        // under merged identity, two reads first find whose each event is (MergedPersons)
        MergedPersons persons =
                options.identity() == Identity.MERGED
                        ? new MergedPersons(owner, options.timeline())
                        : null;
        long records;
        if (exportInputs.isEmpty()) {
            inspection =
                    new OwnerInspection(
                            owner,
                            fromTime,
                            toTime,
                            options.timeline(),
                            dedupHorizon,
                            options.rateLimit(),
                            options.outOfOrderness().toMillis());
            if (persons != null) {
                read(options.kafka(), options.parser(), persons::findDevices);
                read(options.kafka(), options.parser(), persons::learn);
                inspection.byPerson(persons::personOf);
            }
            records = read(options.kafka(), options.parser(), inspection::add);
        } else {
            inspection =
                    OwnerInspection.ofExportFiles(
                            owner,
                            fromTime,
                            toTime,
                            options.timeline(),
                            dedupHorizon,
                            options.rateLimit());
            try (ExportInputs inputs = ExportInputs.resolve(exportInputs, null)) {
                if (persons != null) {
                    read(inputs.files(), options.parser(), persons::findDevices);
                    read(inputs.files(), options.parser(), persons::learn);
                    inspection.byPerson(persons::personOf);
                }
                records = read(inputs.files(), options.parser(), inspection::add);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
        }
        print(options.definition(), records, inspection.finish());
        return 0;
    }

    /** Reads every line of the files with the replay's own line format. */
    /** Where the records read go. */
    @FunctionalInterface
    private interface Records {
        void add(ParsedRecord record) throws Exception;
    }

    private static long read(List<Path> files, EventParser parser, Records inspection)
            throws Exception {
        ExportLineFormat format = new ExportLineFormat(parser);
        long records = 0;
        for (Path file : files) {
            long size = file.getFileSystem().getFileStatus(file).getLen();
            FileSourceSplit split = new FileSourceSplit(file.toString(), file, 0, size, 0, size);
            try (BulkFormat.Reader<ParsedRecord> reader =
                    format.createReader(new Configuration(), split)) {
                BulkFormat.RecordIterator<ParsedRecord> batch;
                while ((batch = reader.readBatch()) != null) {
                    RecordAndPosition<ParsedRecord> r;
                    while ((r = batch.next()) != null) {
                        records++;
                        inspection.add(r.getRecord());
                    }
                    batch.releaseBatch();
                }
            }
        }
        return records;
    }

    private static long time(String option, String value) {
        try {
            return StartingOffsets.epochMillis(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '" + option + "': " + e.getMessage());
        }
    }

    /** Reads every input partition from its start to its end at start-up, as the job reads it. */
    private static long read(KafkaSettings kafka, EventParser parser, Records inspection)
            throws Exception {
        Properties p = kafka.adminProperties();
        p.put("isolation.level", "read_committed");
        p.put("client.id", "sessionflow-inspect");
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : kafka.inputTopics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Exception> failed = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    parser.parse(
                            new RecordOrigin(
                                    r.topic(),
                                    r.partition(),
                                    r.offset(),
                                    r.timestamp(),
                                    r.key(),
                                    r.value()),
                            parsed -> {
                                try {
                                    inspection.add(parsed);
                                } catch (Exception e) {
                                    failed.add(e);
                                }
                            });
                    if (!failed.isEmpty()) throw failed.get(0);
                }
            }
        }
        return records;
    }

    private void print(SessionDefinition definition, long records, OwnerInspection.Result r) {
        out.printf(
                "owner %s under definition %s, from %d records of the %s%n%n",
                owner,
                definition,
                records,
                exportInputs.isEmpty() ? "input topics" : "export files");
        out.printf(
                "%-24s %-26s %-14s %-10s %-8s %s%n",
                "event time (UTC)",
                "event_type",
                "session_id",
                "insert_id",
                "platform",
                "what the job makes of it");
        for (OwnerInspection.Line l : r.lines()) {
            if (l.event() == null) {
                long when = l.deadLetter().timestamp;
                // a file line has no Kafka timestamp
                out.printf("%-24s %s%n", when < 0 ? "-" : Instant.ofEpochMilli(when), l.verdict());
                continue;
            }
            var e = l.event();
            out.printf(
                    "%-24s %-26s %-14s %-10s %-8s %s%n",
                    Instant.ofEpochMilli(e.time),
                    e.eventType,
                    e.hasSdkSessionId() || e.sdkSessionId == -1
                            ? String.valueOf(e.sdkSessionId)
                            : "-",
                    e.insertId == null ? "-" : e.insertId,
                    e.platform == null ? "-" : e.platform,
                    l.verdict());
        }
        out.printf("%nsessions%n");
        for (SessionRecord s : r.sessions()) {
            var cause = s.zeroLengthCause();
            var problem = definition.sessionIdProblem(s);
            out.printf(
                    "%s  %s to %s  length %d ms  %d events (%d active)  %s%s%s%s%s%n",
                    com.sessionflow.session.SessionChange.key(s.owner, s.sessionId, s.group),
                    Instant.ofEpochMilli(s.startTime),
                    Instant.ofEpochMilli(s.endTime),
                    s.lengthMs(),
                    s.eventCount,
                    s.activeEventCount,
                    definition.isEngaged(s) ? "engaged" : "bounce",
                    s.isEmpty() ? "  empty" : "",
                    cause == null ? "" : "  zero_length_cause " + cause.code(),
                    problem == null ? "" : "  session_id_problem " + problem.code(),
                    definition.isOverLimit(s) ? "  over_limit" : "");
        }
    }
}
