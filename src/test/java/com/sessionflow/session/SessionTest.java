package com.sessionflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.reference.TestEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Session summaries merge in any order to the same result. */
class SessionTest {

    static final List<String> TYPES = List.of("a", "b", "click", "session_start", "session_end");

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<Event> event =
                Combinators.combine(Arbitraries.longs().between(1000, 1020), Arbitraries.of(TYPES))
                        .as(
                                (time, type) ->
                                        TestEvents.at("u", time)
                                                .type(type)
                                                // the first event's attributes are defined by
                                                // (time, type): no unspecified ties
                                                .platform("p" + (time + type).hashCode() % 3)
                                                .user("u" + time)
                                                .build());
        return event.list().ofMinSize(1).ofMaxSize(8);
    }

    static Session fold(List<Event> events) {
        Session s = null;
        for (Event e : events) {
            Session one = Session.of(e, ReferenceSessionizer.DEFAULT_MARKERS.contains(e.eventType));
            if (s == null) s = one;
            else s.absorb(one);
        }
        return s;
    }

    /** Folds the events as a balanced tree of merges in a random shape. */
    static Session tree(List<Event> events, Random random) {
        if (events.size() == 1) {
            Event e = events.get(0);
            return Session.of(e, ReferenceSessionizer.DEFAULT_MARKERS.contains(e.eventType));
        }
        int cut = 1 + random.nextInt(events.size() - 1);
        Session left = tree(events.subList(0, cut), random);
        Session right = tree(events.subList(cut, events.size()), random);
        if (random.nextBoolean()) {
            left.absorb(right);
            return left;
        }
        right.absorb(left);
        return right;
    }

    @Property(tries = 300)
    void absorbIsOrderFree(@ForAll("events") List<Event> events, @ForAll long seed) {
        Random random = new Random(seed);
        List<Event> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, random);
        ExpectedSession expected = ReferenceSessionizer.sessionize(events, 1000).get(0);
        assertThat(ExpectedSession.of(fold(events).toRecord())).isEqualTo(expected);
        assertThat(ExpectedSession.of(fold(shuffled).toRecord())).isEqualTo(expected);
        assertThat(ExpectedSession.of(tree(shuffled, random).toRecord())).isEqualTo(expected);
    }

    @Test
    void absorbKeepsTheHighestRevisionAndAllEmittedIds() {
        Session ab = emitted(1000, 3);
        ab.absorb(emitted(1050, 1));
        Session ba = emitted(1050, 1);
        ba.absorb(emitted(1000, 3));
        for (Session s : List.of(ab, ba)) {
            assertThat(s.revision).isEqualTo(3);
            assertThat(s.emittedIds).containsExactly(1000L, 1050L);
            assertThat(s.sessionId).isEqualTo(1000);
            assertThat(s.dirty).isFalse();
        }
        assertThat(ab).isEqualTo(ba);
    }

    @Test
    void aConversionEventMarksItsSessionAndSurvivesMerges() {
        SessionDefinition d =
                SessionDefinition.builder().conversionTypes(java.util.Set.of("purchase")).build();
        Event purchase = TestEvents.event(2000);
        purchase.eventType = "purchase";
        Session bought = Session.of(purchase, d);
        Session browsed = Session.of(TestEvents.event(1000), d);
        assertThat(bought.conversion).isTrue();
        assertThat(browsed.conversion).isFalse();
        browsed.absorb(bought);
        assertThat(browsed.conversion).isTrue();
        assertThat(browsed.toRecord().conversion).isTrue();
    }

    /** A session of one event at {@code time}, emitted under its own id at {@code revision}. */
    static Session emitted(long time, int revision) {
        Session s = Session.of(TestEvents.event(time), false);
        s.revision = revision;
        s.emittedIds = new long[] {time};
        s.dirty = false;
        return s;
    }

    @Test
    void lengthIsNeverNegative() {
        Session s = Session.of(TestEvents.event(1000), false);
        s.sessionId = 2000; // an SDK session id after the events
        assertThat(s.toRecord().lengthMs()).isZero();
        assertThat(s.toRecord().isZeroLength()).isTrue();
    }
}
