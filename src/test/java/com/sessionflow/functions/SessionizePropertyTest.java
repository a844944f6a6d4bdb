package com.sessionflow.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.session.CloseReason;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.ListArbitrary;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random multi-owner streams through the operator give, once all data is in, exactly what the
 * independent batch reference computes from all events: out of order within the bound, -1 and
 * inactive events, markers, duplicates, and late events up to the allowed lateness.
 */
class SessionizePropertyTest {

    static final long GAP = 100;
    static final long BOUND = 30;
    static final long LATENESS = 200;
    static final long DEDUP = 10_000;
    static final Set<String> INACTIVE = Set.of("push_received");
    static final SessionDefinition DEFINITION =
            SessionDefinition.builder().gap(Duration.ofMillis(GAP)).inactiveTypes(INACTIVE).build();
    static final String[] PLATFORMS = {"iOS", "Android", "Web"};

    /**
     * 1 to 80 events, every length as likely: jqwik's default favours short lists when a property
     * has few tries, and then merges and retractions were rare enough (5% of 300 tries) that the
     * coverage checks below failed now and then.
     */
    static <T> ListArbitrary<T> streamLength(ListArbitrary<T> events) {
        return events.ofMinSize(1).ofMaxSize(80).withSizeDistribution(RandomDistribution.uniform());
    }

    /** One generated event: its owner, time step, type and how it is delivered. */
    record Spec(
            int owner,
            long step,
            String type,
            boolean minusOne,
            boolean duplicate,
            boolean late,
            int delay) {}

    @Provide
    Arbitrary<List<Spec>> streams() {
        Arbitrary<Spec> spec =
                Builders.withBuilder(() -> new Object[7])
                        .use(Arbitraries.integers().between(0, 2))
                        .in(
                                (a, v) -> {
                                    a[0] = v;
                                    return a;
                                })
                        // steps around the gap boundary, inside a session and well beyond it
                        .use(
                                Arbitraries.frequency(
                                        Tuple.of(3, 0L),
                                        Tuple.of(2, 1L),
                                        Tuple.of(6, 20L),
                                        Tuple.of(6, 60L),
                                        Tuple.of(4, GAP - 1),
                                        Tuple.of(4, GAP),
                                        Tuple.of(2, GAP + 1),
                                        Tuple.of(3, 3 * GAP)))
                        .in(
                                (a, v) -> {
                                    a[1] = v;
                                    return a;
                                })
                        .use(
                                Arbitraries.frequency(
                                        Tuple.of(8, "click"),
                                        Tuple.of(4, "view"),
                                        Tuple.of(2, "session_start"),
                                        Tuple.of(2, "session_end"),
                                        Tuple.of(1, "push_received")))
                        .in(
                                (a, v) -> {
                                    a[2] = v;
                                    return a;
                                })
                        .use(Arbitraries.integers().between(0, 9).map(i -> i == 0))
                        .in(
                                (a, v) -> {
                                    a[3] = v;
                                    return a;
                                })
                        .use(Arbitraries.integers().between(0, 9).map(i -> i == 0))
                        .in(
                                (a, v) -> {
                                    a[4] = v;
                                    return a;
                                })
                        .use(Arbitraries.integers().between(0, 3).map(i -> i == 0))
                        .in(
                                (a, v) -> {
                                    a[5] = v;
                                    return a;
                                })
                        // the extremes of the delay matter most: as late as still allowed
                        .use(
                                Arbitraries.frequencyOf(
                                        Tuple.of(1, Arbitraries.just(0)),
                                        Tuple.of(2, Arbitraries.just(1000)),
                                        Tuple.of(4, Arbitraries.integers().between(0, 1000))))
                        .in(
                                (a, v) -> {
                                    a[6] = v;
                                    return a;
                                })
                        .build(
                                a ->
                                        new Spec(
                                                (Integer) a[0],
                                                (Long) a[1],
                                                (String) a[2],
                                                (Boolean) a[3],
                                                (Boolean) a[4],
                                                (Boolean) a[5],
                                                (Integer) a[6]));
        return streamLength(spec.list());
    }

    /** An event and when it reaches the operator. */
    record Delivery(Event event, long arrival, int index) {}

    static Event event(Spec s, long time, int index) {
        Event e = new Event();
        e.owner = "o" + s.owner;
        e.userId = e.owner;
        e.deviceId = "d" + s.owner;
        e.eventType = s.type;
        e.time = time;
        if (s.minusOne) e.sdkSessionId = -1;
        e.insertId = "e" + index;
        // a function of (time, type), so the "first event" of a session is never ambiguous
        e.platform = PLATFORMS[Math.floorMod((time + s.type).hashCode(), PLATFORMS.length)];
        deviceAndContext(e, s.owner);
        return e;
    }

