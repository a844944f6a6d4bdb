package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.session.IdentityMerge;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionChange;
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

    static Event event(String device, String user, String type, long time) {
        return AmplitudeJson.event(
                user, device, type, time, device + "/" + type + "/" + time, null);
    }

    @Test
    void aVisitBeforeASignUpIsWrittenAsTheDevicesAndMovedToTheUserByTheLogin() throws Exception {
        // Amplitude: G null, G null, G John: one person, John, who did all three
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            m.event(event("G", null, "a", 1000)).event(event("G", null, "b", 1050));
            m.watermark(1_149);
            assertThat(m.counts())
                    .as("written when its gap expires")
                    .containsExactly(entry("G/1000", 2L));
            m.event(event("G", "John", "c", 1120)).watermark(2_000);
            assertThat(m.counts()).containsExactly(entry("John/1000", 3L));
            assertThat(m.changes).anyMatch(c -> c.isRetraction() && c.key().equals("G/1000"));
        }
    }

    @Test
    void aLoginDuringTheVisitMovesItBeforeItIsWritten() throws Exception {
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            m.event(event("G", null, "a", 1000)).event(event("G", "John", "login", 1050));
            m.event(event("G", null, "b", 1090)).watermark(2_000);
            assertThat(m.counts()).containsExactly(entry("John/1000", 3L));
            assertThat(m.changes).noneMatch(c -> c.owner.equals("G"));
        }
    }

    @Test
    void anonymousEventsAfterALoginAreTheLastUsersAlsoAfterASecondUser() throws Exception {
        // Amplitude: R Jane, R null, R Mary, R null, R null: Jane, Jane, Mary, Mary, Mary
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            m.event(event("R", "Jane", "a", 1000))
                    .event(event("R", null, "b", 1050))
                    .event(event("R", "Mary", "c", 1200))
                    .event(event("R", null, "d", 1250))
                    .event(event("R", null, "e", 1300))
                    .watermark(2000);
            assertThat(m.passed)
                    .containsExactlyInAnyOrder("a:Jane", "b:Jane", "c:Mary", "d:Mary", "e:Mary");
            assertThat(m.counts())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("Jane/1000", 2L, "Mary/1200", 3L));
        }
    }

    @Test
    void aLoginThatArrivesAfterTheAnonymousEventsItFollowsStillClaimsThem() throws Exception {
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            m.event(event("Z", null, "late-visit", 1_050)).event(event("Z", "David", "login", 990));
            m.watermark(1_200);
            assertThat(m.counts()).containsExactly(entry("David/990", 2L));
            assertThat(m.changes).noneMatch(c -> c.owner.equals("Z"));
        }
    }

    @Test
    void aVisitBeforeTheFirstLoginIsClaimedOnceNoEarlierLoginCanCome() throws Exception {
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            // the watermark passes the visit while bob's login is the device's first known one
            m.event(event("T", null, "visit", 1_000)).event(event("T", "bob", "login", 1_020));
            m.watermark(1_005);
            // ann's earlier login arrives within the bound: she logged in first, the visit is hers
            m.event(event("T", "ann", "login", 1_010)).watermark(2_000);
            assertThat(m.counts())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("ann/1000", 2L, "bob/1020", 1L));
        }
    }

    @Test
    void aDeviceWithoutALoginWithinTheLatenessStaysItsOwn() throws Exception {
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            m.event(event("K", null, "visit", 1_000)).watermark(1_000 + GAP - 2);
            assertThat(m.counts()).isEmpty();
            m.watermark(1_000 + GAP - 1);
            assertThat(m.counts())
                    .as("written when its gap expires")
                    .containsExactly(entry("K/1000", 1L));
            // the login comes too late for that visit; later anonymous events are the user's
            m.event(event("K", "Zack", "login", 2_100)).event(event("K", null, "after", 2_150));
            m.watermark(3_000);
            assertThat(m.counts())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("K/1000", 1L, "Zack/2100", 2L));
        }
    }

    @Test
    void aRetryOfAVisitEventAfterTheLoginIsADuplicate() throws Exception {
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            Event visit = event("G", null, "visit", 1_050);
            m.event(visit).event(event("G", "John", "login", 1_000)).watermark(1_060);
            m.event(event("G", null, "visit", 1_050)).watermark(2_000);
            assertThat(m.counts()).containsExactly(entry("John/1000", 2L));
        }
    }

    @Test
    void aDevicesStateIsForgottenLongAfterItsLastEvent() throws Exception {
        try (MergedHarness m = new MergedHarness(TIMELINE, 10_000)) {
            m.event(event("Y", "David", "a", 1_000)).event(event("Y", null, "b", 900));
            m.watermark(2_000);
            assertThat(m.linker.numKeyedStateEntries()).isPositive();
            m.watermark(1_000 + IdentityMerge.LINK_RETENTION_MS + 24L * 60 * 60 * 1000);
            assertThat(m.linker.numKeyedStateEntries()).isZero();
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
        try (MergedHarness m = new MergedHarness(timeline, 10_000)) {
            long maxSeen = Long.MIN_VALUE;
            long lastWatermark = Long.MIN_VALUE;
            for (int i : order) {
                Event e = all.get(i);
                m.event(e);
                maxSeen = Math.max(maxSeen, e.time);
                if (maxSeen - bound - 1 > lastWatermark) {
                    lastWatermark = maxSeen - bound - 1;
                    m.watermark(lastWatermark);
                }
            }
            m.watermark(Long.MAX_VALUE);
            Statistics.label("an anonymous visit claimed by a login")
                    .collect(
                            m.changes.stream().anyMatch(SessionChange::isRetraction)
                                    || m.compacted.values().stream()
                                            .anyMatch(
                                                    v ->
                                                            v.userId == null
                                                                    && !v.owner.equals(v.deviceId)))
                    .coverage(c -> c.check(true).percentage(p -> p >= 30));
            assertThat(m.late()).isEmpty();
            Map<String, ExpectedSession> actual = new TreeMap<>();
            m.compacted.forEach((k, v) -> actual.put(k, ExpectedSession.of(v)));
            Map<String, ExpectedSession> expected =
                    new TreeMap<>(
                            ReferenceSessionizer.byKey(
                                    ReferenceSessionizer.sessionize(
                                            ReferenceSessionizer.mergeIdentities(
                                                    all, LONG_HOLD, GAP),
                                            GAP)));
            assertThat(actual).isEqualTo(expected);
        }
    }
}
