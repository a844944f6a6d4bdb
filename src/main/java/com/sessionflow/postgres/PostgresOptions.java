package com.sessionflow.postgres;

import com.sessionflow.job.CommandLines;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.KafkaConnectionOptions;
import com.sessionflow.job.OptionFiles;
import com.sessionflow.job.StartingOffsets;
import com.sessionflow.time.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the sessions-to-PostgreSQL job. {@link #parse} stops start-up on any bad value
 * with a message naming the option; the password is read from a file and never logged.
 */
@Command(
        name = "sessionflow-postgres",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Keeps PostgreSQL tables equal to sessionflow's compacted sessions and"
                        + " session-metrics topics.")
public final class PostgresOptions {

    private static final String DURATION = "a duration such as 300ms, 30s, 5m, 1h";

    @Option(
            names = "--jdbc-url",
            required = true,
            paramLabel = "URL",
            description =
                    "jdbc:postgresql://HOST[:PORT]/DATABASE[?currentSchema=SCHEMA&...]; the tables"
                            + " and views are created in the connection's schema.")
    String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            required = true,
            description = "The PostgreSQL user; it needs CREATE on the schema at the first start.")
    String jdbcUser;

    @Option(
            names = "--jdbc-password-file",
            paramLabel = "FILE",
            description =
                    "A file holding the user's password (never on the command line, never"
                            + " logged). Default: none (a server that trusts the user).")
    Path jdbcPasswordFile;

    @Mixin KafkaConnectionOptions connection = new KafkaConnectionOptions();

    @Option(
            names = "--sessions-topic",
            defaultValue = "sessions",
            description = "The job's session records. Default: ${DEFAULT-VALUE}.")
    String sessionsTopic;

    @Option(
            names = "--metrics-topic",
            defaultValue = "session-metrics",
            description = "The job's metrics records. Default: ${DEFAULT-VALUE}.")
    String metricsTopic;

    @Option(
            names = "--group-id",
            defaultValue = "sessionflow-postgres",
            description =
                    "Consumer group (offsets committed on checkpoints, for lag monitoring)."
                            + " Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(
            names = "--starting-offsets",
            defaultValue = "earliest",
            description =
                    "Where a run without a checkpoint starts: "
                            + StartingOffsets.ALLOWED
                            + ". Default: ${DEFAULT-VALUE} (the compacted topics hold every"
                            + " current row, so reading them from the start rebuilds the"
                            + " tables).")
    String startingOffsets;

    @Option(
            names = "--stop-at",
            paramLabel = "latest",
            description =
                    "latest: load up to each partition's end at start-up, then end (a one-off"
                            + " load). Default: none (follow the topics forever).")
    String stopAt;

    @Option(
            names = "--batch-size",
            defaultValue = "500",
            description = "Rows per JDBC batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--batch-interval",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description =
                    "A batch is written at the latest this long after its first row (and at every"
                            + " checkpoint). Default: ${DEFAULT-VALUE}.")
    Duration batchInterval;

    @Option(
            names = "--max-retries",
            defaultValue = "3",
            description =
                    "Retries of a failed batch before the job fails over (and restarts from its"
                            + " last checkpoint). Default: ${DEFAULT-VALUE}.")
    int maxRetries;

    @Option(
            names = "--checkpoint-interval",
            converter = DurationConverter.class,
            description =
                    "Checkpoint interval: rows are written at the latest at each checkpoint, and a"
                            + " restart reads again from the last one. Default: the cluster's"
                            + " execution.checkpointing.interval, else 10s.")
    Duration checkpointInterval;

    @Option(
            names = "--parallelism",
            description = "Parallelism of the job. Default: the cluster's.")
    Integer parallelism;

    private boolean helpRequested;
    private Properties clientProperties = new Properties();
    private String password;
    private OffsetsInitializer startingOffsetsInitializer;

    /** Parses and checks the options; throws InvalidOptionException naming the bad option. */
    public static PostgresOptions parse(String... args) {
        PostgresOptions options = new PostgresOptions();
        CommandLine cl = commandLine(options);
        options.helpRequested = CommandLines.parse(cl, args);
        if (!options.helpRequested) options.validate();
        return options;
    }

    public static String usage() {
        return commandLine(new PostgresOptions()).getUsageMessage();
    }

    private static CommandLine commandLine(PostgresOptions options) {
        return new CommandLine(options);
    }

    private void validate() {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new InvalidOptionException(
                    "Invalid value for option '--jdbc-url': '"
                            + jdbcUrl
                            + "' is not jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        atLeast("--batch-size", batchSize, 1);
        atLeast("--max-retries", maxRetries, 0);
        if (parallelism != null) atLeast("--parallelism", parallelism, 1);
        if (batchInterval.isNegative()) {
            throw new InvalidOptionException(
                    "Invalid value for option '--batch-interval': " + DURATION + ", 0 or more");
        }
        if (checkpointInterval != null && checkpointInterval.toMillis() < 100) {
            throw new InvalidOptionException(
                    "Invalid value for option '--checkpoint-interval': "
                            + DURATION
                            + ", 100ms or more");
        }
        if (stopAt != null && !stopAt.trim().equals("latest")) {
            throw new InvalidOptionException(
                    "Invalid value for option '--stop-at': '" + stopAt + "' is not latest");
        }
        try {
            startingOffsetsInitializer = StartingOffsets.parse(startingOffsets);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(
                    "Invalid value for option '--starting-offsets': " + e.getMessage());
        }
        clientProperties = connection.readClientProperties();
        if (jdbcPasswordFile != null)
            password = OptionFiles.readSecret(jdbcPasswordFile, "--jdbc-password-file");
    }

    private static void atLeast(String option, int value, int min) {
        if (value < min) {
            throw new InvalidOptionException(
                    "Invalid value for option '" + option + "': " + value + " is below " + min);
        }
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    /** Where the tables are: URL, user and password (the password is never shown). */
    public PostgresConnection connection() {
        return new PostgresConnection(jdbcUrl, jdbcUser, password);
    }

    public String bootstrapServers() {
        return connection.bootstrapServers();
    }

    public Properties clientProperties() {
        return clientProperties;
    }

    public String sessionsTopic() {
        return sessionsTopic;
    }

    public String metricsTopic() {
        return metricsTopic;
    }

    public String groupId() {
        return groupId;
    }

    public OffsetsInitializer startingOffsets() {
        return startingOffsetsInitializer;
    }

    /** True for a one-off load that ends at the topics' end offsets of its start. */
    public boolean bounded() {
        return stopAt != null;
    }

    public int batchSize() {
        return batchSize;
    }

    public Duration batchInterval() {
        return batchInterval;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Integer parallelism() {
        return parallelism;
    }
}
