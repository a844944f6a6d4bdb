package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.event.Event;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.Fact;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.Session;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/**
 * The owner's state format: every field survives, whatever the values (random owners with every
 * optional part and extreme numbers), and a typical owner takes a fraction of the POJO format.
 */
class OwnerStateSerializerTest {

    static final OwnerStateSerializer SERIALIZER = OwnerStateSerializer.INSTANCE;

    static final String[] STRINGS = {
        "8d2f6a0e-4b1c-4e7a-9a55-0c3f1d2b7e91",
        "device-7f3a",
        "iOS",
        "Android",
        "Web",
        "17.4",
        "view_item",
        "session_start",
        "",
        "ünïcødé ✓",
        "inferred"
    };

    @Property(tries = 300)
    void everyFieldSurvivesARoundTrip(@ForAll long seed) throws IOException {
        OwnerState state = randomState(new Random(seed));
        byte[] bytes = bytes(state);
        OwnerState back = read(bytes);
        assertThat(back).usingRecursiveComparison().isEqualTo(state);
        assertThat(bytes(back)).isEqualTo(bytes);
        assertThat(SERIALIZER.copy(state)).usingRecursiveComparison().isEqualTo(state);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        SERIALIZER.copy(new DataInputDeserializer(bytes), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
    }

    @Test
    void anEmptyOwnerIsThreeBytesAndSurvives() throws IOException {
        OwnerState empty = new OwnerState();
        assertThat(bytes(empty)).hasSize(3);
        assertThat(read(bytes(empty))).usingRecursiveComparison().isEqualTo(empty);
    }

    @Test
    void aTypicalOwnerTakesUnderAHundredBytesASession() throws IOException {
        // three sessions of one user on one device, an hour apart, as the defaults hold them
        OwnerState state = new OwnerState();
        long t = 1_793_527_200_000L;
        state.sessions = new Session[3];
        for (int i = 0; i < 3; i++) {
            Session s = new Session();
            s.owner = STRINGS[0];
            s.userId = STRINGS[0];
            s.deviceId = "device-" + STRINGS[0];
            s.platform = "iOS";
            s.osName = "ios";
            s.appVersion = "17.4.1";
            s.startTime = t + i * 1_500_000L;
            s.sessionId = s.startTime;
            s.endTime = s.startTime + 245_000;
            s.eventCount = 14;
            s.activeEventCount = 13;
            s.firstEventType = "session_start";
            s.lastEventType = "view_item";
            s.revision = i < 2 ? 1 : 0;
            s.dirty = i == 2;
            s.emittedIds = i < 2 ? new long[] {s.sessionId} : new long[0];
            s.closeReason = i < 2 ? CloseReason.GAP : null;
            state.sessions[i] = s;
        }
        state.pendingTimer = t + 4_000_000;
        state.rate = new EventRate();
        state.rate.minute = t + 3_000_000;
        state.rate.count = 7;
        int ours = bytes(state).length;
        System.out.printf("owner with 3 sessions: %d bytes%n", ours);
        assertThat(ours / 3).as("bytes per session").isLessThan(100);
    }

    @Test
    void aFormatOneValueIsCompletedWithTheFirstAndLastEventAsEntryAndExit() throws IOException {
        // format 1, no owner flags, one dirty session: start 1000, end +500, id +0, 3 events (2
        // active), revision 0, then owner "u", user "u" (a reference), device "d", platform,
        // os, app version, group null, first and last type, no emitted ids
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.write(new byte[] {1, 0, 1, 1});
        out.write(new byte[] {(byte) 0xD0, 0x0F, (byte) 0xE8, 0x07, 0, 3, 2, 0});
        writeNew(out, "u");
        out.writeByte(2); // the user id: a reference to string 0
        for (String text : new String[] {"d", "iOS", "ios", "1.0"}) writeNew(out, text);
        out.writeByte(0); // no group
        writeNew(out, "a");
        writeNew(out, "b");
        out.writeByte(0);
        Session s = read(out.getCopyOfBuffer()).sessionList().get(0);
        assertThat(s.userId).as("the second string is a reference to the first").isEqualTo("u");
        assertThat(s.group).isNull();
        assertThat(s.startTime).isEqualTo(1000);
        assertThat(s.endTime).isEqualTo(1500);
        assertThat(new Object[] {s.entryEventType, s.entryTime, s.exitEventType, s.exitTime})
                .containsExactly("a", 1000L, "b", 1500L);
        assertThat(s.deviceIds).containsExactly("d");
        assertThat(s.entryContext).isNull();
        assertThat(s.eventsWithoutSessionId).isZero();
        // written again, it is a value of the current format that reads back the same
        assertThat(read(bytes(read(out.getCopyOfBuffer()))))
                .usingRecursiveComparison()
                .isEqualTo(read(out.getCopyOfBuffer()));
        assertThat(bytes(read(out.getCopyOfBuffer()))[0])
                .isEqualTo((byte) OwnerStateSerializer.FORMAT);
    }

    private static void writeNew(DataOutputSerializer out, String text) throws IOException {
        out.writeByte(1);
        StringValue.writeString(text, out);
    }

    @Test
    void aFormatTwoOwnerWithASweepHasItsInsertIdsInTheOlderLayout() throws IOException {
        // format 2, owner flags: a sweep at 5000 (zig-zag 10000), no sessions
        byte[] value = {2, 2, (byte) 0x90, 0x4E, 0};
        OwnerState state = read(value);
        assertThat(state.insertIdSweep).isEqualTo(5000);
        assertThat(state.insertIdBits).isEqualTo(InsertIds.OLDER_LAYOUT);
        assertThat(read(bytes(state)).insertIdBits)
                .as("kept until the owner is next seen")
                .isEqualTo(InsertIds.OLDER_LAYOUT);
    }

    @Test
    void aValueOfAnUnknownFormatIsRefusedWithItsNumber() {
        assertThatThrownBy(() -> read(new byte[] {9, 0, 0}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format 9");
    }

    static byte[] bytes(OwnerState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(state, out);
        return out.getCopyOfBuffer();
    }

    static OwnerState read(byte[] bytes) throws IOException {
        return SERIALIZER.deserialize(new DataInputDeserializer(bytes));
    }

    static OwnerState randomState(Random r) {
        OwnerState state = new OwnerState();
        if (r.nextBoolean()) state.pendingTimer = number(r);
        if (r.nextBoolean()) state.insertIdSweep = number(r);
        // the buckets' bits and count are kept while there is a sweep
        if (state.insertIdSweep != InsertIds.NONE) {
            state.insertIdBits = r.nextInt(22) - 1;
            state.insertIdSplit = r.nextInt(1 << 20);
            state.bucketedInsertIds = r.nextInt(Integer.MAX_VALUE);
        }
        if (r.nextBoolean()) {
            DuplicateFilter seen = new DuplicateFilter();
            int n = r.nextInt(70);
            seen.hashes = new long[n];
            seen.times = new long[n];
            for (int i = 0; i < n; i++) {
                seen.hashes[i] = r.nextLong();
                seen.times[i] = number(r);
            }
            state.seen = seen;
        }
        if (r.nextBoolean()) {
            state.rate = new EventRate();
            if (r.nextBoolean()) state.rate.minute = number(r);
            state.rate.count = r.nextInt(Integer.MAX_VALUE);
        }
        state.sessions = new Session[r.nextInt(6)];
        for (int i = 0; i < state.sessions.length; i++) state.sessions[i] = randomSession(r);
        return state;
    }

    // a random pick among the constants: any fixed order of values() will do
    @SuppressWarnings("EnumOrdinal")
    static Session randomSession(Random r) {
        Session s = new Session();
        s.owner = string(r);
        s.userId = string(r);
        s.deviceId = string(r);
        s.platform = string(r);
        s.osName = string(r);
        s.appVersion = string(r);
        s.group = string(r);
        s.firstEventType = string(r);
        s.lastEventType = string(r);
        s.startTime = number(r);
        s.endTime = number(r);
        s.sessionId = number(r);
        s.sdkSessionId = r.nextBoolean() ? Event.NO_SESSION_ID : number(r);
        s.eventCount = r.nextBoolean() ? r.nextInt(100) : Long.MAX_VALUE;
        s.activeEventCount = r.nextInt(100);
        s.revision = r.nextInt(1000);
        s.dirty = r.nextBoolean();
        s.endsWithEndEvent = r.nextBoolean();
        s.cutByMaxLength = r.nextBoolean();
        s.overRate = r.nextBoolean();
        s.conversion = r.nextBoolean();
        s.closeReason =
                r.nextBoolean()
                        ? null
                        : CloseReason.values()[r.nextInt(CloseReason.values().length)];
        s.emittedIds = new long[r.nextInt(4)];
        for (int i = 0; i < s.emittedIds.length; i++) s.emittedIds[i] = number(r);
        Arrays.sort(s.emittedIds);
        if (s.activeEventCount > 0) {
            // the entry and exit are the first and last event, or others
            s.entryEventType = r.nextBoolean() ? s.firstEventType : string(r);
            s.entryTime = r.nextBoolean() ? s.startTime : number(r);
            s.exitEventType = r.nextBoolean() ? s.lastEventType : string(r);
            s.exitTime = r.nextBoolean() ? s.endTime : number(r);
            s.entryContext = SessionChangeSerializerTest.context(r);
            s.exitContext =
                    switch (r.nextInt(3)) {
                        case 0 -> s.entryContext;
                        case 1 -> SessionChangeSerializerTest.context(r);
                        default -> null;
                    };
        }
        s.deviceIds =
                r.nextBoolean()
                        ? (s.deviceId == null ? new String[0] : new String[] {s.deviceId})
                        : r.ints(r.nextInt(4), 0, STRINGS.length)
                                .mapToObj(i -> STRINGS[i])
                                .distinct()
                                .sorted()
                                .toArray(String[]::new);
        s.eventsWithoutSessionId =
                switch (r.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> s.eventCount;
                    default -> r.nextInt(100);
                };
        if (r.nextBoolean()) {
            s.facts = new Fact[r.nextInt(5)];
            for (int i = 0; i < s.facts.length; i++) {
                Fact f = new Fact();
                f.time = number(r);
                f.rank = r.nextInt(5) - 2;
                f.gapMs = number(r);
                f.marker = r.nextBoolean();
                f.eventType = string(r);
                f.userId = string(r);
                f.deviceId = string(r);
                f.platform = string(r);
                f.osName = string(r);
                f.appVersion = string(r);
                f.withoutSessionId = r.nextBoolean();
                f.context = SessionChangeSerializerTest.context(r);
                s.facts[i] = f;
            }
        }
        return s;
    }

    /** Mostly realistic epoch milliseconds, sometimes the extremes. */
    static long number(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> r.nextLong();
            default -> 1_700_000_000_000L + r.nextInt(1_000_000_000);
        };
    }

    static String string(Random r) {
        int i = r.nextInt(STRINGS.length + 2);
        if (i == STRINGS.length) return null;
        if (i == STRINGS.length + 1) return "x" + r.nextInt(1000);
        return STRINGS[i];
    }
}
