package com.sessionflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.demo.TrafficRecord.Trait;
import com.sessionflow.event.Event;
import com.sessionflow.event.EventParser;
import com.sessionflow.event.Identity;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.event.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {

    private static final long START = 1_764_000_000_000L;
    private static final Duration GAP = Duration.ofMinutes(5);
    private static final long HOUR = 3_600_000L;
    private static final EventParser PARSER =
            new EventParser(Identity.USER, null, 262_144, 10 * 60_000L);
    private static final Map<Trait, Rejection> BAD =
            Map.of(
                    Trait.NOT_JSON, Rejection.NOT_JSON,
                    Trait.NO_OWNER, Rejection.NO_OWNER,
                    Trait.BAD_TIME, Rejection.BAD_TIME,
                    Trait.CLOCK_AHEAD, Rejection.CLOCK_AHEAD);

    /** Three hours of 200 users, as the demo produces them. */
    private static List<TrafficRecord> traffic;

    @BeforeAll
    static void generate() {
        traffic = new TrafficGenerator(7, START, 200, GAP).until(START + 3 * HOUR);
    }

    @Test
    void sameSeedGivesTheSameTraffic() {
        List<String> again =
                describe(new TrafficGenerator(7, START, 200, GAP).until(START + 3 * HOUR));
        assertThat(again).isEqualTo(describe(traffic));
        assertThat(describe(new TrafficGenerator(8, START, 200, GAP).until(START + HOUR)))
                .isNotEqualTo(describe(traffic).subList(0, 100));
    }

    @Test
    void recordsComeInTimestampOrderFromTheStart() {
        assertThat(traffic).hasSizeGreaterThan(2000);
        assertThat(traffic.get(0).timestamp()).isGreaterThanOrEqualTo(START);
        for (int i = 1; i < traffic.size(); i++) {
            assertThat(traffic.get(i).timestamp())
                    .isGreaterThanOrEqualTo(traffic.get(i - 1).timestamp());
        }
    }

    @Test
    void everyKindOfRecordIsThere() {
        Map<Trait, Integer> counts = new EnumMap<>(Trait.class);
        for (TrafficRecord r : traffic) r.traits().forEach(t -> counts.merge(t, 1, Integer::sum));
        assertThat(counts.keySet()).containsExactlyInAnyOrder(Trait.values());
        int bad = BAD.keySet().stream().mapToInt(t -> counts.get(t)).sum();
        // a few bad records: present, but rare
        assertThat(bad).isLessThan(traffic.size() / 50);
        assertThat(counts.get(Trait.OFFLINE_BATCH))
                .isLessThan(counts.get(Trait.V2_REQUEST_BODY) / 10);
    }

    @Test
    void goodRecordsParseAndBadOnesAreRejectedForTheirReason() {
        for (int i = 0; i < traffic.size(); i++) {
            TrafficRecord r = traffic.get(i);
            List<ParsedRecord> parsed = parse(r, i);
            Rejection expected =
                    r.traits().stream()
                            .filter(BAD::containsKey)
                            .map(BAD::get)
                            .findFirst()
                            .orElse(null);
            if (expected == null) {
                assertThat(parsed).as(r.valueText()).allMatch(ParsedRecord::isEvent).isNotEmpty();
            } else {
                assertThat(parsed)
                        .as(r.valueText())
                        .singleElement()
                        .satisfies(p -> assertThat(p.deadLetter.reason).isEqualTo(expected));
            }
        }
    }

    @Test
    void eventsCarryWhatTheirTraitsSay() {
        int withSdkSession = 0;
        int webWithout = 0;
        for (int i = 0; i < traffic.size(); i++) {
            TrafficRecord r = traffic.get(i);
            if (r.isBad()) continue;
            List<Event> events = events(r, i);
            if (r.is(Trait.MOBILE)) {
                assertThat(events).allMatch(Event::hasSdkSessionId);
                withSdkSession++;
            }
            if (r.is(Trait.WEB) && r.is(Trait.V2_EVENT)) {
                assertThat(events).noneMatch(Event::hasSdkSessionId);
                webWithout++;
            }
            assertThat(events.stream().anyMatch(e -> e.sdkSessionId == Event.OUT_OF_SESSION_ID))
                    .isEqualTo(r.is(Trait.OUT_OF_SESSION));
            if (r.is(Trait.V2_REQUEST_BODY)) assertThat(r.valueText()).startsWith("{\"api_key\":");
            if (r.is(Trait.EXPORT_LINE))
                assertThat(r.valueText()).contains("\"$insert_id\"", "\"amplitude_id\"");
        }
        assertThat(withSdkSession).isPositive();
        assertThat(webWithout).isPositive();
    }

    @Test
    void deliveryIsOutOfOrderWithinTheBoundExceptOfflineBatches() {
        long maxEventTime = Long.MIN_VALUE;
        int overtaken = 0;
        int beyondAnHour = 0;
        for (int i = 0; i < traffic.size(); i++) {
            TrafficRecord r = traffic.get(i);
            if (r.isBad()) continue;
            for (Event e : events(r, i)) {
                long lag = r.timestamp() - e.time;
                assertThat(lag).isNotNegative();
                if (r.is(Trait.OFFLINE_BATCH)) {
                    assertThat(lag).isGreaterThan(GAP.toMillis());
                    if (lag > HOUR) beyondAnHour++;
                } else if (!r.is(Trait.DUPLICATE)) {
                    assertThat(lag).isLessThan(TrafficGenerator.MAX_LAG_MS);
                    if (e.time < maxEventTime) overtaken++;
                    maxEventTime = Math.max(maxEventTime, e.time);
                }
            }
        }
        assertThat(overtaken).isPositive();
        assertThat(beyondAnHour).isPositive();
    }

    @Test
    void duplicatesRepeatEarlierInsertIds() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < traffic.size(); i++) {
            TrafficRecord r = traffic.get(i);
            if (r.isBad()) continue;
            for (Event e : events(r, i)) {
                boolean firstTime = seen.add(e.deviceId + "/" + e.insertId);
                assertThat(firstTime).as(r.valueText()).isEqualTo(!r.is(Trait.DUPLICATE));
            }
        }
    }

    private static List<ParsedRecord> parse(TrafficRecord r, long offset) {
        List<ParsedRecord> out = new ArrayList<>();
        byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
        PARSER.parse(
                new RecordOrigin("events", 0, offset, r.timestamp(), key, r.value()), out::add);
        return out;
    }

    private static List<Event> events(TrafficRecord r, long offset) {
        return parse(r, offset).stream().map(p -> p.event).toList();
    }

    private static List<String> describe(List<TrafficRecord> records) {
        return records.stream()
                .map(r -> r.key() + " " + r.timestamp() + " " + r.traits() + " " + r.valueText())
                .toList();
    }
}
