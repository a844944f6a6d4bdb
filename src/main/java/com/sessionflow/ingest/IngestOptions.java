package com.sessionflow.ingest;

import com.sessionflow.job.CommandLines;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.KafkaConnectionOptions;
import com.sessionflow.job.OptionFiles;
import com.sessionflow.time.DurationConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every option of the ingest server (docs/ingest.md). {@link #parse} stops start-up on any bad
 * value with a message naming the option and what it allows, as the job's options do.
 */
@Command(
        name = "sessionflow-ingest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Amplitude's HTTP V2 and Batch APIs (POST /2/httpapi, POST /batch) in front of"
                        + " Kafka: unmodified Amplitude SDKs send their events to the job's"
                        + " input topic.")
public final class IngestOptions {

    @Mixin KafkaConnectionOptions connection = new KafkaConnectionOptions();

    @Option(
            names = "--topic",
            defaultValue = "events",
            description =
                    "Topic the events are written to (the job's --input-topics). Default:"
                            + " ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--host",
            defaultValue = "0.0.0.0",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (every interface).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "Port to listen on; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--api-keys-file",
            paramLabel = "FILE",
            description =
                    "File with the API keys requests may carry, one a line (# comments). Without"
                            + " it any non-empty key is taken.")
    Path apiKeysFile;

    @Option(
            names = "--max-events",
            defaultValue = "2000",
            description =
                    "Most events in one request; more is a 413 (the SDKs halve their batch)."
                            + " Default: ${DEFAULT-VALUE}, Amplitude's.")
    int maxEvents;

    @Option(
            names = "--httpapi-max-bytes",
            defaultValue = "1048576",
            description =
                    "Largest /2/httpapi body after decompression; larger is a 413. Default:"
                            + " ${DEFAULT-VALUE} (1 MB, Amplitude's).")
    long httpApiMaxBytes;

    @Option(
            names = "--batch-max-bytes",
            defaultValue = "20971520",
            description =
                    "Largest /batch body after decompression; larger is a 413. Default:"
                            + " ${DEFAULT-VALUE} (20 MB, Amplitude's).")
    long batchMaxBytes;

    @Option(
            names = "--min-id-length",
            defaultValue = "5",
            description =
                    "Shortest user_id or device_id when a request's options.min_id_length is not"
                            + " set. Default: ${DEFAULT-VALUE}, Amplitude's.")
    int minIdLength;

    @Option(
            names = "--send-timeout",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "How long a request waits for Kafka to acknowledge its events before it is"
                            + " answered 503 (the SDK resends). Default: ${DEFAULT-VALUE}.")
    Duration sendTimeout;

    @Option(
            names = "--cors-origins",
            split = ",",
            defaultValue = "*",
            description =
                    "Origins whose web pages may send (CORS), comma-separated; * = any. Default:"
                            + " ${DEFAULT-VALUE}.")
    List<String> corsOrigins;

    @Option(
            names = "--trust-forwarded-for",
            description =
                    "Behind a proxy or load balancer: take the caller's address (for \"ip\":"
                            + " \"$remote\") from the first X-Forwarded-For entry.")
    boolean trustForwardedFor;

    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description = "Certificate chain (PEM) for HTTPS; needs --tls-key.")
    Path tlsCert;

    @Option(
            names = "--tls-key",
            paramLabel = "PEM",
            description = "Private key (PEM, PKCS#8 or PKCS#1) for HTTPS; needs --tls-cert.")
    Path tlsKey;

    private boolean helpRequested;

    public static IngestOptions parse(String... args) {
        IngestOptions options = new IngestOptions();
        CommandLine cl = new CommandLine(options);
        options.helpRequested = CommandLines.parse(cl, args);
        if (!options.helpRequested) options.validate();
        return options;
    }

    public static String usage() {
        return new CommandLine(new IngestOptions()).getUsageMessage();
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    private void validate() {
        if (topic.isBlank()) throw invalid("--topic", topic, "name a topic");
        if (port < 0 || port > 65_535) throw invalid("--port", port, "0 to 65535");
        if (maxEvents < 1) throw invalid("--max-events", maxEvents, "at least 1");
        if (httpApiMaxBytes < 1 || httpApiMaxBytes > Integer.MAX_VALUE) {
            throw invalid("--httpapi-max-bytes", httpApiMaxBytes, "1 to " + Integer.MAX_VALUE);
        }
        if (batchMaxBytes < 1 || batchMaxBytes > Integer.MAX_VALUE) {
            throw invalid("--batch-max-bytes", batchMaxBytes, "1 to " + Integer.MAX_VALUE);
        }
        if (minIdLength < 1) throw invalid("--min-id-length", minIdLength, "at least 1");
        if (sendTimeout.toMillis() < 100) {
            throw invalid("--send-timeout", sendTimeout, "at least 100ms");
        }
        if (corsOrigins.isEmpty() || corsOrigins.stream().anyMatch(String::isBlank)) {
            throw invalid(
                    "--cors-origins", corsOrigins, "* or origins such as https://shop.example");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new InvalidOptionException(
                    "Invalid value for option '"
                            + (tlsCert == null ? "--tls-cert" : "--tls-key")
                            + "': --tls-cert and --tls-key go together (a PEM certificate and"
                            + " its key)");
        }
        for (Path pem : tlsCert == null ? List.<Path>of() : List.of(tlsCert, tlsKey)) {
            if (!Files.isReadable(pem)) {
                throw invalid(
                        pem == tlsCert ? "--tls-cert" : "--tls-key", pem, "a readable PEM file");
            }
        }
        apiKeys();
        connection.readClientProperties();
    }

    private static InvalidOptionException invalid(String option, Object value, String allowed) {
        return new InvalidOptionException(
                "Invalid value for option '"
                        + option
                        + "': "
                        + value
                        + " (allowed: "
                        + allowed
                        + ")");
    }

    /** The keys of {@code --api-keys-file}; empty = any key. */
    Set<String> apiKeys() {
        if (apiKeysFile == null) return Set.of();
        Set<String> keys = new LinkedHashSet<>();
        for (String line :
                OptionFiles.readSecret(apiKeysFile, "--api-keys-file").lines().toList()) {
            String key = line.strip();
            if (!key.isEmpty() && !key.startsWith("#")) keys.add(key);
        }
        if (keys.isEmpty())
            throw invalid("--api-keys-file", apiKeysFile, "a file with a key a line");
        return keys;
    }

    String bootstrapServers() {
        return connection.bootstrapServers();
    }

    Properties clientProperties() {
        Properties p = connection.readClientProperties();
        p.put("bootstrap.servers", connection.bootstrapServers());
        return p;
    }

    /** The options as a command line, for a server started from another program (the demo). */
    public static List<String> args(String bootstrapServers, String topic, String host, int port) {
        return new ArrayList<>(
                List.of(
                        "--bootstrap-servers",
                        bootstrapServers,
                        "--topic",
                        topic,
                        "--host",
                        host,
                        "--port",
                        String.valueOf(port)));
    }
}