    /**
     * A second device now and then, and a context on some events (attribution, a location, a chosen
     * property), as functions of (time, type) like the platform: the owner's sessions carry several
     * device ids and entry and exit contexts that differ.
     */
    static void deviceAndContext(Event e, int owner) {
        int h = Math.floorMod((e.eventType + "/" + e.time).hashCode(), 7);
        if (h == 0) e.deviceId = "d" + owner + "-tablet";
        if (h > 3) return;
        String[] fields = new String[EventContext.FIELD_NAMES.size()];
        fields[0] = "source-" + h;
        if (h == 1) fields[5] = "Germany";
        e.context = EventContext.of(fields, h == 2 ? null : new String[] {"plan-" + h, null});
    }

    static long delay(boolean late, int fraction) {
        // in order within the bound, or late: behind the watermark, but at most gap + lateness
        return late ? BOUND + 1 + fraction * (GAP + LATENESS - 1) / 1000 : fraction * BOUND / 1000;
    }

    static List<Delivery> deliveries(List<Spec> specs, List<Event> all) {
        long[] clocks = new long[3];
        java.util.Arrays.fill(clocks, 1_000_000L);
        List<Delivery> out = new ArrayList<>();
        int index = 0;
        for (Spec s : specs) {
            long time = clocks[s.owner] += s.step;
            Event e = event(s, time, index);
            all.add(e);
            out.add(new Delivery(e, time + delay(s.late, s.delay), index++));
            if (s.duplicate) {
                // a producer retry: the same event again, delivered on its own schedule
                Event copy = event(s, time, index - 1);
                all.add(copy);
                out.add(
                        new Delivery(
                                copy, time + delay(!s.late, (s.delay * 7919) % 1001), index++));
            }
        }
        out.sort(Comparator.comparingLong(Delivery::arrival).thenComparingInt(Delivery::index));
        return out;
    }

    @Provide
    Arbitrary<Integer> inlineInsertIds() {
        return Arbitraries.of(0, 3, InsertIds.INLINE_ON_HEAP);
    }

