package com.sessionflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.event.Event;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import com.sessionflow.session.TestSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A random changelog (updates, revisions that change length, flags and platform, retractions),
 * out-of-session events, watermarks and processing-time steps through both metrics operators: the
 * latest record of every bucket and platform equals the measures computed directly from the
 * sessions that are visible at the end.
 */
class MetricsPropertyTest {

    static final long GAP = 1_000;
    static final long LATENESS = 2_000;
    static final long MAX_LENGTH = 600_000;
    static final long BUCKET = 60_000;
    static final long ENGAGED_MS = 3_000;
    static final long ENGAGED_EVENTS = 3;
    static final String[] PLATFORMS = {"iOS", "Android", "Web", null, ""};

    @Property(tries = 60)
    void latestRecordsEqualTheDirectComputation(@ForAll Random random) throws Exception {
        long[] edges =
                random.nextBoolean()
                        ? new long[] {
                            0,
                            3_000,
                            10_000,
                            30_000,
                            60_000,
                            180_000,
                            600_000,
                            1_800_000,
                            3_600_000,
                            86_400_000
                        }
                        : new long[] {0, 1_000, 5_000, 60_000, 300_000, 600_000};
        SessionDefinition definition =
                SessionDefinition.builder()
                        .gap(Duration.ofMillis(GAP))
                        .maxLength(Duration.ofMillis(MAX_LENGTH))
                        .engagedMinLength(Duration.ofMillis(ENGAGED_MS))
                        .engagedMinEvents(ENGAGED_EVENTS)
                        .build();
        MetricsSettings settings = new MetricsSettings(definition, LATENESS, BUCKET, 10_000, edges);

        // the scenario: a list of operations, generated first so watermarks can respect them
        List<Object> ops = new ArrayList<>();
        Map<String, SessionRecord> visible = new LinkedHashMap<>();
        List<Event> outOfSession = new ArrayList<>();
        List<String[]> keys = new ArrayList<>();
        int keyCount = 1 + random.nextInt(25);
        for (int i = 0; i < keyCount; i++) {
            keys.add(
                    new String[] {
                        "u" + random.nextInt(6), String.valueOf(random.nextInt(300_000))
                    });
        }
        int opCount = 10 + random.nextInt(70);
        for (int i = 0; i < opCount; i++) {
            int roll = random.nextInt(100);
            if (roll < 15 && !visible.isEmpty()) {
                String key = new ArrayList<>(visible.keySet()).get(random.nextInt(visible.size()));
                SessionRecord s = visible.remove(key);
                ops.add(SessionChange.retraction(s.owner, s.sessionId));
            } else if (roll < 30) {
                Event e = new Event();
                e.owner = "u" + random.nextInt(6);
                e.time = random.nextInt(300_000);
                e.platform = PLATFORMS[random.nextInt(PLATFORMS.length)];
                e.sdkSessionId = Event.OUT_OF_SESSION_ID;
                outOfSession.add(e);
                ops.add(e);
            } else if (roll < 40) {
                ops.add(Long.valueOf(random.nextInt(15_000))); // processing time step
            } else {
                String[] key = keys.get(random.nextInt(keys.size()));
                SessionRecord previous = visible.get(key[0] + "/" + key[1]);
                SessionRecord s =
                        randomSession(
                                random,
                                key[0],
                                Long.parseLong(key[1]),
                                previous == null ? 1 : previous.revision + 1);
                visible.put(key[0] + "/" + key[1], s);
                ops.add(SessionChange.update(s));
            }
        }

        try (MetricsHarness harness = new MetricsHarness(settings)) {
            long watermark = Long.MIN_VALUE;
            for (int i = 0; i < ops.size(); i++) {
                if (random.nextInt(10) < 3) {
                    // a watermark no later operation is too late for: below every later bucket's
                    // final bound
                    long limit = Long.MAX_VALUE;
                    for (int j = i; j < ops.size(); j++)
                        limit = Math.min(limit, constraint(ops.get(j), settings));
                    long from = Math.max(watermark, 0);
                    if (limit - 1 > from) {
                        watermark = from + (long) (random.nextDouble() * (limit - 1 - from));
                        harness.watermark(watermark);
                    }
                }
                Object op = ops.get(i);
                if (op instanceof SessionChange c) harness.change(c, Math.max(watermark, 0));
                else if (op instanceof Event e) harness.outOfSession(e);
                else harness.advanceProcessingTime((Long) op);
            }
            harness.watermark(Long.MAX_VALUE);

            Map<String, MetricsRecord> latest = new HashMap<>();
            Map<String, Integer> finals = new HashMap<>();
            for (MetricsRecord r : harness.records()) {
                assertThat(latest.containsKey(r.key()) && latest.get(r.key()).finalRecord)
                        .as("a record after the final one of %s", r.key())
                        .isFalse();
                latest.put(r.key(), r);
                if (r.finalRecord) finals.merge(r.key(), 1, Integer::sum);
            }
            Map<String, Expected> expected = expected(visible.values(), outOfSession, settings);
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
                MetricsRecord r = latest.get(e.getKey());
                assertThat(r).as("record of %s", e.getKey()).isNotNull();
                assertThat(finals.get(e.getKey()))
                        .as("final records of %s", e.getKey())
                        .isEqualTo(1);
                e.getValue().check(r, edges);
            }
            for (MetricsRecord r : latest.values()) {
                if (!expected.containsKey(r.key())) {
                    // a bucket that had sessions, all retracted since: its latest record says zero
                    assertThat(r.sessions).as("sessions of %s", r.key()).isZero();
                    assertThat(r.outOfSessionEvents).isZero();
                    assertThat(r.finalRecord).isTrue();
                }
            }
            assertThat(harness.bucketStateEntries())
                    .as("bucket state left after the final watermark")
                    .isZero();
            assertThat(harness.contributionStateEntries()).as("contribution state left").isZero();
        }
    }

    static SessionRecord randomSession(Random random, String owner, long sessionId, int revision) {
        long length =
                switch (random.nextInt(5)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(5_000);
                    case 2 -> random.nextInt(100_000);
                    case 3 -> random.nextInt((int) MAX_LENGTH + 1);
                    default -> MAX_LENGTH + 1 + random.nextInt(100_000);
                };
        long events = 1L + random.nextInt(10);
        long active = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt((int) events);
        return new TestSessions.Summary(owner, sessionId)
                .platform(PLATFORMS[random.nextInt(PLATFORMS.length)])
                .endTime(sessionId + length)
                .events(events, Math.min(active, events))
                .conversion(random.nextInt(8) == 0)
                .withoutSessionId(random.nextBoolean() ? 0 : random.nextInt((int) events + 1))
                .record(revision);
    }

    /** The latest watermark before which an operation must arrive: its bucket's final bound. */
    static long constraint(Object op, MetricsSettings settings) {
        if (op instanceof SessionChange c)
            return settings.finalBound(Math.floorDiv(c.sessionId, BUCKET) * BUCKET);
        if (op instanceof Event e)
            return settings.finalBound(Math.floorDiv(e.time, BUCKET) * BUCKET);
        return Long.MAX_VALUE;
    }

    /**
     * The direct computation: every measure from the final set of sessions, by bucket and platform.
     */
    static Map<String, Expected> expected(
            Iterable<SessionRecord> sessions, List<Event> outOfSession, MetricsSettings settings) {
        Map<String, Expected> all = new TreeMap<>();
        for (SessionRecord s : sessions) {
            long bucket = Math.floorDiv(s.sessionId, BUCKET) * BUCKET;
            String platform = s.platform == null || s.platform.isBlank() ? "unknown" : s.platform;
            for (String p : new String[] {platform, "all"}) {
                all.computeIfAbsent(bucket + "/" + p, k -> new Expected()).sessions.add(s);
            }
        }
        for (Event e : outOfSession) {
            long bucket = Math.floorDiv(e.time, BUCKET) * BUCKET;
            String platform = e.platform == null || e.platform.isBlank() ? "unknown" : e.platform;
            for (String p : new String[] {platform, "all"}) {
                all.computeIfAbsent(bucket + "/" + p, k -> new Expected()).outOfSessionEvents++;
            }
        }
        return all;
    }

    static final class Expected {
        final List<SessionRecord> sessions = new ArrayList<>();
        long outOfSessionEvents;

        void check(MetricsRecord r, long[] edges) {
            long timeSpent = 0, events = 0, zero = 0, empty = 0, over = 0, engaged = 0;
            long withoutSessionId = 0;
            List<Long> lengths = new ArrayList<>();
            Set<String> users = new HashSet<>();
            long[] bins = new long[edges.length - 1];
            // one event, markers only, one instant, session_id after the events (never here:
            // these sessions start at their session_id)
            long[] causes = new long[4];
            for (SessionRecord s : sessions) {
                long length = Math.max(0, s.endTime - s.sessionId);
                users.add(s.owner);
                events += s.eventCount;
                withoutSessionId += s.eventsWithoutSessionId;
                if (length == 0) {
                    zero++;
                    causes[
                            s.eventCount == 1
                                    ? 0
                                    : s.activeEventCount == 0
                                            ? 1
                                            : s.endTime == s.startTime ? 2 : 3]++;
                }
                // GA4's rule, as the test's definition sets it
                if (length >= ENGAGED_MS || s.activeEventCount >= ENGAGED_EVENTS || s.conversion)
                    engaged++;
                boolean isEmpty = s.activeEventCount == 0;
                boolean isOver = length > MAX_LENGTH;
                if (isEmpty) empty++;
                if (isOver) over++;
                if (isEmpty || isOver) continue;
                lengths.add(length);
                timeSpent += length;
                int bin = edges.length - 2;
                for (int i = 0; i < edges.length - 1; i++) {
                    if (length >= edges[i] && length < edges[i + 1]) {
                        bin = i;
                        break;
                    }
                }
                bins[bin]++;
            }
            lengths.sort(null);
            String key = r.key();
            assertThat(r.sessions).as("sessions of %s", key).isEqualTo(sessions.size());
            assertThat(r.lengthSessions).as("length sessions of %s", key).isEqualTo(lengths.size());
            assertThat(r.timeSpentMs).as("time spent of %s", key).isEqualTo(timeSpent);
            assertThat(r.distinctUsers).as("users of %s", key).isEqualTo(users.size());
            assertThat(r.events).as("events of %s", key).isEqualTo(events);
            assertThat(r.eventsWithoutSessionId)
                    .as("events without session_id of %s", key)
                    .isEqualTo(withoutSessionId);
            assertThat(r.zeroLengthSessions).as("zero-length of %s", key).isEqualTo(zero);
            assertThat(
                            new long[] {
                                r.zeroLengthOneEvent,
                                r.zeroLengthMarkersOnly,
                                r.zeroLengthOneInstant,
                                r.zeroLengthSessionIdAfterEvents
                            })
                    .as("zero-length causes of %s", key)
                    .containsExactly(causes);
            assertThat(r.emptySessions).as("empty of %s", key).isEqualTo(empty);
            assertThat(r.overLimitSessions).as("over-limit of %s", key).isEqualTo(over);
            assertThat(r.engagedSessions).as("engaged of %s", key).isEqualTo(engaged);
            assertThat(r.outOfSessionEvents)
                    .as("out-of-session events of %s", key)
                    .isEqualTo(outOfSessionEvents);
            assertThat(r.binCounts).as("bins of %s", key).containsExactly(bins);
            assertThat(r.binEdges).containsExactly(edges);
            checkPercentile(r.p50LengthMs, lengths, 0.50, key);
            checkPercentile(r.p90LengthMs, lengths, 0.90, key);
            checkPercentile(r.p99LengthMs, lengths, 0.99, key);

            ObjectNode json = r.toJson();
            assertThat(json.get("final").asBoolean()).isEqualTo(r.finalRecord);
            assertThat(json.get("length_distribution")).hasSize(edges.length - 1);
            if (lengths.isEmpty()) {
                assertThat(json.get("average_length_ms").isNull()).isTrue();
            } else {
                assertThat(json.get("average_length_ms").asDouble())
                        .isCloseTo((double) timeSpent / lengths.size(), within(1e-9));
            }
            if (!users.isEmpty()) {
                assertThat(json.get("sessions_per_user").asDouble())
                        .isCloseTo((double) sessions.size() / users.size(), within(1e-9));
                assertThat(json.get("time_spent_per_user_ms").asDouble())
                        .isCloseTo((double) timeSpent / users.size(), within(1e-9));
                assertThat(json.get("events_per_session").asDouble())
                        .isCloseTo((double) events / sessions.size(), within(1e-9));
            }
        }

        static void checkPercentile(Double actual, List<Long> sorted, double q, String key) {
            if (sorted.isEmpty()) {
                assertThat(actual).as("p%s of %s", q, key).isNull();
                return;
            }
            long exact = sorted.get((int) Math.floor(q * (sorted.size() - 1)));
            assertThat(actual)
                    .as("p%s of %s (exact %s)", q, key, exact)
                    .isCloseTo(
                            (double) exact,
                            within(exact * MetricsSettings.RELATIVE_ACCURACY + 1e-9));
        }
    }
}
