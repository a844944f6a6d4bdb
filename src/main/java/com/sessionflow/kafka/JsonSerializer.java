package com.sessionflow.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes records of one kind to one topic: a key and a JSON value (null value = tombstone). */
public final class JsonSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;

    public JsonSerializer(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    /**
     * Records are stamped with the time of writing, not event time: a replay of old events would
     * otherwise write records that time-based retention deletes at once.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, key.apply(element), value.apply(element));
    }

    public static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
