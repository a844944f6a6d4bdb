package com.sessionflow.functions;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.PartitionClock;
import com.sessionflow.event.Rejection;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * What the source emits, between it and the first operator chained to it. Flink's POJO serializer
 * copied every record there field by field through reflection, the event's fields too (2 % of the
 * job's CPU, end to end); this one copies the event field by field ({@link Event#copy}), sharing
 * its context.
 */
public final class ParsedRecordSerializer extends TypeSerializerSingleton<ParsedRecord> {

    private static final long serialVersionUID = 1L;

    public static final ParsedRecordSerializer INSTANCE = new ParsedRecordSerializer();

    /** The type of the source's output: this serializer, whatever the configuration. */
    public static final TypeInformation<ParsedRecord> TYPE =
            new SerializerTypeInfo<>(ParsedRecord.class, INSTANCE);

    // the first byte: which of the three the record is
    private static final int EVENT = 0;
    private static final int DEAD_LETTER = 1;
    private static final int CLOCK = 2;

    private ParsedRecordSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ParsedRecord createInstance() {
        return new ParsedRecord();
    }

    @Override
    public ParsedRecord copy(ParsedRecord from) {
        // dead letters and clocks are rare: through the format, which never misses a field
        return from.isEvent() ? ParsedRecord.of(from.event.copy()) : FormatCopy.of(this, from);
    }

    @Override
    public ParsedRecord copy(ParsedRecord from, ParsedRecord reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ParsedRecord r, DataOutputView out) throws IOException {
        if (r.isEvent()) {
            out.writeByte(EVENT);
            EventSerializer.INSTANCE.serialize(r.event, out);
        } else if (r.isDeadLetter()) {
            DeadLetter d = r.deadLetter;
            out.writeByte(DEAD_LETTER);
            StringValue.writeString(d.reason == null ? null : d.reason.name(), out);
            StringValue.writeString(d.detail, out);
            writeBytes(d.originalKey, out);
            writeBytes(d.originalValue, out);
            StringValue.writeString(d.topic, out);
            out.writeInt(d.partition);
            out.writeLong(d.offset);
            out.writeLong(d.timestamp);
        } else {
            out.writeByte(CLOCK);
            out.writeLong(r.clock.maxEventTime);
            out.writeLong(r.clock.watermark);
        }
    }

    @Override
    public ParsedRecord deserialize(DataInputView in) throws IOException {
        int kind = in.readUnsignedByte();
        if (kind == EVENT) return ParsedRecord.of(EventSerializer.INSTANCE.deserialize(in));
        if (kind == DEAD_LETTER) {
            DeadLetter d = new DeadLetter();
            String reason = StringValue.readString(in);
            d.reason = reason == null ? null : Rejection.valueOf(reason);
            d.detail = StringValue.readString(in);
            d.originalKey = readBytes(in);
            d.originalValue = readBytes(in);
            d.topic = StringValue.readString(in);
            d.partition = in.readInt();
            d.offset = in.readLong();
            d.timestamp = in.readLong();
            return ParsedRecord.of(d);
        }
        return ParsedRecord.of(new PartitionClock(in.readLong(), in.readLong()));
    }

    private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeBoolean(bytes != null);
        if (bytes != null) BytePrimitiveArraySerializer.INSTANCE.serialize(bytes, out);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        return in.readBoolean() ? BytePrimitiveArraySerializer.INSTANCE.deserialize(in) : null;
    }

    @Override
    public ParsedRecord deserialize(ParsedRecord reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<ParsedRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Written into checkpoints with the operators' output types; restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ParsedRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
