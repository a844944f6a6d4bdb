package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.EventContext;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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

    /** Every close reason, and none. */
    static final List<CloseReason> REASONS = new ArrayList<>(EnumSet.allOf(CloseReason.class));

    static {
        REASONS.add(null);
    }

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
        Session s = new Session();
        s.owner = pick(r);
        s.userId = pick(r);
        s.deviceId = pick(r);
        s.platform = pick(r);
        s.osName = pick(r);
        s.appVersion = pick(r);
        s.sessionId = r.nextLong();
        s.sdkSessionId = r.nextLong();
        s.group = pick(r);
        s.startTime = s.sessionId;
        s.endTime = r.nextLong();
        s.eventCount = r.nextLong();
        s.activeEventCount = r.nextLong();
        s.firstEventType = pick(r);
        s.lastEventType = pick(r);
        s.entryEventType = pick(r);
        s.exitEventType = pick(r);
        s.entryContext = context(r);
        s.exitContext = context(r);
        s.deviceIds =
                r.ints(r.nextInt(3), 1, STRINGS.length)
                        .mapToObj(i -> STRINGS[i])
                        .toArray(String[]::new);
        s.eventsWithoutSessionId = r.nextLong();
        s.overRate = r.nextBoolean();
        s.conversion = r.nextBoolean();
        s.revision = r.nextInt();
        s.closeReason = REASONS.get(r.nextInt(REASONS.size()));
        return SessionChange.update(s.toRecord());
    }

    /** A context with some of its fields and, now and then, chosen properties; or none. */
    static EventContext context(Random r) {
        if (r.nextInt(4) == 0) return null;
        String[] fields = new String[EventContext.FIELD_NAMES.size()];
        for (int i = 0; i < fields.length; i++) fields[i] = r.nextBoolean() ? pick(r) : null;
        fields[r.nextInt(fields.length)] = "x";
        String[] properties = null;
        if (r.nextBoolean()) {
            properties = new String[1 + r.nextInt(3)];
            for (int i = 0; i < properties.length; i++) properties[i] = pick(r);
        }
        return EventContext.of(fields, properties);
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
