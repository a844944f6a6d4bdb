package com.sessionflow.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the job's output records as they are: the key and the JSON text. The database parses the
 * JSON ({@code jsonb_to_record}), so a field added to the record format needs no change here.
 */
final class TopicChangeDeserializer implements KafkaRecordDeserializationSchema<TopicChange> {

    private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private transient Counter foreignRecords;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        foreignRecords = context.getMetricGroup().counter("foreignRecords");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TopicChange> out) {
        String value =
                record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        // The job writes every record with a key and a JSON object. Anything else was written by
        // someone else and is no row of any table; it would fail every batch it is in, and so
        // stop the table for good, so it is counted and skipped.
        if (record.key() == null || (value != null && !isJsonObject(value))) {
            foreignRecords.inc();
            return;
        }
        out.collect(new TopicChange(new String(record.key(), StandardCharsets.UTF_8), value));
    }

    private static boolean isJsonObject(String value) {
        try {
            return JSON.readTree(value).isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    @Override
    public TypeInformation<TopicChange> getProducedType() {
        return TypeInformation.of(TopicChange.class);
    }
}
