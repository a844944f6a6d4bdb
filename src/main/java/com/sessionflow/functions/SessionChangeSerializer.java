package com.sessionflow.functions;

import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionFormat;
import com.sessionflow.session.SessionRecord;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How session changes travel from the sessionizer to the sessions sink and the metrics operators. A
 * change and its record are immutable, so a copy between chained operators is the same instance
 * (Flink's POJO serializer would copy every field of every record), and the record's owner, id and
 * group are written once, with the change. Nothing of it is kept in state.
 */
public final class SessionChangeSerializer extends TypeSerializerSingleton<SessionChange> {

    private static final long serialVersionUID = 1L;

    public static final SessionChangeSerializer INSTANCE = new SessionChangeSerializer();

    /** The type of the sessions changelog, for the operators that emit it. */
    /** The changelog's type: this serializer, whatever the configuration. */
    public static final TypeInformation<SessionChange> TYPE =
            new SerializerTypeInfo<>(SessionChange.class, INSTANCE);

    private SessionChangeSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public SessionChange createInstance() {
        return SessionChange.retraction("", 0);
    }

    @Override
    public SessionChange copy(SessionChange from) {
        return from;
    }

    @Override
    public SessionChange copy(SessionChange from, SessionChange reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SessionChange c, DataOutputView out) throws IOException {
        StringValue.writeString(c.owner, out);
        out.writeLong(c.sessionId);
        StringValue.writeString(c.group, out);
        SessionRecord r = c.session;
        out.writeBoolean(r != null);
        if (r == null) return;
        SessionFormat.writeRecord(r, out, plainStrings(out, null));
    }

    @Override
    public SessionChange deserialize(DataInputView in) throws IOException {
        String owner = StringValue.readString(in);
        long sessionId = in.readLong();
        String group = StringValue.readString(in);
        if (!in.readBoolean()) return SessionChange.retraction(owner, sessionId, group);
        return SessionChange.update(
                SessionFormat.readRecord(owner, sessionId, group, in, plainStrings(null, in)));
    }

    /** Strings in full, each time: a record crosses the network once, so no table pays off. */
    static SessionFormat.Strings plainStrings(DataOutputView out, DataInputView in) {
        return new SessionFormat.Strings() {
            @Override
            public void write(String text) throws IOException {
                StringValue.writeString(text, out);
            }

            @Override
            public String read() throws IOException {
                return StringValue.readString(in);
            }
        };
    }

    @Override
    public SessionChange deserialize(SessionChange reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<SessionChange> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Written into checkpoints with the operators' output types; restores this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SessionChange> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
