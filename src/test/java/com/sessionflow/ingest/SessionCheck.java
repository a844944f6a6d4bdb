package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.InvalidIds;
import com.sessionflow.testing.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What "nothing lost from track() to the session" means, checked on the topics: every track() the
 * SDK reported delivered is in the events topic, and every event of the topic (a resent one counted
 * once, by insert_id) lies in exactly one of its owner's sessions, whose event counts add up to
 * exactly those events. The owner is user_id, else device_id (the job's default identity).
 */
final class SessionCheck {

    private SessionCheck() {}

    static String owner(JsonNode event) {
        String user = InvalidIds.clean(event.path("user_id").asText(null));
        return user != null ? user : event.path("device_id").asText();
    }

    private static JsonNode parse(byte[] value) {
        try {
            return Upload.JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String value) {
        try {
            return Upload.JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The topic's events of these owners, each insert_id once (a resent event is a duplicate). */
    static Map<String, JsonNode> distinctEvents(
            Function<String, List<ConsumerRecord<byte[], byte[]>>> readToEnd,
            String eventsTopic,
            Set<String> owners) {
        Map<String, JsonNode> byInsertId = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readToEnd.apply(eventsTopic)) {
            JsonNode e = parse(r.value());
            if (owners.contains(owner(e))) byInsertId.putIfAbsent(e.get("insert_id").asText(), e);
        }
        return byInsertId;
    }

    /**
     * Waits until the job's sessions of the tracked events' owners count every distinct event of
     * the topic, then checks each event is in exactly one session.
     */
    static void assertEveryTrackInExactlyOneSession(
            Function<String, List<ConsumerRecord<byte[], byte[]>>> readToEnd,
            String eventsTopic,
            String sessionsTopic,
            Collection<JsonNode> tracked,
            Duration timeout)
            throws InterruptedException {
        assertThat(tracked).isNotEmpty();
        assertThat(tracked)
                .as("every track() was answered 200 in the end")
                .allSatisfy(t -> assertThat(t.get("code").asInt()).as("%s", t).isEqualTo(200));
        Set<String> owners = tracked.stream().map(SessionCheck::owner).collect(Collectors.toSet());
        Map<String, JsonNode> events = distinctEvents(readToEnd, eventsTopic, owners);
        Set<String> trackedIds = new HashSet<>();
        tracked.forEach(t -> trackedIds.add(t.get("insert_id").asText()));
        assertThat(events.keySet()).as("the events topic").containsAll(trackedIds);

        Map<String, Long> expected =
                events.values().stream()
                        .collect(Collectors.groupingBy(SessionCheck::owner, Collectors.counting()));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> log = readToEnd.apply(sessionsTopic);
        while (!counts(sessions(log, owners)).equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "within "
                                + timeout
                                + " the sessions' event counts by owner did not become "
                                + expected
                                + ": they are "
                                + counts(sessions(log, owners)));
            }
            Thread.sleep(250);
            log = readToEnd.apply(sessionsTopic);
        }
        List<JsonNode> sessions = sessions(log, owners);
        assertThat(counts(sessions)).isEqualTo(expected);
        for (JsonNode e : events.values()) {
            long time = e.get("time").asLong();
            List<JsonNode> holding =
                    sessions.stream()
                            .filter(s -> s.get("owner").asText().equals(owner(e)))
                            .filter(
                                    s ->
                                            s.get("start_time").asLong() <= time
                                                    && time <= s.get("end_time").asLong())
                            .toList();
            assertThat(holding).as("the sessions holding %s", e).hasSize(1);
        }
    }

    /** The current sessions (the topic folded by key, tombstones dropped) of these owners. */
    private static List<JsonNode> sessions(
            List<ConsumerRecord<byte[], byte[]>> log, Set<String> owners) {
        List<JsonNode> out = new ArrayList<>();
        for (String value : KafkaBroker.fold(log).values()) {
            JsonNode s = parse(value);
            if (owners.contains(s.get("owner").asText())) out.add(s);
        }
        return out;
    }

    private static Map<String, Long> counts(List<JsonNode> sessions) {
        return sessions.stream()
                .collect(
                        Collectors.groupingBy(
                                s -> s.get("owner").asText(),
                                Collectors.summingLong(s -> s.get("event_count").asLong())));
    }
}
