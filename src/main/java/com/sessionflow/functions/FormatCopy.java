package com.sessionflow.functions;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Deep copies of a serializer's type through its own format, so that a copy never misses a field.
 */
final class FormatCopy {

    private FormatCopy() {}

    static <T> T of(TypeSerializer<T> serializer, T from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(from, out);
            return serializer.deserialize(
                    new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + from.getClass().getSimpleName(), e);
        }
    }
}
