package com.sessionflow.functions;

import static com.sessionflow.reference.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerRateLimit.Action;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runaway-owner guard in the sessionizer, in Flink's operator harness: a bot among people, with
 * each --over-rate action, across a snapshot and restore.
 */
class RunawayOwnerTest {

    static final long MINUTE = 60_000;
    static final long T0 = 1_700_000_040_000L; // a minute boundary
    static final int LIMIT = 10;
    static final OwnerTimeline TIMELINE =
            new OwnerTimeline(
                    SessionDefinition.builder().gap(Duration.ofMinutes(5)).build(),
                    Duration.ofMinutes(10).toMillis());
    static final long DEDUP = Duration.ofHours(1).toMillis();

    /** 25 events of the bot in one minute, each with its own insert id; a person's 5 in it. */
    static List<Event> traffic() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            events.add(at("bot", T0 + 1000L * i).insertId("b" + i).build());
            if (i % 5 == 0) events.add(at("person", T0 + 1000L * i).insertId("p" + i).build());
        }
        return events;
    }

    SessionizerHarness harness(Action action) throws Exception {
        return new SessionizerHarness(TIMELINE, DEDUP, new OwnerRateLimit(LIMIT, action));
    }

    @Test
    void quarantineKeepsTheBotsSessionToTheLimitAndFlagsIt() throws Exception {
        try (SessionizerHarness h = harness(Action.QUARANTINE)) {
            traffic().forEach(e -> event(h, e));
            h.watermark(Long.MAX_VALUE);
            Map<String, SessionRecord> sessions = h.compacted();
            SessionRecord bot = sessions.get("bot/" + T0);
            SessionRecord person = sessions.get("person/" + T0);
            assertThat(bot.eventCount).isEqualTo(LIMIT);
            assertThat(bot.overRate).isTrue();
            assertThat(person.eventCount).isEqualTo(5);
            assertThat(person.overRate).isFalse();
            assertThat(h.quarantined())
                    .hasSize(25 - LIMIT)
                    .allSatisfy(
                            q -> {
                                assertThat(q.event.owner).isEqualTo("bot");
                                assertThat(q.minute).isEqualTo(T0);
                                assertThat(q.eventsPerMinute).isEqualTo(LIMIT);
                                assertThat(q.reason()).isEqualTo("owner_over_rate");
                            });
            assertThat(h.quarantined())
                    .extracting(q -> q.event.time)
                    .containsExactlyElementsOf(times(LIMIT, 25));
        }
    }

    @Test
    void dropOnlyCountsAndKeepKeepsEveryEvent() throws Exception {
        try (SessionizerHarness h = harness(Action.DROP)) {
            traffic().forEach(e -> event(h, e));
            h.watermark(Long.MAX_VALUE);
            assertThat(h.compacted().get("bot/" + T0).eventCount).isEqualTo(LIMIT);
            assertThat(h.quarantined()).isEmpty();
        }
        try (SessionizerHarness h = harness(Action.KEEP)) {
            traffic().forEach(e -> event(h, e));
            h.watermark(Long.MAX_VALUE);
            SessionRecord bot = h.compacted().get("bot/" + T0);
            assertThat(bot.eventCount).isEqualTo(25);
            assertThat(bot.overRate).isTrue();
            assertThat(h.quarantined()).isEmpty();
        }
    }

    @Test
    void aRetryOfAQuarantinedEventIsQuarantinedAgainNotDroppedAsADuplicate() throws Exception {
        try (SessionizerHarness h = harness(Action.QUARANTINE)) {
            traffic().forEach(e -> event(h, e));
            Event retry = at("bot", T0 + 24_000).insertId("b24").build();
            event(h, retry);
            h.watermark(Long.MAX_VALUE);
            assertThat(h.quarantined()).hasSize(25 - LIMIT + 1);
        }
    }

    @Test
    void theCountSurvivesASnapshotAndTheNextMinuteStartsAfresh() throws Exception {
        try (SessionizerHarness h = harness(Action.QUARANTINE)) {
            List<Event> events = traffic();
            events.subList(0, 8).forEach(e -> event(h, e)); // the bot's first 6, the person's 2
            h.snapshotAndRestore();
            events.subList(8, events.size()).forEach(e -> event(h, e));
            assertThat(h.quarantined()).hasSize(25 - LIMIT);
            // a minute later the bot is a sender like any other again
            for (int i = 0; i < LIMIT; i++) {
                event(h, at("bot", T0 + MINUTE + i).insertId("next" + i).build());
            }
            h.watermark(Long.MAX_VALUE);
            assertThat(h.quarantined()).hasSize(25 - LIMIT);
            assertThat(h.compacted().get("bot/" + T0).eventCount).isEqualTo(2L * LIMIT);
        }
    }

    @Test
    void offLetsEverythingThrough() throws Exception {
        try (SessionizerHarness h = new SessionizerHarness(TIMELINE, DEDUP, OwnerRateLimit.OFF)) {
            traffic().forEach(e -> event(h, e));
            h.watermark(Long.MAX_VALUE);
            SessionRecord bot = h.compacted().get("bot/" + T0);
            assertThat(bot.eventCount).isEqualTo(25);
            assertThat(bot.overRate).isFalse();
        }
    }

    static List<Long> times(int from, int to) {
        List<Long> t = new ArrayList<>();
        for (int i = from; i < to; i++) t.add(T0 + i * 1000L);
        return t;
    }

    static void event(SessionizerHarness h, Event e) {
        try {
            h.event(e);
        } catch (Exception x) {
            throw new IllegalStateException(x);
        }
    }
}
