package com.sessionflow.kafka;

import com.sessionflow.event.EventParser;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.event.Rejection;
import com.sessionflow.functions.ParsedRecordSerializer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses Kafka records in the source, so that each event carries its time from the first operator
 * on (watermarks per partition) and a bad record never throws: it becomes a dead letter.
 */
public class EventDeserializer implements KafkaRecordDeserializationSchema<ParsedRecord> {

    private static final long serialVersionUID = 1L;

    private final EventParser parser;
    private transient Counter eventsIn;
    private transient Map<Rejection, Counter> deadLetters;

    public EventDeserializer(EventParser parser) {
        this.parser = parser;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        MetricGroup metrics = context.getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        deadLetters = new EnumMap<>(Rejection.class);
        MetricGroup byReason = metrics.addGroup("deadLetters");
        for (Rejection r : Rejection.values()) {
            deadLetters.put(r, byReason.counter(r.code()));
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord> out) {
        RecordOrigin origin =
                new RecordOrigin(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        record.value());
        parser.parse(
                origin,
                parsed -> {
                    if (parsed.isEvent()) eventsIn.inc();
                    else deadLetters.get(parsed.deadLetter.reason).inc();
                    out.collect(parsed);
                });
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return ParsedRecordSerializer.TYPE;
    }
}
