package com.sessionflow.functions;

import static com.sessionflow.session.Varints.readCount;
import static com.sessionflow.session.Varints.readSigned;
import static com.sessionflow.session.Varints.readUnsigned;
import static com.sessionflow.session.Varints.writeSigned;
import static com.sessionflow.session.Varints.writeUnsigned;

import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
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

    /** The format of values this serializer writes. */
    static final int FORMAT = SessionFormat.CURRENT;

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
        return FormatCopy.of(this, from);
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
        WholeValueWrites.write(state, out, OwnerStateSerializer::write);
    }

    private static void write(OwnerState state, DataOutputView out) throws IOException {
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
        if ((flags & SEEN) != 0) state.seen.writeTo(out);
        if ((flags & RATE) != 0) {
            writeSigned(out, state.rate.minute());
            writeUnsigned(out, state.rate.count());
        }
        Strings strings = Strings.writingTo(out);
        writeUnsigned(out, state.sessions.length);
        for (Session s : state.sessions) SessionFormat.write(s, out, strings);
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
        if ((flags & SEEN) != 0) state.seen = DuplicateFilter.readFrom(in);
        if ((flags & RATE) != 0) {
            long minute = readSigned(in);
            state.rate = EventRate.of(minute, readCount(in));
        }
        Strings strings = Strings.readingFrom(in);
        Session[] sessions = new Session[readCount(in)];
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = SessionFormat.read(in, strings, format);
        }
        state.sessions = sessions;
        return state;
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
    private static final class Strings implements SessionFormat.Strings {
        private final DataOutputView out;
        private final DataInputView in;
        // the strings written so far and their numbers, by open addressing: a HashMap's nodes,
        // boxes and resizes were a third of the cost of writing an owner's value
        private String[] written;
        private int[] numbers;
        private int count;
        private List<String> read;

        private Strings(DataOutputView out, DataInputView in) {
            this.out = out;
            this.in = in;
        }

        static Strings writingTo(DataOutputView out) {
            Strings strings = new Strings(out, null);
            strings.written = new String[32];
            strings.numbers = new int[32];
            return strings;
        }

        static Strings readingFrom(DataInputView in) {
            Strings strings = new Strings(null, in);
            strings.read = new ArrayList<>();
            return strings;
        }

        @Override
        public void write(String s) throws IOException {
            if (s == null) {
                writeUnsigned(out, 0);
                return;
            }
            int slot = slotOf(s);
            if (written[slot] != null) {
                writeUnsigned(out, numbers[slot] + 2);
                return;
            }
            written[slot] = s;
            numbers[slot] = count++;
            if (count * 2 > written.length) grow();
            writeUnsigned(out, 1);
            StringValue.writeString(s, out);
        }

        /** Where {@code s} is in the table, or the free slot where it goes. */
        private int slotOf(String s) {
            int mask = written.length - 1;
            int h = s.hashCode() * 0x9E3779B9;
            int i = (h ^ (h >>> 16)) & mask;
            while (written[i] != null && !written[i].equals(s)) {
                i = (i + 1) & mask;
            }
            return i;
        }

        private void grow() {
            String[] strings = written;
            int[] numbered = numbers;
            written = new String[strings.length * 2];
            numbers = new int[strings.length * 2];
            for (int i = 0; i < strings.length; i++) {
                if (strings[i] == null) continue;
                int slot = slotOf(strings[i]);
                written[slot] = strings[i];
                numbers[slot] = numbered[i];
            }
        }

        @Override
        public String read() throws IOException {
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
