package com.sessionflow.session;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * A session's part of the sessionizer's state format, in plain Java beside the class it writes, so
 * that {@link Session} and {@link Fact} keep their state to this package. Each distinct string of
 * an owner's value is written once ({@link Strings}), times as variable-length differences from the
 * session's start, counts as variable-length numbers: a typical session takes a few dozen bytes.
 * The owner's value around it (its format byte, timer, insert ids, rate) is written by the
 * sessionizer's serializer.
 *
 * <p>Formats: 1 had no entry and exit events, contexts, device ids or count of events without a
 * session_id; its sessions are read without them, and {@link Session#completeOlderLayout} fills in
 * what is known. 2 and 3 write sessions alike.
 */
public final class SessionFormat {

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

    /**
     * The state format this release writes, the first byte of an owner's value: bump it (in the
     * owner's part or the session's) and keep reading the older ones.
     */
    public static final int CURRENT = 3;

    private SessionFormat() {}

    /** The strings of one value, each written in full once and referred to afterwards. */
    public interface Strings extends ContextFormat.StringWriter, ContextFormat.StringReader {}

    /** Writes a session of the current format. */
    public static void write(Session s, DataOutput out, Strings strings) throws IOException {
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
        Varints.writeSigned(out, start);
        Varints.writeSigned(out, s.endTime - start);
        Varints.writeSigned(out, s.sessionId - start);
        if ((flags & SDK_SESSION_ID) != 0) Varints.writeSigned(out, s.sdkSessionId - start);
        Varints.writeUnsigned(out, s.eventCount);
        Varints.writeUnsigned(out, s.activeEventCount);
        Varints.writeUnsigned(out, s.revision);
        strings.write(s.owner);
        strings.write(s.userId);
        strings.write(s.deviceId);
        strings.write(s.platform);
        strings.write(s.osName);
        strings.write(s.appVersion);
        strings.write(s.group);
        strings.write(s.firstEventType);
        strings.write(s.lastEventType);
        // by name, so that the enum may change order
        if ((flags & CLOSE_REASON) != 0) strings.write(s.closeReason.name());
        if (entryDiffers) {
            strings.write(s.entryEventType);
            Varints.writeSigned(out, s.entryTime - start);
        }
        if (exitDiffers) {
            strings.write(s.exitEventType);
            Varints.writeSigned(out, s.exitTime - start);
        }
        if ((flags & OTHER_DEVICES) != 0) {
            Varints.writeUnsigned(out, s.deviceIds.length);
            for (String id : s.deviceIds) strings.write(id);
        }
        if ((flags & SOME_WITHOUT_SESSION_ID) != 0) Varints.writeUnsigned(out, withoutId);
        if ((flags & ENTRY_CONTEXT) != 0) writeContext(out, s.entryContext, strings);
        if ((flags & EXIT_CONTEXT) != 0) writeContext(out, s.exitContext, strings);
        Varints.writeUnsigned(out, s.emittedIds.length);
        for (long id : s.emittedIds) Varints.writeSigned(out, id - s.sessionId);
        if ((flags & FACTS) != 0) {
            Varints.writeUnsigned(out, s.facts.length);
            for (Fact f : s.facts) {
                Varints.writeSigned(out, f.time - start);
                Varints.writeSigned(out, f.rank);
                Varints.writeSigned(out, f.gapMs);
                out.writeByte(
                        (f.marker ? FACT_MARKER : 0)
                                | (f.withoutSessionId ? FACT_WITHOUT_SESSION_ID : 0)
                                | (f.context != null ? FACT_CONTEXT : 0));
                strings.write(f.eventType);
                strings.write(f.userId);
                strings.write(f.deviceId);
                strings.write(f.platform);
                strings.write(f.osName);
                strings.write(f.appVersion);
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

    private static void writeContext(DataOutput out, EventContext c, Strings strings)
            throws IOException {
        ContextFormat.write(c, out, strings);
    }

    private static EventContext readContext(DataInput in, Strings strings) throws IOException {
        return ContextFormat.read(in, strings);
    }

    /** Reads a session written in {@code format} (1 and later). */
    public static Session read(DataInput in, Strings strings, int format) throws IOException {
        Session s = new Session();
        int flags = format == 1 ? in.readUnsignedByte() : in.readUnsignedShort();
        s.dirty = (flags & DIRTY) != 0;
        s.endsWithEndEvent = (flags & ENDS_WITH_END_EVENT) != 0;
        s.cutByMaxLength = (flags & CUT_BY_MAX_LENGTH) != 0;
        s.overRate = (flags & OVER_RATE) != 0;
        s.conversion = (flags & CONVERSION) != 0;
        long start = Varints.readSigned(in);
        s.startTime = start;
        s.endTime = start + Varints.readSigned(in);
        s.sessionId = start + Varints.readSigned(in);
        if ((flags & SDK_SESSION_ID) != 0) s.sdkSessionId = start + Varints.readSigned(in);
        s.eventCount = Varints.readUnsigned(in);
        s.activeEventCount = Varints.readUnsigned(in);
        s.revision = Varints.readCount(in);
        s.owner = strings.read();
        s.userId = strings.read();
        s.deviceId = strings.read();
        s.platform = strings.read();
        s.osName = strings.read();
        s.appVersion = strings.read();
        s.group = strings.read();
        s.firstEventType = strings.read();
        s.lastEventType = strings.read();
        if ((flags & CLOSE_REASON) != 0) s.closeReason = closeReason(strings.read());
        if (s.activeEventCount > 0 && format > 1) {
            s.entryEventType = s.firstEventType;
            s.entryTime = start;
            s.exitEventType = s.lastEventType;
            s.exitTime = s.endTime;
        }
        if ((flags & ENTRY_DIFFERS) != 0) {
            s.entryEventType = strings.read();
            s.entryTime = start + Varints.readSigned(in);
        }
        if ((flags & EXIT_DIFFERS) != 0) {
            s.exitEventType = strings.read();
            s.exitTime = start + Varints.readSigned(in);
        }
        // format 1: none (Session#completeOlderLayout, below, fills them in)
        if (format > 1) s.deviceIds = deviceIdsOf(s.deviceId);
        if ((flags & OTHER_DEVICES) != 0) {
            s.deviceIds = new String[Varints.readCount(in)];
            for (int i = 0; i < s.deviceIds.length; i++) s.deviceIds[i] = strings.read();
        }
        if ((flags & ALL_WITHOUT_SESSION_ID) != 0) s.eventsWithoutSessionId = s.eventCount;
        if ((flags & SOME_WITHOUT_SESSION_ID) != 0)
            s.eventsWithoutSessionId = Varints.readUnsigned(in);
        if ((flags & ENTRY_CONTEXT) != 0) s.entryContext = readContext(in, strings);
        s.exitContext = s.entryContext;
        if ((flags & EXIT_CONTEXT) != 0) s.exitContext = readContext(in, strings);
        s.emittedIds = new long[Varints.readCount(in)];
        for (int i = 0; i < s.emittedIds.length; i++) {
            s.emittedIds[i] = s.sessionId + Varints.readSigned(in);
        }
        if ((flags & FACTS) != 0) {
            s.facts = new Fact[Varints.readCount(in)];
            for (int i = 0; i < s.facts.length; i++) {
                Fact f = new Fact();
                f.time = start + Varints.readSigned(in);
                f.rank = (int) Varints.readSigned(in);
                f.gapMs = Varints.readSigned(in);
                int factFlags = in.readUnsignedByte();
                f.marker = (factFlags & FACT_MARKER) != 0;
                f.withoutSessionId = (factFlags & FACT_WITHOUT_SESSION_ID) != 0;
                f.eventType = strings.read();
                f.userId = strings.read();
                f.deviceId = strings.read();
                f.platform = strings.read();
                f.osName = strings.read();
                f.appVersion = strings.read();
                if ((factFlags & FACT_CONTEXT) != 0) f.context = readContext(in, strings);
                s.facts[i] = f;
            }
        }
        if (format == 1) s.completeOlderLayout();
        return s;
    }

    private static CloseReason closeReason(String name) throws IOException {
        try {
            return CloseReason.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("unknown close reason " + name, e);
        }
    }

    /**
     * Writes a session record as it crosses the network between operators, without its owner,
     * session id and group (the change around it has them).
     */
    public static void writeRecord(SessionRecord r, DataOutput out, Strings strings)
            throws IOException {
        strings.write(r.userId);
        strings.write(r.deviceId);
        strings.write(r.platform);
        strings.write(r.osName);
        strings.write(r.appVersion);
        out.writeLong(r.sdkSessionId);
        out.writeLong(r.startTime);
        out.writeLong(r.endTime);
        out.writeLong(r.eventCount);
        out.writeLong(r.activeEventCount);
        strings.write(r.firstEventType);
        strings.write(r.lastEventType);
        strings.write(r.entryEventType);
        strings.write(r.exitEventType);
        ContextFormat.write(r.entryContext, out, strings);
        ContextFormat.write(r.exitContext, out, strings);
        out.writeInt(r.deviceIds.size());
        for (String id : r.deviceIds) strings.write(id);
        out.writeLong(r.eventsWithoutSessionId);
        out.writeBoolean(r.overRate);
        out.writeBoolean(r.conversion);
        out.writeInt(r.revision);
        strings.write(r.closeReason == null ? null : r.closeReason.name());
    }

    /** Reads a record that {@link #writeRecord} wrote. */
    public static SessionRecord readRecord(
            String owner, long sessionId, String group, DataInput in, Strings strings)
            throws IOException {
        // a record is only ever made from a session: read one and take its version
        Session s = new Session();
        s.owner = owner;
        s.sessionId = sessionId;
        s.group = group;
        s.userId = strings.read();
        s.deviceId = strings.read();
        s.platform = strings.read();
        s.osName = strings.read();
        s.appVersion = strings.read();
        s.sdkSessionId = in.readLong();
        s.startTime = in.readLong();
        s.endTime = in.readLong();
        s.eventCount = in.readLong();
        s.activeEventCount = in.readLong();
        s.firstEventType = strings.read();
        s.lastEventType = strings.read();
        s.entryEventType = strings.read();
        s.exitEventType = strings.read();
        s.entryContext = ContextFormat.read(in, strings);
        s.exitContext = ContextFormat.read(in, strings);
        s.deviceIds = new String[in.readInt()];
        for (int i = 0; i < s.deviceIds.length; i++) s.deviceIds[i] = strings.read();
        s.eventsWithoutSessionId = in.readLong();
        s.overRate = in.readBoolean();
        s.conversion = in.readBoolean();
        s.revision = in.readInt();
        String closeReason = strings.read();
        s.closeReason = closeReason == null ? null : CloseReason.valueOf(closeReason);
        return s.toRecord();
    }
}
