package com.sessionflow.job;

import com.sessionflow.event.EventParser;
import com.sessionflow.event.Identity;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.PropertiesDefaultProvider;

/**
 * Every option of the job, from the command line or a config file ({@code --config FILE}, a
 * properties file whose keys are the option names without dashes; the command line wins).
 * {@link #parse} stops start-up on any bad value with a message naming the option.
 */
@Command(name = "sessionflow", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Turns Amplitude analytics events from Kafka into user sessions.")
public final class JobOptions {

    private static final String DURATION = "a duration such as 300ms, 30s, 5m, 1h, 1d";

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with any of these options (key = option name without dashes).")
    Path config;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka brokers. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE", description = "Kafka client properties (SASL, SSL, ...) for every client of the job; never logged.")
    Path kafkaProperties;

    @Option(names = "--input-topics", defaultValue = "events", split = ",", description = "Topic(s) to read events from. Default: ${DEFAULT-VALUE}.")
    List<String> inputTopics;

    @Option(names = "--sessions-topic", defaultValue = "sessions", description = "Session records (compacted). Default: ${DEFAULT-VALUE}.")
    String sessionsTopic;

    @Option(names = "--dlq-topic", defaultValue = "events-dlq", description = "Dead letters: bad records with their reason. Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(names = "--late-topic", defaultValue = "events-late", description = "Events beyond the allowed lateness. Default: ${DEFAULT-VALUE}.")
    String lateTopic;

    @Option(names = "--group-id", defaultValue = "sessionflow", description = "Consumer group (offsets are committed on checkpoints, for lag monitoring). Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--transactional-id-prefix", defaultValue = "sessionflow", description = "Prefix of the sinks' Kafka transactional ids; unique per job on a cluster. Default: ${DEFAULT-VALUE}.")
    String transactionalIdPrefix;

    @Option(names = "--starting-offsets", defaultValue = "committed", description = "Where a job without a checkpoint starts: " + StartingOffsets.ALLOWED + ". Default: ${DEFAULT-VALUE}.")
    String startingOffsets;

    @Option(names = "--create-topics", defaultValue = "true", arity = "1", description = "Create missing output topics at start-up. Default: ${DEFAULT-VALUE}.")
    boolean createTopics;

    @Option(names = "--gap", defaultValue = "5m", converter = DurationConverter.class, description = "Inactivity that ends a session. Default: ${DEFAULT-VALUE}.")
    Duration gap;

    @Option(names = "--max-session-length", defaultValue = "1d", converter = DurationConverter.class, description = "Longer sessions are flagged over_limit. Default: ${DEFAULT-VALUE}.")
    Duration maxSessionLength;

    @Option(names = "--marker-events", split = ",", defaultValue = "session_start,session_end,[Amplitude] Start Session,[Amplitude] End Session", description = "Session marker event types. Default: ${DEFAULT-VALUE}.")
    List<String> markerEvents;

    @Option(names = "--inactive-events", split = ",", defaultValue = "", description = "Event types that are out of session (e.g. push notifications). Default: none.")
    List<String> inactiveEvents;

    @Option(names = "--identity", defaultValue = "user", description = "Session owner: user (user_id, else device_id) or device (device_id). Default: ${DEFAULT-VALUE}.")
    Identity identity;

    @Option(names = "--allowed-lateness", defaultValue = "1h", converter = DurationConverter.class, description = "How long after a session closed late events still update it. Default: ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(names = "--out-of-orderness", defaultValue = "30s", converter = DurationConverter.class, description = "How far events may arrive out of order before they count as late. Default: ${DEFAULT-VALUE}.")
    Duration outOfOrderness;

    @Option(names = "--idle-timeout", defaultValue = "30s", converter = DurationConverter.class, description = "After this long without events a partition is quiet: its event time follows the wall clock. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--dedup-horizon", defaultValue = "1h", converter = DurationConverter.class, description = "How long (event time) a (device_id, insert_id) is remembered; 0 turns deduplication off. Never shorter than gap + allowed lateness. Default: ${DEFAULT-VALUE}.")
    Duration dedupHorizon;

    @Option(names = "--max-clock-ahead", defaultValue = "10m", converter = DurationConverter.class, description = "Events whose time is further ahead of their Kafka timestamp go to the dead-letter topic; 0 turns the check off. Default: ${DEFAULT-VALUE}.")
    Duration maxClockAhead;

    @Option(names = "--max-record-bytes", defaultValue = "262144", description = "Larger input records go to the dead-letter topic. Default: ${DEFAULT-VALUE}.")
    int maxRecordBytes;

    @Option(names = "--parallelism", description = "Parallelism of the job. Default: the cluster's.")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class, description = "Checkpoint interval: sessions become visible to read_committed consumers at each checkpoint. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    private Properties clientProperties = new Properties();
    private boolean helpRequested;

    /** Parses and checks the options; throws InvalidOptionException naming the bad option. */
    public static JobOptions parse(String... args) {
        JobOptions options = new JobOptions();
        CommandLine cl = commandLine(options);
        Path config = configFile(args);
        if (config != null) cl.setDefaultValueProvider(new PropertiesDefaultProvider(readConfig(config, cl)));
        try {
            cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new InvalidOptionException(e.getMessage());
        }
        options.helpRequested = cl.isUsageHelpRequested() || cl.isVersionHelpRequested();
        if (options.helpRequested) return options;
        options.validate();
        return options;
    }

    /** True when --help or --version was given: print {@link #usage()} and stop. */
    public boolean helpRequested() {
        return helpRequested;
    }

    public static String usage() {
        return commandLine(new JobOptions()).getUsageMessage();
    }

    private static CommandLine commandLine(JobOptions options) {
        return new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
    }

    private void validate() {
        atLeast("--gap", gap, Duration.ofMillis(1));
        atLeast("--max-session-length", maxSessionLength, Duration.ofMillis(1));
        atLeast("--allowed-lateness", allowedLateness, Duration.ZERO);
        atLeast("--out-of-orderness", outOfOrderness, Duration.ZERO);
        atLeast("--idle-timeout", idleTimeout, Duration.ofMillis(100));
        atLeast("--dedup-horizon", dedupHorizon, Duration.ZERO);
        atLeast("--max-clock-ahead", maxClockAhead, Duration.ZERO);
        atLeast("--checkpoint-interval", checkpointInterval, Duration.ofMillis(100));
        if (maxRecordBytes < 1 || maxRecordBytes > 16 * 1024 * 1024) {
            throw new InvalidOptionException("Invalid value for option '--max-record-bytes': " + maxRecordBytes
                    + " is not between 1 and 16777216");
        }
        if (parallelism != null && parallelism < 1) {
            throw new InvalidOptionException("Invalid value for option '--parallelism': " + parallelism + " is not 1 or more");
        }
        inputTopics = inputTopics.stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
        if (inputTopics.isEmpty()) throw new InvalidOptionException("Invalid value for option '--input-topics': name at least one topic");
        for (String[] topic : new String[][] {{"--sessions-topic", sessionsTopic}, {"--dlq-topic", deadLetterTopic}, {"--late-topic", lateTopic}}) {
            if (topic[1] == null || topic[1].isBlank()) throw new InvalidOptionException("Invalid value for option '" + topic[0] + "': the topic name is empty");
            if (inputTopics.contains(topic[1])) {
                throw new InvalidOptionException("Invalid value for option '" + topic[0] + "': " + topic[1] + " is also an input topic");
            }
        }
        if (kafkaProperties != null) clientProperties = readProperties(kafkaProperties, "--kafka-properties");
        try {
            StartingOffsets.parse(startingOffsets);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("Invalid value for option '--starting-offsets': " + e.getMessage());
        }
    }

    private static void atLeast(String option, Duration value, Duration min) {
        if (value.compareTo(min) < 0) {
            throw new InvalidOptionException("Invalid value for option '" + option + "': " + value.toMillis()
                    + " ms is less than the minimum " + min.toMillis() + " ms (" + DURATION + ")");
        }
    }

    private static Path configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) return Path.of(args[i + 1]);
            if (args[i].startsWith("--config=")) return Path.of(args[i].substring("--config=".length()));
        }
        return null;
    }

    /** The config file's properties; a key that is no option is an error, not a silent no-op. */
    private static Properties readConfig(Path file, CommandLine cl) {
        Properties p = readProperties(file, "--config");
        Set<String> known = new TreeSet<>();
        cl.getCommandSpec().options().forEach(o -> known.add(o.longestName().replaceFirst("^--", "")));
        Set<String> unknown = new LinkedHashSet<>(p.stringPropertyNames());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new InvalidOptionException("Invalid value for option '--config': " + file + " has unknown key(s) "
                    + unknown + "; allowed keys: " + known);
        }
        return p;
    }

    private static Properties readProperties(Path file, String option) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new InvalidOptionException("Invalid value for option '" + option + "': cannot read " + file + ": " + e.getMessage());
        }
        return p;
    }

    public SessionDefinition definition() {
        return SessionDefinition.builder()
                .gap(gap)
                .maxLength(maxSessionLength)
                .markerTypes(nonBlank(markerEvents))
                .inactiveTypes(nonBlank(inactiveEvents))
                .build();
    }

    public OwnerTimeline timeline() {
        return new OwnerTimeline(definition(), allowedLateness.toMillis());
    }

    public EventParser parser() {
        return new EventParser(identity, null, maxRecordBytes, maxClockAhead.toMillis());
    }

    public KafkaSettings kafka() {
        return new KafkaSettings(bootstrapServers, clientProperties, inputTopics, sessionsTopic, deadLetterTopic,
                lateTopic, groupId, transactionalIdPrefix);
    }

    private static Set<String> nonBlank(List<String> values) {
        Set<String> s = new LinkedHashSet<>();
        for (String v : values) {
            if (!v.isBlank()) s.add(v.trim());
        }
        return s;
    }

    public String startingOffsets() { return startingOffsets; }
    public boolean createTopics() { return createTopics; }
    public Duration outOfOrderness() { return outOfOrderness; }
    public Duration idleTimeout() { return idleTimeout; }
    public Duration dedupHorizon() { return dedupHorizon; }
    public Duration checkpointInterval() { return checkpointInterval; }
    public Integer parallelism() { return parallelism; }
}
