package com.sessionflow.job;

import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The options saying how a command reaches Kafka, the same for every job of the project and the
 * ingest server (a picocli mixin): the brokers, and a file of client properties for SASL, SSL and
 * the like.
 */
public final class KafkaConnectionOptions {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            description = "Kafka brokers. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "Kafka client properties (SASL, SSL, ...) for every Kafka client it makes;"
                            + " never logged.")
    Path kafkaProperties;

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Reads {@code --kafka-properties} (no properties without it); InvalidOptionException names the
     * option when the file cannot be read.
     */
    public Properties readClientProperties() {
        return kafkaProperties == null
                ? new Properties()
                : OptionFiles.readProperties(kafkaProperties, "--kafka-properties");
    }
}
