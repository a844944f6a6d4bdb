package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.ContextFormat;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How an event travels between the job's operators: its fields in a fixed order, its context in
 * {@link ContextFormat}. Flink's POJO serializer reaches every field by reflection, and copies
 * every one between chained operators; the benchmark's profile found it in 8-9 % of the samples. A
 * copy shares the context, which nothing changes after parsing. Not used for state: the linker's
 * list of waiting events keeps Flink's POJO format, so its savepoints stay readable.
 */
public final class EventSerializer extends TypeSerializerSingleton<Event> {

    private static final long serialVersionUID = 1L;

    public static final EventSerializer INSTANCE = new EventSerializer();

    /** The type of the job's event streams: this serializer, whatever the configuration. */
    public static final TypeInformation<Event> TYPE =
            new SerializerTypeInfo<>(Event.class, INSTANCE);

    // the first byte of an event: where its owner is
    private static final int OWNER_IS_USER = 0;
    private static final int OWNER_IS_DEVICE = 1;
    private static final int OWNER_WRITTEN = 2;

    private EventSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Event createInstance() {
        return new Event();
    }

    @Override
    public Event copy(Event from) {
        return from.copy();
    }

    @Override
    public Event copy(Event from, Event reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        // the owner is nearly always the user or the device id: one byte says which
        if (e.owner != null && e.owner.equals(e.userId)) {
            out.writeByte(OWNER_IS_USER);
        } else if (e.owner != null && e.owner.equals(e.deviceId)) {
            out.writeByte(OWNER_IS_DEVICE);
        } else {
            out.writeByte(OWNER_WRITTEN);
            StringValue.writeString(e.owner, out);
        }
        StringValue.writeString(e.userId, out);
        StringValue.writeString(e.deviceId, out);
        StringValue.writeString(e.eventType, out);
        out.writeLong(e.time);
        out.writeLong(e.sdkSessionId);
        StringValue.writeString(e.insertId, out);
        StringValue.writeString(e.platform, out);
        StringValue.writeString(e.osName, out);
        StringValue.writeString(e.appVersion, out);
        StringValue.writeString(e.sessionProperty, out);
        ContextFormat.write(e.context, out, s -> StringValue.writeString(s, out));
        StringValue.writeString(e.sourceTopic, out);
        out.writeInt(e.sourcePartition);
        out.writeLong(e.sourceOffset);
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        Event e = new Event();
        int owner = in.readUnsignedByte();
        String written = owner == OWNER_WRITTEN ? StringValue.readString(in) : null;
        e.userId = StringValue.readString(in);
        e.deviceId = StringValue.readString(in);
        e.owner =
                owner == OWNER_IS_USER ? e.userId : owner == OWNER_IS_DEVICE ? e.deviceId : written;
        e.eventType = StringValue.readString(in);
        e.time = in.readLong();
        e.sdkSessionId = in.readLong();
        e.insertId = StringValue.readString(in);
        e.platform = StringValue.readString(in);
        e.osName = StringValue.readString(in);
        e.appVersion = StringValue.readString(in);
        e.sessionProperty = StringValue.readString(in);
        e.context = ContextFormat.read(in, () -> StringValue.readString(in));
        e.sourceTopic = StringValue.readString(in);
        e.sourcePartition = in.readInt();
        e.sourceOffset = in.readLong();
        return e;
    }

    @Override
    public Event deserialize(Event reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Written into checkpoints with the operators' output types; restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
