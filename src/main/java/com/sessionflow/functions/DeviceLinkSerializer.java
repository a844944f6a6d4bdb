package com.sessionflow.functions;

import com.sessionflow.session.DeviceLink;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** How a device link travels to the linker: two strings and a long. Never kept in state. */
public final class DeviceLinkSerializer extends TypeSerializerSingleton<DeviceLink> {

    private static final long serialVersionUID = 1L;

    public static final DeviceLinkSerializer INSTANCE = new DeviceLinkSerializer();

    public static final TypeInformation<DeviceLink> TYPE =
            new SerializerTypeInfo<>(DeviceLink.class, INSTANCE);

    private DeviceLinkSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public DeviceLink createInstance() {
        return new DeviceLink("", "", 0);
    }

    @Override
    public DeviceLink copy(DeviceLink from) {
        return from;
    }

    @Override
    public DeviceLink copy(DeviceLink from, DeviceLink reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DeviceLink link, DataOutputView out) throws IOException {
        StringValue.writeString(link.deviceId, out);
        StringValue.writeString(link.userId, out);
        out.writeLong(link.time);
    }

    @Override
    public DeviceLink deserialize(DataInputView in) throws IOException {
        return new DeviceLink(
                StringValue.readString(in), StringValue.readString(in), in.readLong());
    }

    @Override
    public DeviceLink deserialize(DeviceLink reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<DeviceLink> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Written into checkpoints with the operators' output types; restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeviceLink> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
