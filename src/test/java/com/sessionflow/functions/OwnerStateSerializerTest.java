package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.Session;
import com.sessionflow.session.TestSessions;
import java.io.IOException;
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
            state.sessions[i] = TestSessions.typical(i, t);
        }
        state.pendingTimer = t + 4_000_000;
        state.rate = EventRate.of(t + 3_000_000, 7);
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
        assertThat(s)
                .extracting("userId")
                .as("the second string is a reference to the first")
                .isEqualTo("u");
        assertThat(s)
                .extracting(
                        "group",
                        "startTime",
                        "endTime",
                        "entryEventType",
                        "entryTime",
                        "exitEventType",
                        "exitTime",
                        "entryContext",
                        "eventsWithoutSessionId")
                .containsExactly(null, 1000L, 1500L, "a", 1000L, "b", 1500L, null, 0L);
        assertThat(s).extracting("deviceIds").isEqualTo(new String[] {"d"});
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
        if (r.nextBoolean()) state.pendingTimer = TestSessions.number(r);
        if (r.nextBoolean()) state.insertIdSweep = TestSessions.number(r);
        // the buckets' bits and count are kept while there is a sweep
        if (state.insertIdSweep != InsertIds.NONE) {
            state.insertIdBits = r.nextInt(22) - 1;
            state.insertIdSplit = r.nextInt(1 << 20);
            state.bucketedInsertIds = r.nextInt(Integer.MAX_VALUE);
        }
        if (r.nextBoolean()) {
            DuplicateFilter seen = new DuplicateFilter();
            int n = r.nextInt(70);
            for (int i = 0; i < n; i++) seen.add(r.nextLong(), TestSessions.number(r));
            state.seen = seen;
        }
        if (r.nextBoolean()) {
            state.rate =
                    EventRate.of(
                            r.nextBoolean() ? TestSessions.number(r) : EventRate.NO_MINUTE,
                            r.nextInt(Integer.MAX_VALUE));
        }
        // now and then a busy owner: hundreds of distinct strings in one value
        state.sessions = new Session[r.nextInt(10) == 0 ? 20 + r.nextInt(40) : r.nextInt(6)];
        for (int i = 0; i < state.sessions.length; i++) state.sessions[i] = TestSessions.random(r);
        return state;
    }
}
