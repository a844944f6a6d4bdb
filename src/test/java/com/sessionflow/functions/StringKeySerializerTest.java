package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;

/** The job's keys must stay the bytes Flink's String keys were: RocksDB finds state by them. */
class StringKeySerializerTest {

    private static final List<String> KEYS =
            List.of(
                    "",
                    "user-1042",
                    "3f1c9c2e-6a4b-4c1e-9d1e-8f0a2b7c5d11",
                    "d\u00e9vice-\u20ac",
                    "x".repeat(70_000));

    @Test
    void writesTheBytesOfFlinksStringSerializerInMemoryAndToStreams() throws IOException {
        for (String key : KEYS) {
            assertThat(inMemory(StringKeySerializer.INSTANCE, key))
                    .as(key.length() > 40 ? key.substring(0, 40) : key)
                    .isEqualTo(inMemory(StringSerializer.INSTANCE, key))
                    .isEqualTo(toStream(StringKeySerializer.INSTANCE, key));
        }
    }

    @Test
    void restoresKeysThatFlinksStringSerializerWrote() {
        assertThat(
                        StringKeySerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(
                                        StringSerializer.INSTANCE.snapshotConfiguration())
                                .isCompatibleAsIs())
                .isTrue();
    }

    private static byte[] inMemory(TypeSerializer<String> serializer, String key)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        serializer.serialize(key, out);
        return out.getCopyOfBuffer();
    }

    private static byte[] toStream(TypeSerializer<String> serializer, String key)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        serializer.serialize(key, new DataOutputViewStreamWrapper(bytes));
        return bytes.toByteArray();
    }
}
