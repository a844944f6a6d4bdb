package com.sessionflow.kafka;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.EventParser;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.session.LateEvent;
import com.sessionflow.session.QuarantinedEvent;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;

/** Builds the job's Kafka source and its exactly-once sinks. */
public final class KafkaIO {

    private KafkaIO() {}

    /**
     * The events source: the connector's Kafka source, with each partition's clock kept.
     *
     * @param stoppingOffsets where a bounded run (replay) stops, or null to run forever
     */
    public static ClockKeepingKafkaSource eventSource(
            KafkaSettings kafka,
            EventParser parser,
            OffsetsInitializer startingOffsets,
            OffsetsInitializer stoppingOffsets) {
        KafkaSourceBuilder<ParsedRecord> builder =
                KafkaSource.<ParsedRecord>builder()
                        .setProperties(kafka.clientProperties)
                        .setBootstrapServers(kafka.bootstrapServers)
                        .setTopics(kafka.inputTopics)
                        .setGroupId(kafka.groupId)
                        .setStartingOffsets(startingOffsets)
                        .setDeserializer(new EventDeserializer(parser))
                        // progress is committed back to Kafka on checkpoints, for lag monitoring
                        // only:
                        // the checkpoint itself holds the offsets the job restarts from
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .setProperty("isolation.level", "read_committed");
        if (stoppingOffsets != null) builder.setBounded(stoppingOffsets);
        return new ClockKeepingKafkaSource(builder.build());
    }

    public static KafkaSink<SessionChange> sessionsSink(
            KafkaSettings kafka, SessionDefinition definition) {
        return sink(
                kafka,
                "sessions",
                new JsonSerializer<>(
                        kafka.sessionsTopic,
                        change -> JsonSerializer.utf8(change.key()),
                        change ->
                                change.isRetraction()
                                        ? null
                                        : JsonRecords.bytes(
                                                JsonRecords.session(change.session, definition))));
    }

    public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings kafka) {
        return sink(
                kafka,
                "dlq",
                new JsonSerializer<>(
                        kafka.deadLetterTopic,
                        d -> d.originalKey,
                        d -> JsonRecords.bytes(JsonRecords.deadLetter(d))));
    }

    public static KafkaSink<LateEvent> lateSink(KafkaSettings kafka) {
        return sink(
                kafka,
                "late",
                new JsonSerializer<>(
                        kafka.lateTopic,
                        late -> JsonSerializer.utf8(late.event.owner),
                        late -> JsonRecords.bytes(JsonRecords.lateEvent(late))));
    }

    public static KafkaSink<QuarantinedEvent> quarantineSink(KafkaSettings kafka) {
        return sink(
                kafka,
                "quarantine",
                new JsonSerializer<>(
                        kafka.quarantineTopic,
                        q -> JsonSerializer.utf8(q.event.owner),
                        q -> JsonRecords.bytes(JsonRecords.quarantinedEvent(q))));
    }

    /**
     * An exactly-once sink of records the caller turns into key and value bytes; {@code name} makes
     * its transactional ids unique within the job.
     */
    public static <T> KafkaSink<T> sink(
            KafkaSettings kafka,
            String name,
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        return sink(kafka, name, new JsonSerializer<>(topic, key, value));
    }

    private static <T> KafkaSink<T> sink(
            KafkaSettings kafka, String name, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(kafka.clientProperties)
                .setBootstrapServers(kafka.bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(kafka.transactionalIdPrefix + "-" + name)
                .setProperty("transaction.timeout.ms", KafkaSettings.TRANSACTION_TIMEOUT_MS)
                // dead letters carry the original record, which may be close to the input's size
                // limit
                .setProperty("max.request.size", String.valueOf(8 * 1024 * 1024))
                .build();
    }
}
