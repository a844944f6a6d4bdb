package com.sessionflow.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.session.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately simple batch sessionizer written straight from SPEC §2, independent of the
 * job's own session code (it never calls OwnerTimeline or Session): the truth tests compare the
 * streaming job against.
 *
 * <ol>
 *   <li>drop repeated (device_id, insert_id) pairs, the first one wins (events without an
 *       insert_id are never duplicates);</li>
 *   <li>set aside out-of-session events: session_id == -1 or an inactive event type;</li>
 *   <li>group by owner, sort by (time, event_type);</li>
 *   <li>start a new session whenever an event comes {@code gap} or more after the previous
 *       in-session event.</li>
 * </ol>
 */
public final class ReferenceSessionizer {

    /** SPEC §2's default session markers (written out here on purpose, not taken from the job). */
    public static final Set<String> DEFAULT_MARKERS = Set.of(
            "session_start", "session_end", "[Amplitude] Start Session", "[Amplitude] End Session");

    private ReferenceSessionizer() {}

    /** One session as SPEC §2 defines it. */
    public record ExpectedSession(
            String owner,
            long sessionId,
            long endTime,
            long eventCount,
            long activeEventCount,
            String firstEventType,
            String lastEventType,
            String userId,
            String deviceId,
            String platform) {

        /** The Kafka key of its record: {@code <owner>/<session_id>}. */
        public String key() {
            return owner + "/" + sessionId;
        }

        public long startTime() {
            return sessionId;
        }

        public long lengthMs() {
            return Math.max(0, endTime - sessionId);
        }

        public boolean zeroLength() {
            return lengthMs() == 0;
        }

        public boolean empty() {
            return activeEventCount == 0;
        }

        /** The same fields read from the job's Session summary. */
        public static ExpectedSession of(Session s) {
            return new ExpectedSession(s.owner, s.sessionId, s.endTime, s.eventCount, s.activeEventCount,
                    s.firstEventType, s.lastEventType, s.userId, s.deviceId, s.platform);
        }

        /** The same fields read from a session record's JSON (JsonRecords.session). */
        public static ExpectedSession of(JsonNode n) {
            return new ExpectedSession(text(n, "owner"), n.get("session_id").asLong(), n.get("end_time").asLong(),
                    n.get("event_count").asLong(), n.get("active_event_count").asLong(),
                    text(n, "first_event_type"), text(n, "last_event_type"),
                    text(n, "user_id"), text(n, "device_id"), text(n, "platform"));
        }

        public boolean matches(Session s) {
            return equals(of(s));
        }

        /**
         * True when a session record's JSON says what this session is, including the derived
         * fields start_time, length_ms, zero_length and empty.
         */
        public boolean matches(JsonNode n) {
            return equals(of(n))
                    && n.path("start_time").asLong(Long.MIN_VALUE) == startTime()
                    && n.path("length_ms").asLong(Long.MIN_VALUE) == lengthMs()
                    && n.path("zero_length").isBoolean() && n.get("zero_length").asBoolean() == zeroLength()
                    && n.path("empty").isBoolean() && n.get("empty").asBoolean() == empty();
        }

        private static String text(JsonNode n, String field) {
            JsonNode v = n.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }
    }

    /** With SPEC's default markers and no inactive event types. */
    public static List<ExpectedSession> sessionize(Collection<Event> events, long gapMs) {
        return sessionize(events, gapMs, DEFAULT_MARKERS, Set.of());
    }

    /**
     * @return every session, sorted by owner then session_id
     */
    public static List<ExpectedSession> sessionize(
            Collection<Event> events, long gapMs, Set<String> markers, Set<String> inactive) {
        // 1. duplicates: the first (device_id, insert_id) wins
        Set<List<String>> seen = new HashSet<>();
        // 2 + 3. in-session events by owner
        Map<String, List<Event>> byOwner = new TreeMap<>();
        for (Event e : events) {
            if (e.insertId != null && !seen.add(List.of(String.valueOf(e.deviceId), e.insertId))) continue;
            if (e.sdkSessionId == -1L || inactive.contains(e.eventType)) continue;
            byOwner.computeIfAbsent(e.owner, o -> new ArrayList<>()).add(e);
        }
        Comparator<Event> order = Comparator.<Event>comparingLong(e -> e.time)
                .thenComparing(e -> e.eventType);
        List<ExpectedSession> result = new ArrayList<>();
        for (Map.Entry<String, List<Event>> owner : byOwner.entrySet()) {
            List<Event> sorted = owner.getValue();
            sorted.sort(order);
            // 4. cut at gaps of `gap` or more
            List<Event> current = new ArrayList<>();
            for (Event e : sorted) {
                if (!current.isEmpty() && e.time - current.get(current.size() - 1).time >= gapMs) {
                    result.add(summarize(owner.getKey(), current, markers));
                    current = new ArrayList<>();
                }
                current.add(e);
            }
            if (!current.isEmpty()) result.add(summarize(owner.getKey(), current, markers));
        }
        return result;
    }

    /** The sessions by key ({@code <owner>/<session_id>}), as a compacted topic would hold them. */
    public static Map<String, ExpectedSession> byKey(List<ExpectedSession> sessions) {
        Map<String, ExpectedSession> m = new LinkedHashMap<>();
        for (ExpectedSession s : sessions) {
            ExpectedSession before = m.put(s.key(), s);
            if (before != null) throw new IllegalStateException("two sessions with key " + s.key());
        }
        return m;
    }

    /** The out-of-session events that survive deduplication, counted per owner. */
    public static Map<String, Long> outOfSessionCounts(Collection<Event> events, Set<String> inactive) {
        Set<List<String>> seen = new HashSet<>();
        Map<String, Long> counts = new TreeMap<>();
        for (Event e : events) {
            if (e.insertId != null && !seen.add(List.of(String.valueOf(e.deviceId), e.insertId))) continue;
            if (e.sdkSessionId == -1L || inactive.contains(e.eventType)) counts.merge(e.owner, 1L, Long::sum);
        }
        return counts;
    }

    private static ExpectedSession summarize(String owner, List<Event> sorted, Set<String> markers) {
        Event first = sorted.get(0);
        Event last = sorted.get(sorted.size() - 1);
        long active = sorted.stream().filter(e -> !markers.contains(e.eventType)).count();
        Objects.requireNonNull(owner);
        return new ExpectedSession(owner, first.time, last.time, sorted.size(), active,
                first.eventType, last.eventType, first.userId, first.deviceId, first.platform);
    }
}
