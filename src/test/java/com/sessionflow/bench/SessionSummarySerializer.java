package com.sessionflow.bench;

import com.sessionflow.functions.SerializerTypeInfo;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The peers' session summary (a window's accumulator, a Kafka Streams store's value) in the
 * sessionizer's own session format, strings in full.
 */
final class SessionSummarySerializer extends TypeSerializerSingleton<Session> {

    private static final long serialVersionUID = 1L;

    static final SessionSummarySerializer INSTANCE = new SessionSummarySerializer();

    static final TypeInformation<Session> TYPE = new SerializerTypeInfo<>(Session.class, INSTANCE);

    /** Strings in full, null as a flag: for {@link SessionFormat} over any data stream. */
    static SessionFormat.Strings strings(DataOutput out, DataInput in) {
        return new SessionFormat.Strings() {
            @Override
            public void write(String s) throws IOException {
                out.writeBoolean(s != null);
                if (s != null) out.writeUTF(s);
            }

            @Override
            public String read() throws IOException {
                return in.readBoolean() ? in.readUTF() : null;
            }
        };
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Session createInstance() {
        return new Session();
    }

    @Override
    public Session copy(Session from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(128);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy a session", e);
        }
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
        SessionFormat.write(s, out, strings(out, null));
    }

    @Override
    public Session deserialize(DataInputView in) throws IOException {
        return SessionFormat.read(in, strings(null, in), SessionFormat.CURRENT);
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

    /** Restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Session> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
