package com.sessionflow.functions;

import java.io.IOException;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a state value into a checkpoint's stream in one call. The heap backend hands a serializer
 * a stream that takes every byte through three calls (a {@code DataOutputStream}, a forwarding
 * stream, the checkpoint's file stream): on an owner's value of a few hundred bytes the calls cost
 * more than the encoding (JFR, end to end: a third of the snapshot thread's time was {@code
 * DataOutputStream.write(int)}). Targets in memory (the network, RocksDB's values, copies) already
 * are buffers and get the value directly.
 */
final class WholeValueWrites {

    /** One per thread that writes snapshots: Flink may share a serializer between them. */
    private static final ThreadLocal<DataOutputSerializer> STAGED =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));

    /** How a serializer writes one value. */
    interface Format<T> {
        void write(T value, DataOutputView out) throws IOException;
    }

    private WholeValueWrites() {}

    static <T> void write(T value, DataOutputView out, Format<T> format) throws IOException {
        if (out instanceof DataOutputSerializer) {
            format.write(value, out);
            return;
        }
        DataOutputSerializer staged = STAGED.get();
        staged.clear();
        format.write(value, staged);
        out.write(staged.getSharedBuffer(), 0, staged.length());
        if (staged.getSharedBuffer().length > 1 << 20) {
            STAGED.remove(); // an owner with a huge value does not pin its buffer
        }
    }
}
