package com.sessionflow.functions;

import com.sessionflow.session.Session;
import com.sessionflow.session.SessionFormat;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * How a device's session that a login claimed travels from the linker to the sessionizer of its
 * user: in the state format of a session ({@link SessionFormat}), strings in full. Nothing of it is
 * kept in state under this serializer.
 */
public final class ClaimedSessionSerializer extends TypeSerializerSingleton<Session> {

    private static final long serialVersionUID = 1L;

    public static final ClaimedSessionSerializer INSTANCE = new ClaimedSessionSerializer();

    public static final TypeInformation<Session> TYPE =
            new SerializerTypeInfo<>(Session.class, INSTANCE);

    private ClaimedSessionSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Session createInstance() {
        return new Session();
    }

    /** A deep copy through the format, so that it can never miss a field. */
    @Override
    public Session copy(Session from) {
        return FormatCopy.of(this, from);
    }

    @Override
    public Session copy(Session from, Session reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Session s, DataOutputView out) throws IOException {
        SessionFormat.write(s, out, SessionChangeSerializer.plainStrings(out, null));
    }

    @Override
    public Session deserialize(DataInputView in) throws IOException {
        return SessionFormat.read(
                in, SessionChangeSerializer.plainStrings(null, in), SessionFormat.CURRENT);
    }

    @Override
    public Session deserialize(Session reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<Session> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Written into checkpoints with the linker's output types; restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Session> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
