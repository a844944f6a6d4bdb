package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.session.IdentityMerge;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.testing.AmplitudeJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The linker of {@code --identity merged} in Flink's operator harness: Amplitude's scenarios one by
 * one, and random traffic through the linker and the sessionizer against the reference's identity
 * rules and sessions.
 */
class LinkDevicesFunctionTest {

    static final long GAP = 100;
    static final long LATENESS = 1_000;
    static final long LONG_HOLD = 1_000_000;
    static final OwnerTimeline TIMELINE =
            new OwnerTimeline(
                    SessionDefinition.builder().gap(Duration.ofMillis(GAP)).build(), LATENESS);

    /** The linker, with what it emitted: owners in order, and the events for the next operator. */
    static final class Linker implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, Event, Event> harness;
        int read;

        Linker() throws Exception {
            this(TIMELINE);
        }

        Linker(OwnerTimeline timeline) throws Exception {
            harness =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new KeyedProcessOperator<>(
                                    new LinkDevicesFunction(new IdentityMerge(timeline))),
                            LinkDevicesFunction::keyOf,
                            Types.STRING);
            harness.open();
        }

        Linker event(Event e) throws Exception {
            harness.processElement(e, e.time);
            return this;
        }

        Linker watermark(long w) throws Exception {
            harness.processWatermark(w);
            return this;
        }

        /** What came out since the last call: events and watermarks, in order. */
        List<Object> drain() {
            List<Object> out = new ArrayList<>(harness.getOutput());
            List<Object> fresh = new ArrayList<>(out.subList(read, out.size()));
            read = out.size();
            return fresh;
        }

        /** "type:owner" of every event emitted so far, in order. */
        List<String> owners() {
            List<String> owners = new ArrayList<>();
            for (Object o : harness.getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof Event e) {
                    owners.add(e.eventType + ":" + e.owner);
                }
            }
            return owners;
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }

    static Event event(String device, String user, String type, long time) {
        return AmplitudeJson.event(
                user, device, type, time, device + "/" + type + "/" + time, null);
    }

    @Test
    void anonymousEventsBeforeTheFirstLoginAreTheUsers() throws Exception {
        // Amplitude: G null, G null, G John: one user
        try (Linker l = new Linker()) {
            l.event(event("G", null, "a", 1000)).event(event("G", null, "b", 1100));
            l.watermark(1500);
            assertThat(l.owners()).as("waiting for a login").isEmpty();
            l.event(event("G", "John", "c", 1200)).watermark(2000);
            assertThat(l.owners()).containsExactlyInAnyOrder("c:John", "a:John", "b:John");
        }
    }

    @Test
    void anonymousEventsAfterALoginAreTheLastUsersAlsoAfterASecondUser() throws Exception {
        // Amplitude: R Jane, R null, R Mary, R null, R null: Jane, Jane, Mary, Mary, Mary
        try (Linker l = new Linker()) {
            l.event(event("R", "Jane", "a", 1000))
                    .event(event("R", null, "b", 1100))
                    .event(event("R", "Mary", "c", 1200))
                    .event(event("R", null, "d", 1300))
                    .event(event("R", null, "e", 1400))
                    .watermark(2000);
            assertThat(l.owners())
                    .containsExactlyInAnyOrder("a:Jane", "b:Jane", "c:Mary", "d:Mary", "e:Mary");
        }
    }

    @Test
    void aLoginThatArrivesAfterTheAnonymousEventsItFollowsStillClaimsThem() throws Exception {
        try (Linker l = new Linker()) {
            l.event(event("Z", null, "late-visit", 1_050)).event(event("Z", "David", "login", 900));
            l.watermark(1_100);
            assertThat(l.owners()).containsExactly("login:David", "late-visit:David");
        }
    }

    @Test
    void aVisitBeforeTheFirstLoginWaitsForItsTimeSoThatAnEarlierLoginCanStillCome()
            throws Exception {
        try (Linker l = new Linker()) {
            // the watermark passes the visit while bob's login is the device's first known one
            l.event(event("T", null, "visit", 1_000)).event(event("T", "bob", "login", 1_020));
            l.watermark(1_005);
            assertThat(l.owners()).containsExactly("login:bob");
            // ann's earlier login arrives within the bound: she logged in first, the visit is hers
            l.event(event("T", "ann", "login", 1_010)).watermark(1_010);
            assertThat(l.owners()).containsExactly("login:bob", "login:ann", "visit:ann");
        }
    }

    @Test
    void aDeviceWithoutALoginWithinTheLatenessStaysItsOwn() throws Exception {
        try (Linker l = new Linker()) {
            l.event(event("K", null, "visit", 1_000)).watermark(1_000 + LATENESS - 1);
            assertThat(l.owners()).isEmpty();
            l.watermark(1_000 + LATENESS);
            assertThat(l.owners()).containsExactly("visit:K");
            // the login comes too late for that visit; later anonymous events are the user's
            l.event(event("K", "Zack", "login", 2_100)).event(event("K", null, "after", 2_200));
            l.watermark(3_000);
            assertThat(l.owners()).containsExactly("visit:K", "login:Zack", "after:Zack");
        }
    }

    @Test
    void aDevicesStateIsForgottenLongAfterItsLastEvent() throws Exception {
        try (Linker l = new Linker()) {
            l.event(event("Y", "David", "a", 1_000)).watermark(2_000);
            assertThat(l.harness.numKeyedStateEntries()).isPositive();
            l.watermark(1_000 + IdentityMerge.LINK_RETENTION_MS + 24L * 60 * 60 * 1000);
            assertThat(l.harness.numKeyedStateEntries()).isZero();
        }
    }

    /**
     * Random traffic of three devices and two users, anonymous events, logins in any order within
     * the bound, and retries, through the linker and the sessionizer: the sessions equal the
     * reference's on the reference's owners. The lateness (so the hold) is longer than any stream:
     * when a login comes near the end of a hold, the linker decides by arrival, which a batch
     * reference cannot say; the hold's end is tested above.
     */
    @Property(tries = 150)
    void mergedSessionsEqualTheReference(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        long bound = 30;
        List<Event> all = new ArrayList<>();
        List<long[]> arrivals = new ArrayList<>();
        long[] clocks = {10_000, 10_000, 10_000};
        String[] devices = {"phone", "laptop", "tablet"};
        // the phone and the laptop are ann's; the tablet is shared by ann and bob
        String[][] usersOf = {{"ann"}, {"ann"}, {"ann", "bob"}};
        int n = 1 + r.nextInt(60);
        for (int i = 0; i < n; i++) {
            int d = r.nextInt(3);
            clocks[d] +=
                    switch (r.nextInt(4)) {
                        case 0 -> 1 + r.nextInt(20);
                        case 1 -> 40 + r.nextInt(40);
                        case 2 -> GAP - 1 + r.nextInt(3);
                        default -> 2 * GAP + r.nextInt(300);
                    };
            // a millisecond of its own per device and kind: no two events of one owner tie
            boolean login = r.nextInt(4) == 0;
            long time = clocks[d] * 6 + d * 2L + (login ? 1 : 0);
            String user = login ? usersOf[d][r.nextInt(usersOf[d].length)] : null;
            Event e = event(devices[d], user, login ? "login" : "view", time);
            all.add(e);
            arrivals.add(new long[] {time + r.nextInt((int) bound), i});
            if (r.nextInt(10) == 0) {
                all.add(event(devices[d], user, e.eventType, time));
                arrivals.add(new long[] {time + r.nextInt((int) bound), i});
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) order.add(i);
        order.sort(
                Comparator.comparingLong((Integer i) -> arrivals.get(i)[0]).thenComparing(i -> i));
        OwnerTimeline timeline =
                new OwnerTimeline(
                        SessionDefinition.builder().gap(Duration.ofMillis(GAP)).build(), LONG_HOLD);
        try (Linker linker = new Linker(timeline);
                SessionizerHarness sessionizer = new SessionizerHarness(timeline, 10_000)) {
            long maxSeen = Long.MIN_VALUE;
            long lastWatermark = Long.MIN_VALUE;
            for (int i : order) {
                Event e = all.get(i);
                linker.event(e);
                maxSeen = Math.max(maxSeen, e.time);
                if (maxSeen - bound - 1 > lastWatermark) {
                    lastWatermark = maxSeen - bound - 1;
                    linker.watermark(lastWatermark);
                }
                pass(linker, sessionizer);
            }
            linker.watermark(Long.MAX_VALUE);
            pass(linker, sessionizer);
            Statistics.label("an anonymous event merged into a user")
                    .collect(
                            linker.owners().stream()
                                    .anyMatch(o -> o.equals("view:ann") || o.equals("view:bob")))
                    .coverage(c -> c.check(true).percentage(p -> p >= 30));
            assertThat(sessionizer.late()).isEmpty();
            Map<String, ExpectedSession> actual = new TreeMap<>();
            sessionizer.compacted().forEach((k, v) -> actual.put(k, ExpectedSession.of(v)));
            Map<String, ExpectedSession> expected =
                    new TreeMap<>(
                            ReferenceSessionizer.byKey(
                                    ReferenceSessionizer.sessionize(
                                            ReferenceSessionizer.mergeIdentities(all, LONG_HOLD),
                                            GAP)));
            assertThat(actual).isEqualTo(expected);
        }
    }

    /** Hands what the linker emitted to the sessionizer, events and watermarks in order. */
    private static void pass(Linker linker, SessionizerHarness sessionizer) throws Exception {
        for (Object o : linker.drain()) {
            if (o instanceof StreamRecord<?> r) sessionizer.event((Event) r.getValue());
            else if (o instanceof Watermark w) sessionizer.watermark(w.getTimestamp());
        }
    }
}
