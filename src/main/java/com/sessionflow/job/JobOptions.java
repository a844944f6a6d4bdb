package com.sessionflow.job;

import com.sessionflow.event.EventParser;
import com.sessionflow.event.Identity;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.metrics.MetricsSettings;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.time.DurationConverter;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.PropertiesDefaultProvider;

/**
 * Every option of the job, from the command line or a config file ({@code --config FILE}, a
 * properties file whose keys are the option names without dashes; the command line wins). {@link
 * #parse} stops start-up on any bad value with a message naming the option.
 */
@Command(
        name = "sessionflow",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Turns Amplitude analytics events from Kafka into user sessions.")
public final class JobOptions {

    private static final String DURATION = "a duration such as 300ms, 30s, 5m, 1h, 1d";

    /** Each carried property is kept at the entry and the exit of every open session. */
    static final int MAX_SESSION_PROPERTIES = 10;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Properties file with any of these options (key = option name without dashes).")
    Path config;

    @Mixin KafkaConnectionOptions connection = new KafkaConnectionOptions();

    @Option(
            names = "--input-topics",
            defaultValue = "events",
            split = ",",
            description = "Topic(s) to read events from. Default: ${DEFAULT-VALUE}.")
    List<String> inputTopics;

    @Option(
            names = "--sessions-topic",
            defaultValue = "sessions",
            description = "Session records (compacted). Default: ${DEFAULT-VALUE}.")
    String sessionsTopic;

    @Option(
            names = "--dlq-topic",
            defaultValue = "events-dlq",
            description = "Dead letters: bad records with their reason. Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(
            names = "--late-topic",
            defaultValue = "events-late",
            description = "Events beyond the allowed lateness. Default: ${DEFAULT-VALUE}.")
    String lateTopic;

    @Option(
            names = "--metrics-topic",
            defaultValue = "session-metrics",
            description =
                    "Session-length metrics per time bucket and platform (compacted). Default:"
                            + " ${DEFAULT-VALUE}.")
    String metricsTopic;

    @Option(
            names = "--group-id",
            description =
                    "Consumer group (offsets are committed on checkpoints, for lag monitoring)."
                            + " Default: sessionflow-<sessions-topic>, so a replay into another"
                            + " sessions topic never moves the live job's offsets.")
    String groupId;

    @Option(
            names = "--transactional-id-prefix",
            description =
                    "Prefix of the sinks' Kafka transactional ids; unique per job on a Kafka"
                            + " cluster. Default: sessionflow-<sessions-topic>, so a replay into"
                            + " another sessions topic never fences the live job's transactions.")
    String transactionalIdPrefix;

    @Option(
            names = "--starting-offsets",
            defaultValue = "committed",
            description =
                    "Where a job without a checkpoint starts: "
                            + StartingOffsets.ALLOWED
                            + ". Default: ${DEFAULT-VALUE}.")
    String startingOffsets;

    @Option(
            names = "--stop-at",
            paramLabel = "latest|TIME",
            description =
                    "Makes the run a bounded replay that ends by itself: latest (each partition's"
                        + " end offset at start-up), or a Kafka record timestamp (epoch"
                        + " milliseconds or an ISO-8601 instant such as 2026-11-01T00:00:00Z;"
                        + " records from that time on are not read). At the end every open session"
                        + " is written (close_reason end_of_input) and a final checkpoint commits"
                        + " the output. Default: none (the job runs forever).")
    String stopAt;

    @Option(
            names = "--create-topics",
            defaultValue = "true",
            arity = "1",
            description = "Create missing output topics at start-up. Default: ${DEFAULT-VALUE}.")
    boolean createTopics;

    @Option(
            names = "--gap",
            converter = DurationConverter.class,
            description = "Inactivity that ends a session. Default: ${DEFAULT-VALUE}.")
    Duration gap;

    @Option(
            names = "--definition",
            defaultValue = "gap",
            description =
                    "What a session is: gap (the gap rule), client (trust the SDK's session_id;"
                        + " events without one fall back to the gap rule) or property:NAME (events"
                        + " sharing the value of event or user property NAME, split by the gap)."
                        + " Default: ${DEFAULT-VALUE}.")
    String definitionKind;

    @Option(
            names = "--platform-gaps",
            split = ",",
            paramLabel = "PLATFORM=DURATION",
            description =
                    "Gaps per platform (matched on platform, else os_name, case-insensitive), e.g."
                            + " Web=30m,iOS=5m; other events use --gap. Default: none.")
    List<String> platformGaps = List.of();

    @Option(
            names = "--start-events",
            split = ",",
            defaultValue = "",
            description =
                    "Event types that always open a new session (e.g. app_open). Default: none.")
    List<String> startEvents;

    @Option(
            names = "--end-events",
            split = ",",
            defaultValue = "",
            description =
                    "Event types that close their session at once; the next event opens a new one."
                            + " Default: none.")
    List<String> endEvents;

    @Option(
            names = "--blocked-events",
            split = ",",
            defaultValue = "",
            description =
                    "Event types dropped before anything else and counted (a tracking plan's"
                            + " blocked or deleted events). Default: none.")
    List<String> blockedEvents;

    @Option(
            names = "--max-session-length",
            converter = DurationConverter.class,
            description =
                    "Longer sessions are flagged over_limit (or split, with --split-over-limit)."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration maxSessionLength;

    @Option(
            names = "--split-over-limit",
            defaultValue = "false",
            arity = "0..1",
            description =
                    "Split sessions at --max-session-length instead of only flagging them: an event"
                            + " that long or longer after its session's start opens a new one"
                            + " (close_reason max_length). Not SDK sessions of --definition client."
                            + " Default: ${DEFAULT-VALUE}.")
    boolean splitOverLimit;

    @Option(
            names = "--split-at-midnight",
            defaultValue = "false",
            arity = "0..1",
            description =
                    "End sessions at local midnight of --time-zone, as Mixpanel does: an event on"
                            + " a new local day opens a new session. Not SDK sessions of"
                            + " --definition client. Default: ${DEFAULT-VALUE}.")
    boolean splitAtMidnight;

    @Option(
            names = "--marker-events",
            split = ",",
            description = "Session marker event types. Default: ${DEFAULT-VALUE}.")
    List<String> markerEvents;

    @Option(
            names = "--engaged-min-length",
            converter = DurationConverter.class,
            description =
                    "A session this long or longer is engaged (GA4's rule; the others are"
                            + " bounces). Default: ${DEFAULT-VALUE}.")
    Duration engagedMinLength;

    @Option(
            names = "--engaged-min-events",
            description =
                    "A session with at least this many active events (markers left out) is"
                            + " engaged. Default: ${DEFAULT-VALUE}.")
    int engagedMinEvents;

    @Option(
            names = "--conversion-events",
            split = ",",
            defaultValue = "",
            description =
                    "Event types that make their session engaged (GA4's key events, e.g."
                            + " purchase,sign_up). Default: none.")
    List<String> conversionEvents;

    @Option(
            names = "--session-properties",
            split = ",",
            defaultValue = "",
            description =
                    "Event or user properties whose values at the session's entry and exit events"
                            + " its record carries (first_properties, last_properties), e.g."
                            + " plan,page_path; at most "
                            + MAX_SESSION_PROPERTIES
                            + ". Default: none.")
    List<String> sessionProperties;

    @Option(
            names = "--inactive-events",
            split = ",",
            defaultValue = "",
            description =
                    "Event types that are out of session (e.g. push notifications). Default: none.")
    List<String> inactiveEvents;

    @Option(
            names = "--identity",
            defaultValue = "merged",
            description =
                    "Session owner: merged (Amplitude's rules: a person across login; a device's"
                            + " anonymous events belong to the user it is linked to), user"
                            + " (user_id, else device_id: a login starts another owner) or device"
                            + " (device_id). Default: ${DEFAULT-VALUE}.")
    Identity identity;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description =
                    "How long after a session closed late events still update it. Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "How far events may arrive out of order before they count as late. Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration outOfOrderness;

    @Option(
            names = "--idle-timeout",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "After this long without events a partition is quiet: its event time follows"
                            + " the wall clock. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(
            names = "--dedup-horizon",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description =
                    "How long (event time) a (device_id, insert_id) is remembered; 0 turns"
                        + " deduplication off. Never shorter than gap + allowed lateness. Default:"
                        + " ${DEFAULT-VALUE}.")
    Duration dedupHorizon;

    @Option(
            names = "--owner-rate-limit",
            paramLabel = "EVENTS",
            description =
                    "Events of one owner per minute of event time beyond which they are over the"
                        + " rate (bots, stuck SDKs, shared placeholder ids); 0 turns the guard off."
                        + " Default: ${DEFAULT-VALUE} (Amplitude's 30 a second per device or"
                        + " user).")
    int ownerRateLimit;

    @Option(
            names = "--over-rate",
            paramLabel = "quarantine|drop|keep",
            description =
                    "Events over the rate: quarantine (left out of sessions, to"
                            + " --quarantine-topic), drop (left out, only counted) or keep (kept,"
                            + " only counted). Sessions overlapping such a minute are flagged"
                            + " over_rate. Default: ${DEFAULT-VALUE}.")
    OwnerRateLimit.Action overRate;

    @Option(
            names = "--quarantine-topic",
            defaultValue = "events-quarantine",
            description =
                    "Events of owners over the rate, with the reason. Default: ${DEFAULT-VALUE}.")
    String quarantineTopic;

    @Option(
            names = "--max-clock-ahead",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description =
                    "Events whose time is further ahead of their Kafka timestamp go to the"
                        + " dead-letter topic; 0 turns the check off. Default: ${DEFAULT-VALUE}.")
    Duration maxClockAhead;

    @Option(
            names = "--max-record-bytes",
            defaultValue = "262144",
            description =
                    "Larger input records go to the dead-letter topic. Default: ${DEFAULT-VALUE}.")
    int maxRecordBytes;

    @Option(
            names = "--parallelism",
            description = "Parallelism of the job. Default: the cluster's.")
    Integer parallelism;

    @Option(
            names = "--max-parallelism",
            description =
                    "The most subtasks the job can ever be rescaled to; fixed by the first"
                            + " savepoint for the life of its state (docs/upgrading.md). Default:"
                            + " the cluster's pipeline.max-parallelism, else "
                            + SessionPipeline.DEFAULT_MAX_PARALLELISM
                            + ".")
    Integer maxParallelism;

    @Option(
            names = "--checkpoint-interval",
            converter = DurationConverter.class,
            description =
                    "Checkpoint interval: sessions become visible to read_committed consumers at"
                            + " each checkpoint. Default: the cluster's"
                            + " execution.checkpointing.interval, else 10s.")
    Duration checkpointInterval;

    @Option(
            names = "--bucket-size",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description =
                    "Time bucket of the metrics (a session counts in the bucket of its start): 1m"
                            + " to 1d, dividing a day. Default: ${DEFAULT-VALUE}.")
    Duration bucketSize;

    @Option(
            names = "--time-zone",
            paramLabel = "ZONE",
            defaultValue = "UTC",
            description =
                    "The project's time zone, an IANA name such as Europe/Berlin: metrics buckets"
                            + " start at its local midnight and hours (days of 23 or 25 hours"
                            + " across daylight-saving changes), as Amplitude's charts do. Default:"
                            + " ${DEFAULT-VALUE}.")
    String timeZone;

    @Option(
            names = "--metrics-interval",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "A changed metrics bucket is re-emitted at most this often (its final record"
                            + " comes at once). Default: ${DEFAULT-VALUE}.")
    Duration metricsInterval;

    @Option(
            names = "--length-bins",
            defaultValue = MetricsSettings.DEFAULT_BINS,
            description =
                    "Edges of the session-length bins of the metrics (ms, or durations). Default:"
                            + " ${DEFAULT-VALUE} (Amplitude's).")
    String lengthBins;

    private Properties clientProperties = new Properties();
    private long[] lengthBinEdges;
    private boolean helpRequested;

    // parsed once, by validate()
    private SessionDefinition definition;
    private ZoneId zone;
    private OffsetsInitializer startingOffsetsInitializer;
    private OffsetsInitializer stoppingOffsets;

    /** Parses and checks the options; throws InvalidOptionException naming the bad option. */
    public static JobOptions parse(String... args) {
        JobOptions options = new JobOptions();
        CommandLine cl = commandLine(options);
        Path config = configFile(args);
        if (config != null)
            cl.setDefaultValueProvider(
                    new RuleDefaults(new PropertiesDefaultProvider(readConfig(config, cl))));
        options.helpRequested = CommandLines.parse(cl, args);
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

    /**
     * Runs a command that passes the options it does not know on to the job (the demo, inspect):
     * its help ends with the job's options. Returns the exit code.
     */
    public static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        // the job's usage is footer text, which picocli formats: its % signs stay literal
        cl.getCommandSpec()
                .usageMessage()
                .footer("%nOptions of the job:%n" + usage().replace("%", "%%"));
        return cl.execute(args);
    }

    private static CommandLine commandLine(JobOptions options) {
        return new CommandLine(options)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(new RuleDefaults(null));
    }

    private void validate() {
        atLeast("--gap", gap, Duration.ofMillis(1));
        atLeast("--max-session-length", maxSessionLength, Duration.ofMillis(1));
        atLeast("--allowed-lateness", allowedLateness, Duration.ZERO);
        atLeast("--out-of-orderness", outOfOrderness, Duration.ZERO);
        atLeast("--idle-timeout", idleTimeout, Duration.ofMillis(100));
        atLeast("--dedup-horizon", dedupHorizon, Duration.ZERO);
        atLeast("--max-clock-ahead", maxClockAhead, Duration.ZERO);
        if (checkpointInterval != null) {
            atLeast("--checkpoint-interval", checkpointInterval, Duration.ofMillis(100));
        }
        atLeast("--engaged-min-length", engagedMinLength, Duration.ZERO);
        if (nonBlank(sessionProperties).size() > MAX_SESSION_PROPERTIES) {
            throw new InvalidOptionException(
                    "Invalid value for option '--session-properties': "
                            + nonBlank(sessionProperties).size()
                            + " properties given, at most "
                            + MAX_SESSION_PROPERTIES
                            + " are allowed (each is kept twice in every open session)");
        }
        if (engagedMinEvents < 1) {
            throw new InvalidOptionException(
                    "Invalid value for option '--engaged-min-events': "
                            + engagedMinEvents
                            + " is not 1 or more");
        }
        if (maxRecordBytes < 1 || maxRecordBytes > 16 * 1024 * 1024) {
            throw new InvalidOptionException(
                    "Invalid value for option '--max-record-bytes': "
                            + maxRecordBytes
                            + " is not between 1 and 16777216");
        }
        if (ownerRateLimit < 0) {
            throw new InvalidOptionException(
                    "Invalid value for option '--owner-rate-limit': "
                            + ownerRateLimit
                            + " is not 0 (off) or more");
        }
        if (parallelism != null && parallelism < 1) {
            throw new InvalidOptionException(
                    "Invalid value for option '--parallelism': "
                            + parallelism
                            + " is not 1 or more");
        }
        if (maxParallelism != null && (maxParallelism < 1 || maxParallelism > MAX_KEY_GROUPS)) {
            throw new InvalidOptionException(
                    "Invalid value for option '--max-parallelism': "
                            + maxParallelism
                            + " is not between 1 and "
                            + MAX_KEY_GROUPS);
        }
        if (parallelism != null && maxParallelism != null && parallelism > maxParallelism) {
            throw new InvalidOptionException(
                    "Invalid value for option '--parallelism': "
                            + parallelism
                            + " is more than --max-parallelism "
                            + maxParallelism);
        }
        inputTopics = inputTopics.stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
        if (inputTopics.isEmpty())
            throw new InvalidOptionException(
                    "Invalid value for option '--input-topics': name at least one topic");
        for (String[] topic :
                new String[][] {
                    {"--sessions-topic", sessionsTopic},
                    {"--dlq-topic", deadLetterTopic},
                    {"--late-topic", lateTopic},
                    {"--quarantine-topic", quarantineTopic},
                    {"--metrics-topic", metricsTopic}
                }) {
            if (topic[1] == null || topic[1].isBlank())
                throw new InvalidOptionException(
                        "Invalid value for option '" + topic[0] + "': the topic name is empty");
            if (inputTopics.contains(topic[1])) {
                throw new InvalidOptionException(
                        "Invalid value for option '"
                                + topic[0]
                                + "': "
                                + topic[1]
                                + " is also an input topic");
            }
        }
        validateMetrics();
        java.util.Map<String, Duration> gaps;
        try {
            gaps = platformGaps();
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--platform-gaps': " + e.getMessage());
        }
        try {
            definition = buildDefinition(gaps);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--definition': " + e.getMessage());
        }
        clientProperties = connection.readClientProperties();
        try {
            startingOffsetsInitializer = StartingOffsets.parse(startingOffsets);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--starting-offsets': " + e.getMessage());
        }
        stoppingOffsets = parseStopAt();
        // derived from the sessions topic: jobs writing different sessions topics never share them
        if (groupId == null || groupId.isBlank()) groupId = "sessionflow-" + sessionsTopic;
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank())
            transactionalIdPrefix = "sessionflow-" + sessionsTopic;
    }

    /** --stop-at as where the bounded replay stops; null for a job that runs forever. */
    private OffsetsInitializer parseStopAt() {
        if (stopAt == null) return null;
        if (stopAt.trim().equals("latest")) return OffsetsInitializer.latest();
        long stop;
        try {
            stop = StartingOffsets.epochMillis(stopAt);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--stop-at': '"
                            + stopAt
                            + "' is not latest, an epoch-milliseconds number, or an ISO-8601"
                            + " instant such as 2026-11-01T00:00:00Z");
        }
        String start = startingOffsets.trim();
        if (!start.equals("earliest")
                && !start.equals("latest")
                && !start.equals("committed")
                && StartingOffsets.epochMillis(start) >= stop) {
            throw new InvalidOptionException(
                    "Invalid value for option '--stop-at': "
                            + stopAt
                            + " is not after --starting-offsets "
                            + startingOffsets);
        }
        return OffsetsInitializer.timestamp(stop);
    }

    private void validateMetrics() {
        try {
            MetricsSettings.checkBucketSize(bucketSize.toMillis());
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--bucket-size': " + e.getMessage());
        }
        atLeast("--metrics-interval", metricsInterval, Duration.ofMillis(100));
        try {
            lengthBinEdges = MetricsSettings.parseBins(lengthBins);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--length-bins': " + e.getMessage());
        }
        try {
            zone = ZoneId.of(timeZone.trim());
        } catch (DateTimeException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--time-zone': '"
                            + timeZone
                            + "' is not a time zone; give an IANA name such as Europe/Berlin,"
                            + " America/New_York or UTC");
        }
        Set<String> outputs =
                new TreeSet<>(List.of(sessionsTopic, deadLetterTopic, lateTopic, quarantineTopic));
        if (outputs.contains(metricsTopic)) {
            throw new InvalidOptionException(
                    "Invalid value for option '--metrics-topic': "
                            + metricsTopic
                            + " is also another output topic");
        }
    }

    private static void atLeast(String option, Duration value, Duration min) {
        if (value.compareTo(min) < 0) {
            throw new InvalidOptionException(
                    "Invalid value for option '"
                            + option
                            + "': "
                            + value.toMillis()
                            + " ms is less than the minimum "
                            + min.toMillis()
                            + " ms ("
                            + DURATION
                            + ")");
        }
    }

    private static Path configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) return Path.of(args[i + 1]);
            if (args[i].startsWith("--config="))
                return Path.of(args[i].substring("--config=".length()));
        }
        return null;
    }

    /** The config file's properties; a key that is no option is an error, not a silent no-op. */
    private static Properties readConfig(Path file, CommandLine cl) {
        Properties p = OptionFiles.readProperties(file, "--config");
        Set<String> known = new TreeSet<>();
        cl.getCommandSpec()
                .options()
                .forEach(o -> known.add(o.longestName().replaceFirst("^--", "")));
        Set<String> unknown = new LinkedHashSet<>(p.stringPropertyNames());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new InvalidOptionException(
                    "Invalid value for option '--config': "
                            + file
                            + " has unknown key(s) "
                            + unknown
                            + "; allowed keys: "
                            + known);
        }
        return p;
    }

    /** The session definition the options describe (built once, when they were checked). */
    public SessionDefinition definition() {
        return checked(definition);
    }

    private SessionDefinition buildDefinition(java.util.Map<String, Duration> platformGaps) {
        SessionDefinition.Builder b =
                SessionDefinition.builder()
                        .gap(gap)
                        .platformGaps(platformGaps)
                        .maxLength(maxSessionLength)
                        .splitOverLimit(splitOverLimit)
                        .splitAtMidnight(splitAtMidnight ? zone : null)
                        .markerTypes(nonBlank(markerEvents))
                        .inactiveTypes(nonBlank(inactiveEvents))
                        .startTypes(nonBlank(startEvents))
                        .endTypes(nonBlank(endEvents))
                        .blockedTypes(nonBlank(blockedEvents))
                        .engagedMinLength(engagedMinLength)
                        .engagedMinEvents(engagedMinEvents)
                        .conversionTypes(nonBlank(conversionEvents))
                        .carriedProperties(List.copyOf(nonBlank(sessionProperties)));
        return b.kind(definitionKind).build();
    }

    /** --platform-gaps as PLATFORM=DURATION pairs; IllegalArgumentException when one is bad. */
    private java.util.Map<String, Duration> platformGaps() {
        java.util.Map<String, Duration> gaps = new java.util.LinkedHashMap<>();
        for (String pair : platformGaps == null ? List.<String>of() : platformGaps) {
            if (pair.isBlank()) continue;
            int eq = pair.lastIndexOf('=');
            if (eq <= 0 || pair.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException(
                        "'" + pair.trim() + "' is not PLATFORM=DURATION, e.g. Web=30m");
            }
            Duration d;
            try {
                d = new DurationConverter().convert(pair.substring(eq + 1).trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "'" + pair.trim() + "': the gap is not " + DURATION);
            }
            if (d.toMillis() < 1)
                throw new IllegalArgumentException(
                        "'" + pair.trim() + "': the gap must be at least 1 ms");
            gaps.put(pair.substring(0, eq).trim(), d);
        }
        return gaps;
    }

    public OwnerTimeline timeline() {
        return new OwnerTimeline(definition(), allowedLateness.toMillis());
    }

    /**
     * How the session-length metrics are computed (--bucket-size, --metrics-interval,
     * --length-bins).
     */
    public MetricsSettings metrics() {
        return new MetricsSettings(
                definition(),
                allowedLateness.toMillis(),
                bucketSize.toMillis(),
                metricsInterval.toMillis(),
                lengthBinEdges == null ? MetricsSettings.parseBins(lengthBins) : lengthBinEdges,
                checked(zone));
    }

    public EventParser parser() {
        SessionDefinition d = definition();
        return new EventParser(
                identity,
                d.propertyName(),
                d.carriedProperties(),
                maxRecordBytes,
                maxClockAhead.toMillis());
    }

    public KafkaSettings kafka() {
        return KafkaSettings.builder()
                .bootstrapServers(connection.bootstrapServers())
                .clientProperties(clientProperties)
                .inputTopics(inputTopics)
                .sessionsTopic(sessionsTopic)
                .deadLetterTopic(deadLetterTopic)
                .lateTopic(lateTopic)
                .quarantineTopic(quarantineTopic)
                .metricsTopic(metricsTopic)
                .groupId(groupId)
                .transactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    public OwnerRateLimit rateLimit() {
        return new OwnerRateLimit(ownerRateLimit, overRate);
    }

    private static Set<String> nonBlank(List<String> values) {
        Set<String> s = new LinkedHashSet<>();
        for (String v : values) {
            if (!v.isBlank()) s.add(v.trim());
        }
        return s;
    }

    /** Flink's upper bound on key groups, and so on max parallelism. */
    static final int MAX_KEY_GROUPS = 1 << 15;

    /** Where a job without checkpoint or savepoint starts reading (--starting-offsets). */
    public OffsetsInitializer startingOffsets() {
        return checked(startingOffsetsInitializer);
    }

    /** The option --stop-at as given, or null for a job that runs forever. */
    public String stopAt() {
        return stopAt;
    }

    /** Where a bounded replay stops (--stop-at), or null for a job that runs forever. */
    public OffsetsInitializer stoppingOffsets() {
        return stoppingOffsets;
    }

    /** A value computed when the options were checked: absent only after --help. */
    private <T> T checked(T value) {
        if (value == null) throw new IllegalStateException("the options were not checked");
        return value;
    }

    public boolean createTopics() {
        return createTopics;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration dedupHorizon() {
        return dedupHorizon;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Integer parallelism() {
        return parallelism;
    }

    /** The max parallelism given, or null for the cluster's or the job's default. */
    public Integer maxParallelism() {
        return maxParallelism;
    }

    public Identity identity() {
        return identity;
    }
}
