package com.sessionflow.bench;

import java.io.Serializable;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Serializes each record as the job's Kafka sink would (key and value bytes), counts records and
 * bytes under a name in {@link Probe}, and throws the bytes away. Marks the end of the output when
 * the input ends.
 */
public final class CountingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** The record's category (counted as {@code name.category}) and its serialized size. */
    public interface Encoder<T> extends Serializable {
        /** Returns the category; {@code sizes[0]} receives the serialized size. */
        String encode(T value, long[] sizes);
    }

    private final String name;
    private final Encoder<T> encoder;

    public CountingSink(String name, Encoder<T> encoder) {
        this.name = name;
        this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            final long[] size = new long[1];
            long records;
            long bytes;
            final java.util.Map<String, long[]> byCategory = new java.util.HashMap<>();

            @Override
            public void write(T element, Context ctx) {
                size[0] = 0;
                String category = encoder.encode(element, size);
                records++;
                bytes += size[0];
                byCategory.computeIfAbsent(category, k -> new long[1])[0]++;
            }

            @Override
            public void flush(boolean endOfInput) {
                if (!endOfInput) return;
                Probe.end();
                publish();
            }

            private void publish() {
                Probe.add(name + ".records", records);
                Probe.add(name + ".bytes", bytes);
                byCategory.forEach((c, n) -> Probe.add(name + "." + c, n[0]));
                records = 0;
                bytes = 0;
                byCategory.clear();
            }

            @Override
            public void close() {
                publish();
            }
        };
    }
}
