package com.sessionflow.kafka;

import java.io.Serializable;
import java.util.List;
import java.util.Properties;

/** Where the job reads and writes: brokers, client properties (SASL/SSL live here), topics. */
public final class KafkaSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * KafkaSink's default (1 h) is above the broker's default transaction.max.timeout.ms (15 min).
     */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    public final String bootstrapServers;

    /** Extra client properties for every consumer, producer and admin client; never logged. */
    public final Properties clientProperties;

    public final List<String> inputTopics;
    public final String sessionsTopic;
    public final String deadLetterTopic;
    public final String lateTopic;

    /** Session-length metrics per bucket and platform (compacted). */
    public final String metricsTopic;

    public final String groupId;
    public final String transactionalIdPrefix;

    public KafkaSettings(
            String bootstrapServers,
            Properties clientProperties,
            List<String> inputTopics,
            String sessionsTopic,
            String deadLetterTopic,
            String lateTopic,
            String metricsTopic,
            String groupId,
            String transactionalIdPrefix) {
        this.metricsTopic = metricsTopic;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
        this.inputTopics = List.copyOf(inputTopics);
        this.sessionsTopic = sessionsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.lateTopic = lateTopic;
        this.groupId = groupId;
        this.transactionalIdPrefix = transactionalIdPrefix;
    }

    /** Client properties plus the bootstrap servers, for clients built outside the connector. */
    public Properties adminProperties() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    @Override
    public String toString() {
        // client properties may hold secrets: only their names are shown
        return "kafka(bootstrap="
                + bootstrapServers
                + ", input="
                + inputTopics
                + ", sessions="
                + sessionsTopic
                + ", dlq="
                + deadLetterTopic
                + ", late="
                + lateTopic
                + ", metrics="
                + metricsTopic
                + ", group="
                + groupId
                + ", client properties="
                + clientProperties.stringPropertyNames()
                + ")";
    }
}
