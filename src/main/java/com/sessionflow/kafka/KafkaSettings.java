package com.sessionflow.kafka;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the job reads and writes: brokers, client properties (SASL/SSL live here), topics. Built
 * with {@link #builder()}; every topic is required.
 */
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

    /** Events of owners over the rate ({@code --owner-rate-limit}). */
    public final String quarantineTopic;

    /** Session-length metrics per bucket and platform (compacted). */
    public final String metricsTopic;

    public final String groupId;
    public final String transactionalIdPrefix;

    private KafkaSettings(Builder b) {
        this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers, "bootstrapServers");
        this.clientProperties = b.clientProperties;
        this.inputTopics = List.copyOf(b.inputTopics);
        this.sessionsTopic = Objects.requireNonNull(b.sessionsTopic, "sessionsTopic");
        this.deadLetterTopic = Objects.requireNonNull(b.deadLetterTopic, "deadLetterTopic");
        this.lateTopic = Objects.requireNonNull(b.lateTopic, "lateTopic");
        this.quarantineTopic = Objects.requireNonNull(b.quarantineTopic, "quarantineTopic");
        this.metricsTopic = Objects.requireNonNull(b.metricsTopic, "metricsTopic");
        this.groupId = Objects.requireNonNull(b.groupId, "groupId");
        this.transactionalIdPrefix =
                Objects.requireNonNull(b.transactionalIdPrefix, "transactionalIdPrefix");
    }

    public static Builder builder() {
        return new Builder();
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
                + ", quarantine="
                + quarantineTopic
                + ", metrics="
                + metricsTopic
                + ", group="
                + groupId
                + ", client properties="
                + clientProperties.stringPropertyNames()
                + ")";
    }

    /** Builds {@link KafkaSettings}. */
    public static final class Builder {
        private String bootstrapServers;
        private Properties clientProperties = new Properties();
        private List<String> inputTopics = List.of();
        private String sessionsTopic;
        private String deadLetterTopic;
        private String lateTopic;
        private String quarantineTopic;
        private String metricsTopic;
        private String groupId;
        private String transactionalIdPrefix;

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder clientProperties(Properties properties) {
            this.clientProperties = properties;
            return this;
        }

        public Builder inputTopics(List<String> topics) {
            this.inputTopics = topics;
            return this;
        }

        public Builder sessionsTopic(String topic) {
            this.sessionsTopic = topic;
            return this;
        }

        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = topic;
            return this;
        }

        public Builder lateTopic(String topic) {
            this.lateTopic = topic;
            return this;
        }

        public Builder quarantineTopic(String topic) {
            this.quarantineTopic = topic;
            return this;
        }

        public Builder metricsTopic(String topic) {
            this.metricsTopic = topic;
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = prefix;
            return this;
        }

        public KafkaSettings build() {
            return new KafkaSettings(this);
        }
    }
}