    // no edge cases: their combinations would use up every try on near-identical tiny streams
    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void compactedChangelogEqualsTheBatchReference(
            @ForAll("streams") List<Spec> specs,
            @ForAll @IntRange(min = 1, max = 5) int watermarkEvery,
            @ForAll @IntRange(min = -1, max = 80) int restoreAt,
            // where insert ids live: always entries (RocksDB's layout), inline until a few, or
            // inline as on the heap backend
            @ForAll("inlineInsertIds") int inlineInsertIds)
            throws Exception {
        List<Event> all = new ArrayList<>();
        List<Delivery> deliveries = deliveries(specs, all);
        try (SessionizerHarness h =
                new SessionizerHarness(
                        new OwnerTimeline(DEFINITION, LATENESS), DEDUP, null, inlineInsertIds)) {
            deliver(h, deliveries, watermarkEvery, restoreAt, e -> true);

            // the interesting cases must really occur, or the property proves little
            Statistics.label("has a retraction")
                    .collect(h.allChanges().stream().anyMatch(SessionChange::isRetraction))
                    .coverage(c -> c.check(true).percentage(p -> p >= 6));
            Statistics.label("has a re-emission")
                    .collect(
                            h.allChanges().stream()
                                    .anyMatch(c -> !c.isRetraction() && c.session.revision > 1))
                    .coverage(c -> c.check(true).percentage(p -> p >= 8));
            Statistics.label("has a duplicate")
                    .collect(specs.stream().anyMatch(Spec::duplicate))
                    .coverage(c -> c.check(true).percentage(p -> p >= 8));
            assertThat(h.late())
                    .as("the generator delivers nothing beyond the allowed lateness")
                    .isEmpty();
            Map<String, ExpectedSession> actual = new TreeMap<>();
            h.compacted().forEach((k, v) -> actual.put(k, ExpectedSession.of(v)));
            Map<String, ExpectedSession> expected =
                    new TreeMap<>(
                            ReferenceSessionizer.byKey(
                                    ReferenceSessionizer.sessionize(
                                            all,
                                            GAP,
                                            ReferenceSessionizer.DEFAULT_MARKERS,
                                            INACTIVE)));
            assertThat(actual)
                    .as(
                            "deliveries %s",
                            deliveries.stream()
                                    .map(
                                            d ->
                                                    d.event.owner
                                                            + "@"
                                                            + d.event.time
                                                            + (d.event.sdkSessionId == -1
                                                                    ? "(-1)"
                                                                    : "")
                                                            + ":"
                                                            + d.event.eventType
                                                            + "#"
                                                            + d.event.insertId)
                                    .toList())
                    .isEqualTo(expected);
            Map<String, Long> outOfSession =
                    h.outOfSession().stream()
                            .collect(
                                    Collectors.groupingBy(
                                            e -> e.owner, TreeMap::new, Collectors.counting()));
            assertThat(outOfSession)
                    .isEqualTo(ReferenceSessionizer.outOfSessionCounts(all, INACTIVE));
            assertThat(h.numKeyedStateEntries()).as("state left after the end of input").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    // ---- any definition (session-rules §3)
    // --------------------------------------------------------

    /**
     * A random definition: kind, per-platform gaps, start/end events, blocked types, split at a
     * (small) maximum length (0: not split), split at the local midnight that falls at this time
     * (0: not split; a zone whose offset puts midnight among the generated times).
     */
    record Def(
            String kind,
            Map<String, Long> platformGaps,
            Set<String> start,
            Set<String> end,
            boolean blocking,
            long splitAt,
            long midnightAt) {
        /** The zone whose local midnight is at {@code midnightAt} (a whole second), or null. */
        ZoneId midnight() {
            return midnightAt == 0 ? null : ZoneOffset.ofTotalSeconds((int) -(midnightAt / 1000));
        }

        SessionDefinition definition() {
            SessionDefinition.Builder b =
                    SessionDefinition.builder()
                            .gap(Duration.ofMillis(GAP))
                            .inactiveTypes(INACTIVE)
                            .splitOverLimit(splitAt > 0)
                            .splitAtMidnight(midnight())
                            .maxLength(
                                    splitAt > 0
                                            ? Duration.ofMillis(splitAt)
                                            : SessionDefinition.DEFAULT_MAX_LENGTH)
                            .platformGaps(
                                    platformGaps.entrySet().stream()
                                            .collect(
                                                    Collectors.toMap(
                                                            Map.Entry::getKey,
                                                            g -> Duration.ofMillis(g.getValue()))))
                            .startTypes(start)
                            .endTypes(end)
                            .blockedTypes(blocking ? Set.of("blocked_event") : Set.of());
            return b.kind(kind).build();
        }

        ReferenceSessionizer.Rules rules() {
            return ReferenceSessionizer.Rules.gap(GAP)
                    .kind(kind.startsWith("property:") ? "property" : kind, null)
                    .inactive(INACTIVE)
                    .platformGaps(platformGaps)
                    .startEnd(start, end)
                    .blocked(blocking ? Set.of("blocked_event") : Set.of())
                    .splitAt(splitAt)
                    .splitAtMidnight(midnight());
        }

        long maxGap() {
            return platformGaps.values().stream().mapToLong(Long::longValue).max().orElse(GAP) > GAP
                    ? platformGaps.values().stream().mapToLong(Long::longValue).max().getAsLong()
                    : GAP;
        }
    }

    @Provide
    Arbitrary<Def> definitions() {
        Arbitrary<String> kind = Arbitraries.of("gap", "client", "property:screen");
        Arbitrary<Map<String, Long>> gaps =
                Arbitraries.of(
                        Map.<String, Long>of(),
                        Map.of("web", 250L, "IOS", 40L),
                        Map.of("Android", 60L),
                        Map.of("Web", 100L, "ios", 150L));
        Arbitrary<Set<String>> start =
                Arbitraries.of(
                        Set.<String>of(), Set.of("app_open"), Set.of("app_open", "session_start"));
        Arbitrary<Set<String>> end =
                Arbitraries.of(
                        Set.<String>of(), Set.of("app_close"), Set.of("app_close", "session_end"));
        // a small maximum length (1.5-5 gaps, a not quite round one, even below the gap), so that
        // splits happen often
        Arbitrary<Long> splitAt =
                Arbitraries.frequency(
                        Tuple.of(4, 0L),
                        Tuple.of(2, GAP / 2),
                        Tuple.of(2, 3 * GAP / 2),
                        Tuple.of(2, 2 * GAP),
                        Tuple.of(1, 2 * GAP + 37),
                        Tuple.of(1, 3 * GAP),
                        Tuple.of(1, 5 * GAP));
        // the generated times start at 1,000 s (see anyDeliveries)
        Arbitrary<Long> midnightAt =
                Arbitraries.frequency(
                        Tuple.of(4, 0L), Tuple.of(1, 1_001_000L), Tuple.of(1, 1_002_000L));
        return Combinators.combine(
                        kind, gaps, start, end, Arbitraries.of(true, false), splitAt, midnightAt)
                .as(Def::new);
    }

    /**
     * One generated event for any definition: also its platform, SDK session id use and property
     * value.
     */
    record AnySpec(
            int owner,
            long step,
            String type,
            int sdk,
            String property,
            boolean duplicate,
            boolean late,
            int delay) {}

    @Provide
    Arbitrary<List<AnySpec>> anyStreams() {
        Arbitrary<Long> step =
                Arbitraries.frequency(
                        Tuple.of(3, 0L),
                        Tuple.of(2, 1L),
                        Tuple.of(5, 20L),
                        Tuple.of(2, 39L),
                        Tuple.of(2, 40L),
                        Tuple.of(5, 60L),
                        Tuple.of(3, GAP - 1),
                        Tuple.of(3, GAP),
                        Tuple.of(1, GAP + 1),
                        Tuple.of(1, 249L),
                        Tuple.of(1, 250L),
                        Tuple.of(2, 3 * GAP));
        Arbitrary<String> type =
                Arbitraries.frequency(
                        Tuple.of(8, "click"),
                        Tuple.of(4, "view"),
                        Tuple.of(2, "session_start"),
                        Tuple.of(2, "session_end"),
                        Tuple.of(1, "push_received"),
                        Tuple.of(3, "app_open"),
                        Tuple.of(3, "app_close"),
                        Tuple.of(1, "blocked_event"));
        // 0: no session_id, 1: the owner's current SDK session id, 2: -1 (out of session)
        Arbitrary<Integer> sdk =
                Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(6, 1), Tuple.of(1, 2));
        Arbitrary<String> property =
                Arbitraries.frequency(
                        Tuple.of(1, "none"), Tuple.of(3, "home"), Tuple.of(3, "cart"));
        Arbitrary<Integer> delay =
                Arbitraries.frequencyOf(
                        Tuple.of(1, Arbitraries.just(0)),
                        Tuple.of(2, Arbitraries.just(1000)),
                        Tuple.of(4, Arbitraries.integers().between(0, 1000)));
        Arbitrary<AnySpec> spec =
                Builders.withBuilder(() -> new Object[8])
                        .use(Arbitraries.integers().between(0, 2))
                        .in(
                                (a, v) -> {
                                    a[0] = v;
                                    return a;
                                })
                        .use(step)
                        .in(
                                (a, v) -> {
                                    a[1] = v;
                                    return a;
                                })
                        .use(type)
                        .in(
                                (a, v) -> {
                                    a[2] = v;
                                    return a;
                                })
                        .use(sdk)
                        .in(
                                (a, v) -> {
                                    a[3] = v;
                                    return a;
                                })
                        .use(property)
                        .in(
                                (a, v) -> {
                                    a[4] = v;
                                    return a;
                                })
                        .use(Arbitraries.integers().between(0, 9).map(i -> i == 0))
                        .in(
                                (a, v) -> {
                                    a[5] = v;
                                    return a;
                                })
                        .use(Arbitraries.integers().between(0, 3).map(i -> i == 0))
                        .in(
                                (a, v) -> {
                                    a[6] = v;
                                    return a;
                                })
                        .use(delay)
                        .in(
                                (a, v) -> {
                                    a[7] = v;
                                    return a;
                                })
                        .build(
                                a ->
                                        new AnySpec(
                                                (Integer) a[0],
                                                (Long) a[1],
                                                (String) a[2],
                                                (Integer) a[3],
                                                (String) a[4],
                                                (Boolean) a[5],
                                                (Boolean) a[6],
                                                (Integer) a[7]));
        return streamLength(spec.list());
    }

    static final String[] ANY_PLATFORMS = {"iOS", "Android", "Web", "WEB", null};

    static Event anyEvent(AnySpec s, long time, long sdkId, int index) {
        Event e = new Event();
        e.owner = "o" + s.owner;
        e.userId = e.owner;
        e.deviceId = "d" + s.owner;
        e.eventType = s.type;
        e.time = time;
        if (s.sdk == 1) e.sdkSessionId = sdkId;
        if (s.sdk == 2) e.sdkSessionId = -1;
        e.insertId = "e" + index;
        // functions of (time, type), so the "first event" of a session is never ambiguous
        e.platform = ANY_PLATFORMS[Math.floorMod((time + s.type).hashCode(), ANY_PLATFORMS.length)];
        e.osName = e.platform == null ? "android" : e.platform.toLowerCase(java.util.Locale.ROOT);
        e.sessionProperty = s.property.equals("none") ? null : s.property;
        deviceAndContext(e, s.owner);
        return e;
    }

    static List<Delivery> anyDeliveries(List<AnySpec> specs, List<Event> all, long maxGap) {
        long[] clocks = new long[3];
        java.util.Arrays.fill(clocks, 1_000_000L);
        // an SDK renews its session id after the gap without events of that session; and the
        // job joins in-session events of one id only up to gap + allowed lateness apart
        // (session-rules §3, client), so ids further apart are renewed too
        long[] sdkIds = new long[3];
        long[] sdkLast = new long[3];
        long[] sdkLastInSession = new long[3];
        java.util.Arrays.fill(sdkLast, Long.MIN_VALUE / 2);
        java.util.Arrays.fill(sdkLastInSession, Long.MIN_VALUE / 2);
        List<Delivery> out = new ArrayList<>();
        int index = 0;
        for (AnySpec s : specs) {
            long time = clocks[s.owner] += s.step;
            if (s.sdk == 1) {
                boolean inSession = !INACTIVE.contains(s.type) && !s.type.equals("blocked_event");
                if (time - sdkLast[s.owner] >= GAP
                        || (inSession && time - sdkLastInSession[s.owner] >= maxGap + LATENESS)) {
                    sdkIds[s.owner] = time;
                }
                sdkLast[s.owner] = time;
                if (inSession) sdkLastInSession[s.owner] = time;
            }
            Event e = anyEvent(s, time, sdkIds[s.owner], index);
            all.add(e);
            out.add(new Delivery(e, time + delay(s.late, s.delay, maxGap), index++));
            if (s.duplicate) {
                Event copy = anyEvent(s, time, sdkIds[s.owner], index - 1);
                all.add(copy);
                out.add(
                        new Delivery(
                                copy,
                                time + delay(!s.late, (s.delay * 7919) % 1001, maxGap),
                                index++));
            }
        }
        out.sort(Comparator.comparingLong(Delivery::arrival).thenComparingInt(Delivery::index));
        return out;
    }

    static long delay(boolean late, int fraction, long maxGap) {
        return late
                ? BOUND + 1 + fraction * (maxGap + LATENESS - 1) / 1000
                : fraction * BOUND / 1000;
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void anyDefinitionEqualsTheBatchReference(
            @ForAll("definitions") Def def,
            @ForAll("anyStreams") List<AnySpec> specs,
            @ForAll @IntRange(min = 1, max = 5) int watermarkEvery,
            @ForAll @IntRange(min = -1, max = 80) int restoreAt)
            throws Exception {
        SessionDefinition definition = def.definition();
        List<Event> all = new ArrayList<>();
        List<Delivery> deliveries = anyDeliveries(specs, all, def.maxGap());
        try (SessionizerHarness h =
                new SessionizerHarness(new OwnerTimeline(definition, LATENESS), DEDUP)) {
            // blocked types are dropped before the sessionizer, as the pipeline does
            deliver(h, deliveries, watermarkEvery, restoreAt, e -> !definition.isBlocked(e));

            Statistics.label("definition")
                    .collect(
                            def.kind(),
                            !def.platformGaps().isEmpty() ? "platform gaps" : "one gap",
                            def.start().isEmpty() && def.end().isEmpty()
                                    ? "no start/end"
                                    : "start/end",
                            def.splitAt() > 0 ? "split" : "flagged",
                            def.midnightAt() > 0 ? "midnight" : "no midnight");
            Statistics.label("has a retraction")
                    .collect(h.allChanges().stream().anyMatch(SessionChange::isRetraction))
                    .coverage(c -> c.check(true).percentage(p -> p >= 6));
            Statistics.label("has a re-emission")
                    .collect(
                            h.allChanges().stream()
                                    .anyMatch(c -> !c.isRetraction() && c.session.revision > 1))
                    .coverage(c -> c.check(true).percentage(p -> p >= 8));
            Statistics.label("closed by an end event")
                    .collect(
                            h.allChanges().stream()
                                    .anyMatch(
                                            c ->
                                                    !c.isRetraction()
                                                            && c.session.closeReason
                                                                    == CloseReason.END_EVENT))
                    .coverage(c -> c.check(true).percentage(p -> p >= 5));
            assertThat(h.late())
                    .as("the generator delivers nothing beyond the allowed lateness")
                    .isEmpty();
            Map<String, ExpectedSession> actual = new TreeMap<>();
            Map<String, Boolean> actualFromSdk = new TreeMap<>();
            Map<String, Boolean> actualMaxLength = new TreeMap<>();
            h.compacted()
                    .forEach(
                            (k, v) -> {
                                actual.put(k, ExpectedSession.of(v));
                                actualFromSdk.put(k, v.sdkSessionId != Event.NO_SESSION_ID);
                                actualMaxLength.put(k, v.closeReason == CloseReason.MAX_LENGTH);
                            });
            List<ReferenceSessionizer.DefinedSession> reference =
                    ReferenceSessionizer.sessionize(all, def.rules());
            Map<String, Boolean> expectedFromSdk = new TreeMap<>();
            Map<String, Boolean> expectedMaxLength = new TreeMap<>();
            reference.forEach(
                    r -> {
                        expectedFromSdk.put(r.key(), r.fromSdk());
                        expectedMaxLength.put(r.key(), r.cutByMaxLength());
                    });
            assertThat(actual)
                    .as(
                            "%s, deliveries %s",
                            definition,
                            deliveries.stream()
                                    .map(
                                            d ->
                                                    d.event.owner
                                                            + "@"
                                                            + d.event.time
                                                            + (d.event.hasSdkSessionId()
                                                                    ? "("
                                                                            + d.event.sdkSessionId
                                                                            + ")"
                                                                    : "")
                                                            + ":"
                                                            + d.event.eventType
                                                            + ":"
                                                            + d.event.platform
                                                            + ":"
                                                            + d.event.sessionProperty
                                                            + "#"
                                                            + d.event.insertId)
                                    .toList())
                    .isEqualTo(ReferenceSessionizer.byDefinedKey(reference));
            Statistics.label("split at the maximum length")
                    .collect(expectedMaxLength.containsValue(true))
                    .coverage(c -> c.check(true).percentage(p -> p >= 4));
            assertThat(actualFromSdk).isEqualTo(expectedFromSdk);
            assertThat(actualMaxLength)
                    .as("closed by the maximum length, %s", definition)
                    .isEqualTo(expectedMaxLength);
            Map<String, Long> outOfSession =
                    h.outOfSession().stream()
                            .collect(
                                    Collectors.groupingBy(
                                            e -> e.owner, TreeMap::new, Collectors.counting()));
            assertThat(outOfSession)
                    .isEqualTo(ReferenceSessionizer.outOfSessionCounts(all, def.rules()));
            assertThat(h.numKeyedStateEntries()).as("state left after the end of input").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /**
     * Every record of a key has a higher revision than the one before; emitted sessions are clean.
     */
    /**
     * Feeds the deliveries in arrival order with a watermark (max seen - bound - 1) every few
     * events, a snapshot/restore at one point, and the final watermark; checks after every step
     * that revisions only go up.
     */
    static void deliver(
            SessionizerHarness h,
            List<Delivery> deliveries,
            int watermarkEvery,
            int restoreAt,
            Predicate<Event> reachesSessionizer)
            throws Exception {
        Map<String, Integer> lastRevision = new HashMap<>();
        long maxSeen = Long.MIN_VALUE;
        long lastWatermark = Long.MIN_VALUE;
        int n = 0;
        for (Delivery d : deliveries) {
            if (n == restoreAt) h.snapshotAndRestore();
            if (reachesSessionizer.test(d.event)) h.event(d.event);
            maxSeen = Math.max(maxSeen, d.event.time);
            if (++n % watermarkEvery == 0 && maxSeen - BOUND - 1 > lastWatermark) {
                lastWatermark = maxSeen - BOUND - 1;
                h.watermark(lastWatermark);
            }
            checkRevisions(h.changes(), lastRevision);
        }
        h.watermark(Long.MAX_VALUE);
        checkRevisions(h.changes(), lastRevision);
    }

    static void checkRevisions(List<SessionChange> changes, Map<String, Integer> lastRevision) {
        for (SessionChange c : changes) {
            if (c.isRetraction()) continue;
            Integer before = lastRevision.put(c.key(), c.session.revision);
            if (before != null)
                assertThat(c.session.revision).as("revision of %s", c.key()).isGreaterThan(before);
        }
    }
}
