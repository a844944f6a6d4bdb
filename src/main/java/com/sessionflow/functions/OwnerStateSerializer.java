package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.Fact;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The sessionizer's own serializer for {@link OwnerState}: what a checkpoint, a savepoint and every
 * RocksDB read and write of an owner's value go through.
 *
 * <p>Why not Flink's POJO serializer: it writes every string of every session in full and every
 * long in 8 bytes. An owner's sessions share their owner, user and device ids, platform and event
 * types, and their times are close together. This format writes each distinct string once per value
 * (later uses are a one-byte reference), times as variable-length differences from the session's
 * start, counts as variable-length numbers: a typical session takes a few dozen bytes instead of a
 * few hundred (docs/benchmarks.md, "State per session").
 *
 * <p>Each value starts with a format version byte, so a later format can still read values written
 * by this one without a migration. State written with Flink's POJO serializer (savepoints before
 * this serializer) is refused with the way round it ({@link Snapshot}).
 *
 * <p>Formats: 1 had no entry and exit events, contexts, device ids or count of events without a
 * session_id; its sessions are read without them, and {@link Session#completeOlderLayout} fills in
 * what is known. Format 2 had no buckets' bits, split and count after the sweep: its owners with a
 * sweep have their ids in the entries of that layout ({@link InsertIds#OLDER_LAYOUT}).
 */
public final class OwnerStateSerializer extends TypeSerializer<OwnerState> {

    private static final long serialVersionUID = 1L;

    /** The format of values this serializer writes; bump it and keep reading the old ones. */
    static final int FORMAT = 3;

    // bits of a session's flags (a byte in format 1, two since)
    private static final int DIRTY = 1;
    private static final int ENDS_WITH_END_EVENT = 1 << 1;
    private static final int CUT_BY_MAX_LENGTH = 1 << 2;
    private static final int OVER_RATE = 1 << 3;
    private static final int SDK_SESSION_ID = 1 << 4;
    private static final int FACTS = 1 << 5;
    private static final int CLOSE_REASON = 1 << 6;
    // unset in every value written before conversions existed: no new format needed
    private static final int CONVERSION = 1 << 7;
    // the entry (exit) event is not the first (last) one: its type and time follow
    private static final int ENTRY_DIFFERS = 1 << 8;
    private static final int EXIT_DIFFERS = 1 << 9;
    // device ids other than the first event's alone follow
    private static final int OTHER_DEVICES = 1 << 10;
    private static final int ALL_WITHOUT_SESSION_ID = 1 << 11;
    // a count of events without session_id, neither 0 nor all, follows
    private static final int SOME_WITHOUT_SESSION_ID = 1 << 12;
    private static final int ENTRY_CONTEXT = 1 << 13;
    // the exit context, when it is not the entry's, follows
    private static final int EXIT_CONTEXT = 1 << 14;

    // bits of a fact's flags byte (format 1 wrote a boolean: the same first bit)
    private static final int FACT_MARKER = 1;
    private static final int FACT_WITHOUT_SESSION_ID = 1 << 1;
    private static final int FACT_CONTEXT = 1 << 2;

    // bits of the owner's flags byte
    private static final int TIMER = 1;
    private static final int SWEEP = 1 << 1;
    private static final int SEEN = 1 << 2;
    private static final int RATE = 1 << 3;

    public static final OwnerStateSerializer INSTANCE = new OwnerStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<OwnerState> duplicate() {
        return this; // stateless: the string table lives in each call
    }

    @Override
    public OwnerState createInstance() {
        return new OwnerState();
    }

    /** A deep copy, through the format itself, so that it can never miss a field. */
    @Override
    public OwnerState copy(OwnerState from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy an owner's state", e);
        }
    }

    @Override
    public OwnerState copy(OwnerState from, OwnerState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(OwnerState state, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        int flags =
                (state.pendingTimer != OwnerState.NO_TIMER ? TIMER : 0)
                        | (state.insertIdSweep != InsertIds.NONE ? SWEEP : 0)
                        | (state.seen != null ? SEEN : 0)
                        | (state.rate != null ? RATE : 0);
        out.writeByte(flags);
        if ((flags & TIMER) != 0) writeSigned(out, state.pendingTimer);
        if ((flags & SWEEP) != 0) {
            writeSigned(out, state.insertIdSweep);
            writeSigned(out, state.insertIdBits);
            writeUnsigned(out, state.insertIdSplit);
            writeUnsigned(out, state.bucketedInsertIds);
        }
        if ((flags & SEEN) != 0) writeInsertIds(state.seen, out);
        if ((flags & RATE) != 0) {
            writeSigned(out, state.rate.minute);
            writeUnsigned(out, state.rate.count);
        }
        Strings strings = new Strings();
        writeUnsigned(out, state.sessions.length);
        for (Session s : state.sessions) writeSession(s, out, strings);
    }

    private static void writeSession(Session s, DataOutputView out, Strings strings)
            throws IOException {
        boolean active = s.activeEventCount > 0;
        boolean entryDiffers =
                active
                        && (s.entryTime != s.startTime
                                || !Objects.equals(s.entryEventType, s.firstEventType));
        boolean exitDiffers =
                active
                        && (s.exitTime != s.endTime
                                || !Objects.equals(s.exitEventType, s.lastEventType));
        long withoutId = s.eventsWithoutSessionId;
        int flags =
                (s.dirty ? DIRTY : 0)
                        | (s.endsWithEndEvent ? ENDS_WITH_END_EVENT : 0)
                        | (s.cutByMaxLength ? CUT_BY_MAX_LENGTH : 0)
                        | (s.overRate ? OVER_RATE : 0)
                        | (s.sdkSessionId != Event.NO_SESSION_ID ? SDK_SESSION_ID : 0)
                        | (s.facts != null ? FACTS : 0)
                        | (s.closeReason != null ? CLOSE_REASON : 0)
                        | (s.conversion ? CONVERSION : 0)
                        | (entryDiffers ? ENTRY_DIFFERS : 0)
                        | (exitDiffers ? EXIT_DIFFERS : 0)
                        | (onlyTheFirstDevice(s) ? 0 : OTHER_DEVICES)
                        | (withoutId > 0 && withoutId == s.eventCount ? ALL_WITHOUT_SESSION_ID : 0)
                        | (withoutId > 0 && withoutId != s.eventCount ? SOME_WITHOUT_SESSION_ID : 0)
                        | (s.entryContext != null ? ENTRY_CONTEXT : 0)
                        | (Objects.equals(s.exitContext, s.entryContext) ? 0 : EXIT_CONTEXT);
        out.writeShort(flags);
        long start = s.startTime;
        writeSigned(out, start);
        writeSigned(out, s.endTime - start);
        writeSigned(out, s.sessionId - start);
        if ((flags & SDK_SESSION_ID) != 0) writeSigned(out, s.sdkSessionId - start);
        writeUnsigned(out, s.eventCount);
        writeUnsigned(out, s.activeEventCount);
        writeUnsigned(out, s.revision);
        strings.write(out, s.owner);
        strings.write(out, s.userId);
        strings.write(out, s.deviceId);
        strings.write(out, s.platform);
        strings.write(out, s.osName);
        strings.write(out, s.appVersion);
        strings.write(out, s.group);
        strings.write(out, s.firstEventType);
        strings.write(out, s.lastEventType);
        // by name, so that the enum may change order
        if ((flags & CLOSE_REASON) != 0) strings.write(out, s.closeReason.name());
        if (entryDiffers) {
            strings.write(out, s.entryEventType);
            writeSigned(out, s.entryTime - start);
        }
        if (exitDiffers) {
            strings.write(out, s.exitEventType);
            writeSigned(out, s.exitTime - start);
        }
        if ((flags & OTHER_DEVICES) != 0) {
            writeUnsigned(out, s.deviceIds.length);
            for (String id : s.deviceIds) strings.write(out, id);
        }
        if ((flags & SOME_WITHOUT_SESSION_ID) != 0) writeUnsigned(out, withoutId);
        if ((flags & ENTRY_CONTEXT) != 0) writeContext(out, s.entryContext, strings);
        if ((flags & EXIT_CONTEXT) != 0) writeContext(out, s.exitContext, strings);
        writeUnsigned(out, s.emittedIds.length);
        for (long id : s.emittedIds) writeSigned(out, id - s.sessionId);
        if ((flags & FACTS) != 0) {
            writeUnsigned(out, s.facts.length);
            for (Fact f : s.facts) {
                writeSigned(out, f.time - start);
                writeSigned(out, f.rank);
                writeSigned(out, f.gapMs);
                out.writeByte(
                        (f.marker ? FACT_MARKER : 0)
                                | (f.withoutSessionId ? FACT_WITHOUT_SESSION_ID : 0)
                                | (f.context != null ? FACT_CONTEXT : 0));
                strings.write(out, f.eventType);
                strings.write(out, f.userId);
                strings.write(out, f.deviceId);
                strings.write(out, f.platform);
                strings.write(out, f.osName);
                strings.write(out, f.appVersion);
                if (f.context != null) writeContext(out, f.context, strings);
            }
        }
    }

    /** The session's devices are its first event's alone (or none): nothing to write. */
    private static boolean onlyTheFirstDevice(Session s) {
        return s.deviceId == null
                ? s.deviceIds.length == 0
                : s.deviceIds.length == 1 && s.deviceId.equals(s.deviceIds[0]);
    }

    private static String[] deviceIdsOf(String deviceId) {
        return deviceId == null ? new String[0] : new String[] {deviceId};
    }

    private static void writeContext(DataOutputView out, EventContext c, Strings strings)
            throws IOException {
        ContextFormat.write(c, out, v -> strings.write(out, v));
    }

    private static EventContext readContext(DataInputView in, Strings strings) throws IOException {
        return ContextFormat.read(in, () -> strings.read(in));
    }

    @Override
    public OwnerState deserialize(DataInputView in) throws IOException {
        int format = in.readUnsignedByte();
        if (format < 1 || format > FORMAT) {
            throw new IOException(
                    "owner state in format "
                            + format
                            + "; this version reads formats 1 to "
                            + FORMAT);
        }
        OwnerState state = new OwnerState();
        int flags = in.readUnsignedByte();
        if ((flags & TIMER) != 0) state.pendingTimer = readSigned(in);
        if ((flags & SWEEP) != 0) {
            state.insertIdSweep = readSigned(in);
            if (format >= 3) {
                state.insertIdBits = (int) readSigned(in);
                state.insertIdSplit = readCount(in);
                state.bucketedInsertIds = readUnsigned(in);
            }
        }
        if ((flags & SEEN) != 0) state.seen = readInsertIds(in);
        if ((flags & RATE) != 0) {
            state.rate = new EventRate();
            state.rate.minute = readSigned(in);
            state.rate.count = readCount(in);
        }
        Strings strings = new Strings();
        Session[] sessions = new Session[readCount(in)];
        for (int i = 0; i < sessions.length; i++) sessions[i] = readSession(in, strings, format);
        state.sessions = sessions;
        return state;
    }

    private static Session readSession(DataInputView in, Strings strings, int format)
            throws IOException {
        Session s = new Session();
        int flags = format == 1 ? in.readUnsignedByte() : in.readUnsignedShort();
        s.dirty = (flags & DIRTY) != 0;
        s.endsWithEndEvent = (flags & ENDS_WITH_END_EVENT) != 0;
        s.cutByMaxLength = (flags & CUT_BY_MAX_LENGTH) != 0;
        s.overRate = (flags & OVER_RATE) != 0;
        s.conversion = (flags & CONVERSION) != 0;
        long start = readSigned(in);
        s.startTime = start;
        s.endTime = start + readSigned(in);
        s.sessionId = start + readSigned(in);
        if ((flags & SDK_SESSION_ID) != 0) s.sdkSessionId = start + readSigned(in);
        s.eventCount = readUnsigned(in);
        s.activeEventCount = readUnsigned(in);
        s.revision = readCount(in);
        s.owner = strings.read(in);
        s.userId = strings.read(in);
        s.deviceId = strings.read(in);
        s.platform = strings.read(in);
        s.osName = strings.read(in);
        s.appVersion = strings.read(in);
        s.group = strings.read(in);
        s.firstEventType = strings.read(in);
        s.lastEventType = strings.read(in);
        if ((flags & CLOSE_REASON) != 0) s.closeReason = closeReason(strings.read(in));
        if (s.activeEventCount > 0 && format > 1) {
            s.entryEventType = s.firstEventType;
            s.entryTime = start;
            s.exitEventType = s.lastEventType;
            s.exitTime = s.endTime;
        }
        if ((flags & ENTRY_DIFFERS) != 0) {
            s.entryEventType = strings.read(in);
            s.entryTime = start + readSigned(in);
        }
        if ((flags & EXIT_DIFFERS) != 0) {
            s.exitEventType = strings.read(in);
            s.exitTime = start + readSigned(in);
        }
        // format 1: none (Session#completeOlderLayout fills them in)
        if (format > 1) s.deviceIds = deviceIdsOf(s.deviceId);
        if ((flags & OTHER_DEVICES) != 0) {
            s.deviceIds = new String[readCount(in)];
            for (int i = 0; i < s.deviceIds.length; i++) s.deviceIds[i] = strings.read(in);
        }
        if ((flags & ALL_WITHOUT_SESSION_ID) != 0) s.eventsWithoutSessionId = s.eventCount;
        if ((flags & SOME_WITHOUT_SESSION_ID) != 0) s.eventsWithoutSessionId = readUnsigned(in);
        if ((flags & ENTRY_CONTEXT) != 0) s.entryContext = readContext(in, strings);
        s.exitContext = s.entryContext;
        if ((flags & EXIT_CONTEXT) != 0) s.exitContext = readContext(in, strings);
        s.emittedIds = new long[readCount(in)];
        for (int i = 0; i < s.emittedIds.length; i++) {
            s.emittedIds[i] = s.sessionId + readSigned(in);
        }
        if ((flags & FACTS) != 0) {
            s.facts = new Fact[readCount(in)];
            for (int i = 0; i < s.facts.length; i++) {
                Fact f = new Fact();
                f.time = start + readSigned(in);
                f.rank = (int) readSigned(in);
                f.gapMs = readSigned(in);
                int factFlags = in.readUnsignedByte();
                f.marker = (factFlags & FACT_MARKER) != 0;
                f.withoutSessionId = (factFlags & FACT_WITHOUT_SESSION_ID) != 0;
                f.eventType = strings.read(in);
                f.userId = strings.read(in);
                f.deviceId = strings.read(in);
                f.platform = strings.read(in);
                f.osName = strings.read(in);
                f.appVersion = strings.read(in);
                if ((factFlags & FACT_CONTEXT) != 0) f.context = readContext(in, strings);
                s.facts[i] = f;
            }
        }
        return s;
    }

    private static CloseReason closeReason(String name) throws IOException {
        try {
            return CloseReason.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("unknown close reason " + name, e);
        }
    }

    @Override
    public OwnerState deserialize(OwnerState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof OwnerStateSerializer;
    }

    @Override
    public int hashCode() {
        return OwnerStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<OwnerState> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * The strings of one value: each distinct one is written once, in full, and referred to by its
     * number afterwards. 0 is null, 1 a new string that follows, n + 2 the n-th one written.
     */
    private static final class Strings {
        private final Map<String, Integer> numbers = new HashMap<>();
        private final List<String> read = new ArrayList<>();

        void write(DataOutputView out, String s) throws IOException {
            if (s == null) {
                writeUnsigned(out, 0);
                return;
            }
            Integer n = numbers.get(s);
            if (n != null) {
                writeUnsigned(out, n + 2);
                return;
            }
            numbers.put(s, numbers.size());
            writeUnsigned(out, 1);
            StringValue.writeString(s, out);
        }

        String read(DataInputView in) throws IOException {
            int tag = readCount(in);
            if (tag == 0) return null;
            if (tag == 1) {
                // one instance per distinct string, shared by the owner's sessions in memory too
                String s = StringValue.readString(in);
                read.add(s);
                return s;
            }
            if (tag - 2 >= read.size()) throw new IOException("string reference " + tag);
            return read.get(tag - 2);
        }
    }

    /**
     * Insert ids (inline or a bucket): each hash in 8 bytes (they are random) and each time as the
     * difference from the one before, a few bytes.
     */
    static void writeInsertIds(DuplicateFilter ids, DataOutputView out) throws IOException {
        writeUnsigned(out, ids.hashes.length);
        long previous = 0;
        for (int i = 0; i < ids.hashes.length; i++) {
            out.writeLong(ids.hashes[i]);
            writeSigned(out, ids.times[i] - previous);
            previous = ids.times[i];
        }
    }

    static DuplicateFilter readInsertIds(DataInputView in) throws IOException {
        int n = readCount(in);
        DuplicateFilter ids = new DuplicateFilter();
        ids.hashes = new long[n];
        ids.times = new long[n];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            ids.hashes[i] = in.readLong();
            previous += readSigned(in);
            ids.times[i] = previous;
        }
        return ids;
    }

    private static void writeUnsigned(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    /** Zig-zag: small negative numbers stay short too. */
    private static void writeSigned(DataOutputView out, long v) throws IOException {
        writeUnsigned(out, (v << 1) ^ (v >> 63));
    }

    private static long readUnsigned(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("malformed variable-length number");
    }

    private static long readSigned(DataInputView in) throws IOException {
        long v = readUnsigned(in);
        return (v >>> 1) ^ -(v & 1);
    }

    private static int readCount(DataInputView in) throws IOException {
        long n = readUnsigned(in);
        if (n < 0 || n > Integer.MAX_VALUE) throw new IOException("count " + n);
        return (int) n;
    }

    /**
     * The serializer's snapshot in checkpoints and savepoints. State in Flink's POJO format
     * (savepoints of releases before this serializer) is refused with the way round it: those
     * releases' state classes were POJOs with public fields, frozen by that format; sessionflow 0.1
     * still reads them and writes this format, so a deployment upgrades through it
     * (docs/upgrading.md).
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<OwnerState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<OwnerState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<OwnerState> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof PojoSerializerSnapshot) {
                throw new IllegalStateException(POJO_FORMAT_REFUSED);
            }
            return super.resolveSchemaCompatibility(oldSerializerSnapshot);
        }
    }

    /** Why a savepoint with the owner's state in Flink's POJO format does not restore. */
    public static final String POJO_FORMAT_REFUSED =
            "this savepoint holds the sessionizer's owner state in Flink's POJO format, written by"
                    + " a sessionflow release before 0.1: restore it with sessionflow 0.1 first,"
                    + " take a savepoint there, and restore that one (docs/upgrading.md,"
                    + " \"Savepoints of older releases\")";
}
