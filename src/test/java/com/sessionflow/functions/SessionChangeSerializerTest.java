package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.session.SessionChange;
import com.sessionflow.session.TestSessions;
import java.io.IOException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The changelog's serializer: every field of updates and retractions survives the network. */
class SessionChangeSerializerTest {

    static final SessionChangeSerializer SERIALIZER = SessionChangeSerializer.INSTANCE;

    static final String[] STRINGS = {null, "", "u-8d2f6a0e", "iOS", "view_item", "ünïcødé ✓"};

    @Property(tries = 300)
    void updatesAndRetractionsSurviveARoundTrip(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        SessionChange change = r.nextInt(4) == 0 ? retraction(r) : update(r);
        byte[] bytes = bytes(change);
        SessionChange back = SERIALIZER.deserialize(new DataInputDeserializer(bytes));
        assertThat(back).usingRecursiveComparison().isEqualTo(change);
        assertThat(bytes(back)).isEqualTo(bytes);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        SERIALIZER.copy(new DataInputDeserializer(bytes), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
    }

    @Test
    void copiesAreTheSameImmutableInstanceAndTheTypeUsesThisSerializer() {
        SessionChange change = update(new Random(1));
        assertThat(SERIALIZER.isImmutableType()).isTrue();
        assertThat(SERIALIZER.copy(change)).isSameAs(change);
        assertThat(SessionChangeSerializer.TYPE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(SERIALIZER);
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatible() {
        TypeSerializerSnapshot<SessionChange> snapshot = SERIALIZER.snapshotConfiguration();
        assertThat(snapshot.restoreSerializer()).isSameAs(SERIALIZER);
        assertThat(
                        SERIALIZER
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(snapshot)
                                .isCompatibleAsIs())
                .isTrue();
    }

    static SessionChange update(Random r) {
        return SessionChange.update(TestSessions.random(r).toRecord());
    }

    static SessionChange retraction(Random r) {
        return SessionChange.retraction(pick(r), r.nextLong(), pick(r));
    }

    static String pick(Random r) {
        return STRINGS[r.nextInt(STRINGS.length)];
    }

    static byte[] bytes(SessionChange c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(c, out);
        return out.getCopyOfBuffer();
    }
}
