package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.PartitionClock;
import com.sessionflow.event.Rejection;
import com.sessionflow.session.DeviceLink;
import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.TestSessions;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Nested;

/**
 * Each serializer of our own against Flink's contract ({@link SerializerTestBase}): copies,
 * serialization alone and in sequences, reuse, duplication, its snapshot restoring it, and null
 * handling. Values are compared field by field (the state classes have no equals).
 */
class SerializerContractTest {

    /**
     * The contract for one serializer, on 40 random values from fixed seeds (the same on every
     * run).
     */
    abstract static class Contract<T> extends SerializerTestBase<T> {
        private final TypeSerializer<T> serializer;
        private final Class<T> type;
        private final IntFunction<T[]> array;
        private final Function<Random, T> value;

        Contract(
                TypeSerializer<T> serializer,
                Class<T> type,
                IntFunction<T[]> array,
                Function<Random, T> value) {
            // also for the checks the base class runs in threads of their own
            super(
                    new DeeplyEqualsChecker()
                            .withCustomCheck(
                                    (a, b) -> a != null && b != null,
                                    (a, b, checker) -> fieldByField(a, b)));
            this.serializer = serializer;
            this.type = type;
            this.array = array;
            this.value = value;
        }

        static boolean fieldByField(Object a, Object b) {
            try {
                assertThat(b).usingRecursiveComparison().isEqualTo(a);
                return true;
            } catch (AssertionError e) {
                return false;
            }
        }

        @Override
        protected void deepEquals(String message, T should, T is) {
            assertThat(is).as(message).usingRecursiveComparison().isEqualTo(should);
        }

        @Override
        protected TypeSerializer<T> createSerializer() {
            return serializer;
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<T> getTypeClass() {
            return type;
        }

        @Override
        protected T[] getTestData() {
            return IntStream.range(0, 40)
                    .mapToObj(seed -> value.apply(new Random(seed)))
                    .toArray(array);
        }
    }

    @Nested
    class OwnerStateContract extends Contract<OwnerState> {
        OwnerStateContract() {
            super(
                    OwnerStateSerializer.INSTANCE,
                    OwnerState.class,
                    OwnerState[]::new,
                    OwnerStateSerializerTest::randomState);
        }
    }

    @Nested
    class InsertIdBucketContract extends Contract<DuplicateFilter> {
        InsertIdBucketContract() {
            super(
                    InsertIdBucketSerializer.INSTANCE,
                    DuplicateFilter.class,
                    DuplicateFilter[]::new,
                    r -> {
                        DuplicateFilter bucket = new DuplicateFilter();
                        for (int i = r.nextInt(40); i > 0; i--)
                            bucket.add(r.nextLong(), r.nextLong());
                        return bucket;
                    });
        }
    }

    @Nested
    class SessionChangeContract extends Contract<SessionChange> {
        SessionChangeContract() {
            super(
                    SessionChangeSerializer.INSTANCE,
                    SessionChange.class,
                    SessionChange[]::new,
                    r ->
                            r.nextInt(4) == 0
                                    ? SessionChangeSerializerTest.retraction(r)
                                    : SessionChangeSerializerTest.update(r));
        }
    }

    @Nested
    class ClaimedSessionContract extends Contract<Session> {
        ClaimedSessionContract() {
            super(
                    ClaimedSessionSerializer.INSTANCE,
                    Session.class,
                    Session[]::new,
                    TestSessions::random);
        }
    }

    @Nested
    class DeviceLinkContract extends Contract<DeviceLink> {
        DeviceLinkContract() {
            super(
                    DeviceLinkSerializer.INSTANCE,
                    DeviceLink.class,
                    DeviceLink[]::new,
                    r ->
                            new DeviceLink(
                                    "device-" + r.nextInt(), "user-" + r.nextInt(), r.nextLong()));
        }
    }

    @Nested
    class EventContract extends Contract<Event> {
        EventContract() {
            super(EventSerializer.INSTANCE, Event.class, Event[]::new, EventContract::randomEvent);
        }

        static Event randomEvent(Random r) {
            Event e = new Event();
            e.userId = r.nextBoolean() ? "user-" + r.nextInt(100) : null;
            e.deviceId = r.nextBoolean() ? "device-" + r.nextInt() : null;
            // the serializer writes an owner equal to either id as one byte
            e.owner =
                    switch (r.nextInt(3)) {
                        case 0 -> e.userId;
                        case 1 -> e.deviceId;
                        default -> "owner-" + r.nextInt(100);
                    };
            e.eventType = "type-" + r.nextInt(5);
            e.time = r.nextLong();
            e.sdkSessionId = r.nextBoolean() ? Event.NO_SESSION_ID : r.nextLong();
            e.insertId = r.nextBoolean() ? "insert-" + r.nextLong() : null;
            e.platform = r.nextBoolean() ? "iOS" : null;
            e.osName = r.nextBoolean() ? "ios" : null;
            e.appVersion = r.nextBoolean() ? "2." + r.nextInt(9) : null;
            e.sessionProperty = r.nextBoolean() ? "plan-" + r.nextInt(3) : null;
            e.context = r.nextBoolean() ? TestSessions.context(r) : null;
            e.sourceTopic = "events";
            e.sourcePartition = r.nextInt(12);
            e.sourceOffset = r.nextLong();
            return e;
        }
    }

    @Nested
    class ParsedRecordContract extends Contract<ParsedRecord> {
        ParsedRecordContract() {
            super(
                    ParsedRecordSerializer.INSTANCE,
                    ParsedRecord.class,
                    ParsedRecord[]::new,
                    ParsedRecordContract::randomRecord);
        }

        static ParsedRecord randomRecord(Random r) {
            return switch (r.nextInt(3)) {
                case 0 -> ParsedRecord.of(EventContract.randomEvent(r));
                case 1 -> {
                    DeadLetter d = new DeadLetter();
                    d.reason = r.nextBoolean() ? Rejection.NOT_JSON : Rejection.BAD_FIELD;
                    d.detail = r.nextBoolean() ? "detail-" + r.nextInt() : null;
                    d.originalKey = r.nextBoolean() ? new byte[] {(byte) r.nextInt()} : null;
                    d.originalValue = new byte[r.nextInt(20)];
                    r.nextBytes(d.originalValue);
                    d.topic = "events";
                    d.partition = r.nextInt(12);
                    d.offset = r.nextLong();
                    d.timestamp = r.nextLong();
                    yield ParsedRecord.of(d);
                }
                default -> ParsedRecord.of(new PartitionClock(r.nextLong(), r.nextLong()));
            };
        }
    }

    @Nested
    class StringKeyContract extends Contract<String> {
        StringKeyContract() {
            super(
                    StringKeySerializer.INSTANCE,
                    String.class,
                    String[]::new,
                    r -> r.nextBoolean() ? "user-" + r.nextInt() : "device-é-" + r.nextLong());
        }
    }
}
