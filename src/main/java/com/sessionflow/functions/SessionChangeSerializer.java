package com.sessionflow.functions;

import com.sessionflow.session.CloseReason;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionRecord;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
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
    public static final TypeInformation<SessionChange> TYPE = new ChangeType();

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
        StringValue.writeString(r.userId, out);
        StringValue.writeString(r.deviceId, out);
        StringValue.writeString(r.platform, out);
        StringValue.writeString(r.osName, out);
        StringValue.writeString(r.appVersion, out);
        out.writeLong(r.sdkSessionId);
        out.writeLong(r.startTime);
        out.writeLong(r.endTime);
        out.writeLong(r.eventCount);
        out.writeLong(r.activeEventCount);
        StringValue.writeString(r.firstEventType, out);
        StringValue.writeString(r.lastEventType, out);
        StringValue.writeString(r.entryEventType, out);
        StringValue.writeString(r.exitEventType, out);
        ContextFormat.write(r.entryContext, out, s -> StringValue.writeString(s, out));
        ContextFormat.write(r.exitContext, out, s -> StringValue.writeString(s, out));
        out.writeInt(r.deviceIds.size());
        for (String id : r.deviceIds) StringValue.writeString(id, out);
        out.writeLong(r.eventsWithoutSessionId);
        out.writeBoolean(r.overRate);
        out.writeBoolean(r.conversion);
        out.writeInt(r.revision);
        StringValue.writeString(r.closeReason == null ? null : r.closeReason.name(), out);
    }

    @Override
    public SessionChange deserialize(DataInputView in) throws IOException {
        String owner = StringValue.readString(in);
        long sessionId = in.readLong();
        String group = StringValue.readString(in);
        if (!in.readBoolean()) return SessionChange.retraction(owner, sessionId, group);
        // a record is only ever made from a session: read one and take its version
        Session s = new Session();
        s.owner = owner;
        s.sessionId = sessionId;
        s.group = group;
        s.userId = StringValue.readString(in);
        s.deviceId = StringValue.readString(in);
        s.platform = StringValue.readString(in);
        s.osName = StringValue.readString(in);
        s.appVersion = StringValue.readString(in);
        s.sdkSessionId = in.readLong();
        s.startTime = in.readLong();
        s.endTime = in.readLong();
        s.eventCount = in.readLong();
        s.activeEventCount = in.readLong();
        s.firstEventType = StringValue.readString(in);
        s.lastEventType = StringValue.readString(in);
        s.entryEventType = StringValue.readString(in);
        s.exitEventType = StringValue.readString(in);
        s.entryContext = ContextFormat.read(in, () -> StringValue.readString(in));
        s.exitContext = ContextFormat.read(in, () -> StringValue.readString(in));
        s.deviceIds = new String[in.readInt()];
        for (int i = 0; i < s.deviceIds.length; i++) s.deviceIds[i] = StringValue.readString(in);
        s.eventsWithoutSessionId = in.readLong();
        s.overRate = in.readBoolean();
        s.conversion = in.readBoolean();
        s.revision = in.readInt();
        String closeReason = StringValue.readString(in);
        s.closeReason = closeReason == null ? null : CloseReason.valueOf(closeReason);
        return SessionChange.update(s.toRecord());
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

    /** The changelog's type: this serializer, whatever the configuration. */
    private static final class ChangeType extends TypeInformation<SessionChange> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<SessionChange> getTypeClass() {
            return SessionChange.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<SessionChange> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "SessionChange";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChangeType;
        }

        @Override
        public int hashCode() {
            return ChangeType.class.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof ChangeType;
        }
    }
}
