package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.SessionChange;
import java.util.Random;
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

    /** Random values from fixed seeds, the same on every run. */
    static <T> T[] values(
            java.util.function.IntFunction<T[]> array,
            java.util.function.Function<Random, T> value) {
        return IntStream.range(0, 40)
                .mapToObj(seed -> value.apply(new Random(seed)))
                .toArray(array);
    }

    abstract static class FieldByField<T> extends SerializerTestBase<T> {
        FieldByField() {
            // also for the checks the base class runs in threads of their own
            super(
                    new DeeplyEqualsChecker()
                            .withCustomCheck(
                                    (a, b) -> a != null && b != null,
                                    (a, b, checker) -> fieldByField(a, b)));
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
        protected int getLength() {
            return -1;
        }
    }

    @Nested
    class OwnerStateContract extends FieldByField<OwnerState> {
        @Override
        protected TypeSerializer<OwnerState> createSerializer() {
            return OwnerStateSerializer.INSTANCE;
        }

        @Override
        protected Class<OwnerState> getTypeClass() {
            return OwnerState.class;
        }

        @Override
        protected OwnerState[] getTestData() {
            return values(OwnerState[]::new, OwnerStateSerializerTest::randomState);
        }
    }

    @Nested
    class InsertIdBucketContract extends FieldByField<DuplicateFilter> {
        @Override
        protected TypeSerializer<DuplicateFilter> createSerializer() {
            return InsertIdBucketSerializer.INSTANCE;
        }

        @Override
        protected Class<DuplicateFilter> getTypeClass() {
            return DuplicateFilter.class;
        }

        @Override
        protected DuplicateFilter[] getTestData() {
            return values(
                    DuplicateFilter[]::new,
                    r -> {
                        DuplicateFilter bucket = new DuplicateFilter();
                        for (int i = r.nextInt(40); i > 0; i--) {
                            bucket.add(r.nextLong(), r.nextLong());
                        }
                        return bucket;
                    });
        }
    }

    @Nested
    class SessionChangeContract extends FieldByField<SessionChange> {
        @Override
        protected TypeSerializer<SessionChange> createSerializer() {
            return SessionChangeSerializer.INSTANCE;
        }

        @Override
        protected Class<SessionChange> getTypeClass() {
            return SessionChange.class;
        }

        @Override
        protected SessionChange[] getTestData() {
            return values(
                    SessionChange[]::new,
                    r ->
                            r.nextInt(4) == 0
                                    ? SessionChangeSerializerTest.retraction(r)
                                    : SessionChangeSerializerTest.update(r));
        }
    }
}
