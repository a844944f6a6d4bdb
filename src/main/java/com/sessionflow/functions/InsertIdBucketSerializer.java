package com.sessionflow.functions;

import com.sessionflow.session.DuplicateFilter;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One bucket of an owner's insert ids ({@link InsertIdStore}), written as the owner's inline ids
 * are: each hash in 8 bytes, each time as a short difference, so an id costs about 11 bytes and the
 * RocksDB entry's own overhead is shared by the bucket's ids.
 */
public final class InsertIdBucketSerializer extends TypeSerializerSingleton<DuplicateFilter> {

    private static final long serialVersionUID = 1L;

    public static final InsertIdBucketSerializer INSTANCE = new InsertIdBucketSerializer();

    /** The format of buckets this serializer writes, their first byte, as in the owner's value. */
    static final int FORMAT = 1;

    private InsertIdBucketSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public DuplicateFilter createInstance() {
        return new DuplicateFilter();
    }

    @Override
    public DuplicateFilter copy(DuplicateFilter from) {
        return from.copy();
    }

    @Override
    public DuplicateFilter copy(DuplicateFilter from, DuplicateFilter reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DuplicateFilter bucket, DataOutputView out) throws IOException {
        WholeValueWrites.write(bucket, out, InsertIdBucketSerializer::write);
    }

    private static void write(DuplicateFilter bucket, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        bucket.writeTo(out);
    }

    @Override
    public DuplicateFilter deserialize(DataInputView in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException(
                    "insert-id bucket in format " + format + "; this version reads " + FORMAT);
        }
        return DuplicateFilter.readFrom(in);
    }

    @Override
    public DuplicateFilter deserialize(DuplicateFilter reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<DuplicateFilter> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Written into checkpoints with the bucket state; restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DuplicateFilter> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
