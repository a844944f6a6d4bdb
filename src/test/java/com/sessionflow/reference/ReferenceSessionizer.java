package com.sessionflow.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import com.sessionflow.session.SessionRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deliberately simple batch sessionizer written straight from session-rules §2, independent of
 * the job's own session code (it never calls OwnerTimeline or Session): the truth tests compare the
 * streaming job against.
 *
 * <ol>
 *   <li>drop repeated (device_id, insert_id) pairs, the first one wins (events without an insert_id
 *       are never duplicates);
 *   <li>set aside out-of-session events: session_id == -1 or an inactive event type;
 *   <li>group by owner, sort by (time, event_type);
 *   <li>start a new session whenever an event comes {@code gap} or more after the previous
 *       in-session event.
 * </ol>
 */
public final class ReferenceSessionizer {

    /**
     * session-rules §2's default session markers (written out here on purpose, not taken from the
     * job).
     */
    public static final Set<String> DEFAULT_MARKERS =
            Set.of(
                    "session_start",
                    "session_end",
                    "[Amplitude] Start Session",
                    "[Amplitude] End Session");

    private ReferenceSessionizer() {}

    /** One session as session-rules §2 defines it. */
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
            String platform,
            String entryEventType,
            String exitEventType,
            List<String> deviceIds,
            long eventsWithoutSessionId,
            Map<String, String> firstTouch,
            List<String> firstProperties,
            List<String> lastProperties) {

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
        public static ExpectedSession of(SessionRecord s) {
            return new ExpectedSession(
                    s.owner,
                    s.sessionId,
                    s.endTime,
                    s.eventCount,
                    s.activeEventCount,
                    s.firstEventType,
                    s.lastEventType,
                    s.userId,
                    s.deviceId,
                    s.platform,
                    s.entryEventType,
                    s.exitEventType,
                    s.deviceIds,
                    s.eventsWithoutSessionId,
                    firstTouch(s.entryContext),
                    properties(s.entryContext),
                    properties(s.exitContext));
        }

        /** Another session id, for the SDK's: everything else as it is. */
        ExpectedSession withSessionId(long id) {
            return new ExpectedSession(
                    owner,
                    id,
                    endTime,
                    eventCount,
                    activeEventCount,
                    firstEventType,
                    lastEventType,
                    userId,
                    deviceId,
                    platform,
                    entryEventType,
                    exitEventType,
                    deviceIds,
                    eventsWithoutSessionId,
                    firstTouch,
                    firstProperties,
                    lastProperties);
        }

        /** The same fields read from a session record's JSON (JsonRecords.session). */
        public static ExpectedSession of(JsonNode n) {
            return new ExpectedSession(
                    text(n, "owner"),
                    n.get("session_id").asLong(),
                    n.get("end_time").asLong(),
                    n.get("event_count").asLong(),
                    n.get("active_event_count").asLong(),
                    text(n, "first_event_type"),
                    text(n, "last_event_type"),
                    text(n, "user_id"),
                    text(n, "device_id"),
                    text(n, "platform"),
                    text(n, "entry_event_type"),
                    text(n, "exit_event_type"),
                    texts(n.get("device_ids")),
                    n.get("events_without_session_id").asLong(),
                    firstTouch(n),
                    properties(n.get("first_properties")),
                    properties(n.get("last_properties")));
        }

        /** The record's first-touch fields that have a value, by field name. */
        private static Map<String, String> firstTouch(JsonNode n) {
            Map<String, String> m = new TreeMap<>();
            for (String field : EventContext.FIELD_NAMES) {
                if (text(n, field) != null) m.put(field, text(n, field));
            }
            return m;
        }

        private static Map<String, String> firstTouch(EventContext c) {
            Map<String, String> m = new TreeMap<>();
            if (c == null) return m;
            String[] fields = c.fields();
            for (int i = 0; i < fields.length; i++) {
                if (fields[i] != null) m.put(EventContext.FIELD_NAMES.get(i), fields[i]);
            }
            return m;
        }

        /**
         * Chosen properties' values in order, up to the last one that has a value; null when none
         * has one.
         */
        private static List<String> properties(JsonNode object) {
            if (object == null || object.isNull()) return null;
            List<String> values = new ArrayList<>();
            object.elements().forEachRemaining(v -> values.add(v.isNull() ? null : v.asText()));
            return upToTheLastValue(values);
        }

        private static List<String> properties(EventContext c) {
            return c == null || c.properties == null
                    ? null
                    : upToTheLastValue(Arrays.asList(c.properties));
        }

        private static List<String> upToTheLastValue(List<String> values) {
            int n = values.size();
            while (n > 0 && values.get(n - 1) == null) n--;
            return n == 0 ? null : new ArrayList<>(values.subList(0, n));
        }

        private static List<String> texts(JsonNode array) {
            List<String> values = new ArrayList<>();
            array.elements().forEachRemaining(v -> values.add(v.asText()));
            return values;
        }

        public boolean matches(SessionRecord s) {
            return equals(of(s));
        }

        /**
         * True when a session record's JSON says what this session is, including the derived fields
         * start_time, length_ms, zero_length and empty.
         */
        public boolean matches(JsonNode n) {
            return equals(of(n))
                    && n.path("start_time").asLong(Long.MIN_VALUE) == startTime()
                    && n.path("length_ms").asLong(Long.MIN_VALUE) == lengthMs()
                    && n.path("zero_length").isBoolean()
                    && n.get("zero_length").asBoolean() == zeroLength()
                    && n.path("empty").isBoolean()
                    && n.get("empty").asBoolean() == empty();
        }

        private static String text(JsonNode n, String field) {
            JsonNode v = n.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }
    }

    /** With session-rules §2's default markers and no inactive event types. */
    public static List<ExpectedSession> sessionize(Collection<Event> events, long gapMs) {
        return sessionize(events, gapMs, DEFAULT_MARKERS, Set.of());
    }

    /** Returns every session, sorted by owner then session_id. */
    public static List<ExpectedSession> sessionize(
            Collection<Event> events, long gapMs, Set<String> markers, Set<String> inactive) {
        // 1. duplicates: the first (device_id, insert_id) wins
        Set<List<String>> seen = new HashSet<>();
        // 2 + 3. in-session events by owner
        Map<String, List<Event>> byOwner = new TreeMap<>();
        for (Event e : events) {
            if (e.insertId != null && !seen.add(List.of(String.valueOf(e.deviceId), e.insertId)))
                continue;
            if (e.sdkSessionId == -1L || inactive.contains(e.eventType)) continue;
            byOwner.computeIfAbsent(e.owner, o -> new ArrayList<>()).add(e);
        }
        Comparator<Event> order =
                Comparator.<Event>comparingLong(e -> e.time).thenComparing(e -> e.eventType);
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

    /**
     * Amplitude's identity rules ("How Amplitude assigns Amplitude IDs"), written out for the
     * reference: copies of the events, each owned by its user_id; an anonymous one (device_id, no
     * user_id) by the user of its device's last identified event at or before it; before the
     * device's first identified event, by that event's user if its visit (the device's anonymous
     * events before that login, cut where two are {@code gapMs} or more apart) ends at most {@code
     * holdMs} before the login, else by its device. Ties at one millisecond are not defined:
     * generators avoid them.
     */
    public static List<Event> mergeIdentities(Collection<Event> events, long holdMs, long gapMs) {
        Map<String, TreeMap<Long, String>> identified = new TreeMap<>();
        Map<String, NavigableSet<Long>> beforeLogin = new TreeMap<>();
        for (Event e : events) {
            if (e.userId != null && e.deviceId != null) {
                identified.computeIfAbsent(e.deviceId, d -> new TreeMap<>()).put(e.time, e.userId);
            }
        }
        for (Event e : events) {
            TreeMap<Long, String> users = identified.get(e.deviceId);
            if (e.userId == null && users != null && e.time < users.firstKey()) {
                beforeLogin.computeIfAbsent(e.deviceId, d -> new TreeSet<>()).add(e.time);
            }
        }
        List<Event> merged = new ArrayList<>();
        for (Event e : events) {
            Event c = e.copy();
            if (e.userId != null) {
                c.owner = e.userId;
            } else if (e.deviceId != null) {
                TreeMap<Long, String> users = identified.get(e.deviceId);
                Map.Entry<Long, String> before = users == null ? null : users.floorEntry(e.time);
                if (before != null) c.owner = before.getValue();
                else if (users != null
                        && visitEnd(beforeLogin.get(e.deviceId), e.time, gapMs)
                                >= users.firstKey() - holdMs)
                    c.owner = users.firstEntry().getValue();
                else c.owner = e.deviceId;
            }
            merged.add(c);
        }
        return merged;
    }

    /** The last of {@code times} reached from {@code t} by steps shorter than {@code gapMs}. */
    private static long visitEnd(NavigableSet<Long> times, long t, long gapMs) {
        long end = t;
        for (Long next = times.higher(end);
                next != null && next - end < gapMs;
                next = times.higher(end)) {
            end = next;
        }
        return end;
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
    public static Map<String, Long> outOfSessionCounts(
            Collection<Event> events, Set<String> inactive) {
        Set<List<String>> seen = new HashSet<>();
        Map<String, Long> counts = new TreeMap<>();
        for (Event e : events) {
            if (e.insertId != null && !seen.add(List.of(String.valueOf(e.deviceId), e.insertId)))
                continue;
            if (e.sdkSessionId == -1L || inactive.contains(e.eventType))
                counts.merge(e.owner, 1L, Long::sum);
        }
        return counts;
    }

    /**
     * A session definition as session-rules §3 describes it, written out for the reference (not the
     * job's SessionDefinition): {@code kind} is gap, client or property (then {@code property}
     * names it); {@code splitAtMs} is the maximum length sessions are split at, 0 when they are not
     * split; {@code midnight} the zone at whose local midnight inferred sessions end, null when
     * they do not.
     */
    public record Rules(
            String kind,
            String property,
            long gapMs,
            Map<String, Long> platformGaps,
            Set<String> markers,
            Set<String> inactive,
            Set<String> start,
            Set<String> end,
            Set<String> blocked,
            long splitAtMs,
            ZoneId midnight) {

        public Rules(
                String kind,
                String property,
                long gapMs,
                Map<String, Long> platformGaps,
                Set<String> markers,
                Set<String> inactive,
                Set<String> start,
                Set<String> end,
                Set<String> blocked) {
            this(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    inactive,
                    start,
                    end,
                    blocked,
                    0,
                    null);
        }

        public static Rules gap(long gapMs) {
            return new Rules(
                    "gap",
                    null,
                    gapMs,
                    Map.of(),
                    DEFAULT_MARKERS,
                    Set.of(),
                    Set.of(),
                    Set.of(),
                    Set.of());
        }

        /** Split sessions at this maximum length (0: never). */
        public Rules splitAt(long maxLengthMs) {
            return new Rules(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    inactive,
                    start,
                    end,
                    blocked,
                    maxLengthMs,
                    midnight);
        }

        public Rules kind(String kind, String property) {
            return new Rules(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    inactive,
                    start,
                    end,
                    blocked,
                    splitAtMs,
                    midnight);
        }

        public Rules platformGaps(Map<String, Long> gaps) {
            return new Rules(
                    kind, property, gapMs, gaps, markers, inactive, start, end, blocked, splitAtMs,
                    midnight);
        }

        public Rules inactive(Set<String> types) {
            return new Rules(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    types,
                    start,
                    end,
                    blocked,
                    splitAtMs,
                    midnight);
        }

        public Rules startEnd(Set<String> startTypes, Set<String> endTypes) {
            return new Rules(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    inactive,
                    startTypes,
                    endTypes,
                    blocked,
                    splitAtMs,
                    midnight);
        }

        public Rules blocked(Set<String> types) {
            return new Rules(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    inactive,
                    start,
                    end,
                    types,
                    splitAtMs,
                    midnight);
        }

        /** End inferred sessions at local midnight of the zone (null: never). */
        public Rules splitAtMidnight(ZoneId zone) {
            return new Rules(
                    kind,
                    property,
                    gapMs,
                    platformGaps,
                    markers,
                    inactive,
                    start,
                    end,
                    blocked,
                    splitAtMs,
                    zone);
        }

        /** The two times fall on different local days of the midnight zone. */
        boolean newDay(long previous, long next) {
            return midnight != null
                    && !Instant.ofEpochMilli(previous)
                            .atZone(midnight)
                            .toLocalDate()
                            .equals(Instant.ofEpochMilli(next).atZone(midnight).toLocalDate());
        }

        /** The gap of an event: its platform's, else its os_name's (any case), else the default. */
        long gapOf(Event e) {
            for (String name : new String[] {e.platform, e.osName}) {
                if (name == null) continue;
                for (Map.Entry<String, Long> g : platformGaps.entrySet()) {
                    if (g.getKey().equalsIgnoreCase(name.trim())) return g.getValue();
                }
            }
            return gapMs;
        }

        boolean outOfSession(Event e) {
            return e.sdkSessionId == -1L
                    || inactive.contains(e.eventType)
                    || (kind.equals("property") && e.sessionProperty == null);
        }

        /**
         * 0 for start events, 2 for end events, 1 for the others: the order within one millisecond.
         */
        int rank(Event e) {
            return start.contains(e.eventType) ? 0 : end.contains(e.eventType) ? 2 : 1;
        }
    }

    /**
     * A session of a definition: the session, its group (part of the key when not null), who
     * decided it, and whether the maximum length alone cut it (the next one starts there only
     * because of the split).
     */
    public record DefinedSession(
            ExpectedSession session, String group, boolean fromSdk, boolean cutByMaxLength) {
        /** {@code <owner>/<session_id>}, plus {@code /<group>} when there is a group. */
        public String key() {
            return session.key() + (group == null ? "" : "/" + group);
        }
    }

    /**
     * The sessions of any definition (session-rules §3): drop blocked types, then duplicates, set
     * aside out-of-session events, group each owner's events (client: by SDK session_id, the events
     * without one together; property: by value; gap: all together), sort each group by (time, start
     * events first and end events last, type), and walk it: a new session starts at an event later
     * than the previous one that is a start event, or follows an end event, or comes its own gap or
     * more after it, or (split at a maximum length) comes the maximum length or more after the
     * current session's first event, or (split at midnight) falls on a later local day. An SDK
     * session_id group is one session, whatever the times.
     */
    public static List<DefinedSession> sessionize(Collection<Event> events, Rules rules) {
        Set<List<String>> seen = new HashSet<>();
        Map<List<String>, List<Event>> groups =
                new TreeMap<>(
                        Comparator.comparing((List<String> k) -> k.get(0))
                                .thenComparing(k -> k.get(1))
                                .thenComparing(k -> k.get(2)));
        for (Event e : events) {
            if (rules.blocked().contains(e.eventType)) continue;
            if (e.insertId != null && !seen.add(List.of(String.valueOf(e.deviceId), e.insertId)))
                continue;
            if (rules.outOfSession(e)) continue;
            String sdk = "";
            String group = "";
            if (rules.kind().equals("client")) {
                if (e.sdkSessionId != Event.NO_SESSION_ID) sdk = Long.toString(e.sdkSessionId);
                else group = "inferred";
            } else if (rules.kind().equals("property")) {
                group = e.sessionProperty;
            }
            groups.computeIfAbsent(List.of(e.owner, sdk, group), k -> new ArrayList<>()).add(e);
        }
        Comparator<Event> order =
                Comparator.<Event>comparingLong(e -> e.time)
                        .thenComparingInt(rules::rank)
                        .thenComparing(e -> e.eventType);
        List<DefinedSession> result = new ArrayList<>();
        for (Map.Entry<List<String>, List<Event>> g : groups.entrySet()) {
            String owner = g.getKey().get(0);
            boolean sdk = !g.getKey().get(1).isEmpty();
            String group = g.getKey().get(2).isEmpty() ? null : g.getKey().get(2);
            List<Event> sorted = g.getValue();
            sorted.sort(order);
            List<Event> current = new ArrayList<>();
            for (Event e : sorted) {
                if (!current.isEmpty() && !sdk) {
                    Event prev = current.get(current.size() - 1);
                    boolean cut =
                            e.time > prev.time
                                    && (rules.start().contains(e.eventType)
                                            || rules.end().contains(prev.eventType)
                                            || e.time - prev.time >= rules.gapOf(e)
                                            || rules.newDay(prev.time, e.time));
                    boolean tooLong =
                            rules.splitAtMs() > 0
                                    && e.time - current.get(0).time >= rules.splitAtMs();
                    if (cut || tooLong) {
                        result.add(
                                new DefinedSession(
                                        summarize(owner, current, rules.markers()),
                                        group,
                                        false,
                                        !cut));
                        current = new ArrayList<>();
                    }
                }
                current.add(e);
            }
            ExpectedSession last = summarize(owner, current, rules.markers());
            if (sdk) last = last.withSessionId(Long.parseLong(g.getKey().get(1)));
            result.add(new DefinedSession(last, group, sdk, false));
        }
        return result;
    }

    /** The sessions by key, as a compacted topic would hold them. */
    public static Map<String, ExpectedSession> byDefinedKey(List<DefinedSession> sessions) {
        Map<String, ExpectedSession> m = new TreeMap<>();
        for (DefinedSession s : sessions) {
            ExpectedSession before = m.put(s.key(), s.session());
            if (before != null) throw new IllegalStateException("two sessions with key " + s.key());
        }
        return m;
    }

    /**
     * The out-of-session events of a definition that survive blocking and deduplication, per owner.
     */
    public static Map<String, Long> outOfSessionCounts(Collection<Event> events, Rules rules) {
        Set<List<String>> seen = new HashSet<>();
        Map<String, Long> counts = new TreeMap<>();
        for (Event e : events) {
            if (rules.blocked().contains(e.eventType)) continue;
            if (e.insertId != null && !seen.add(List.of(String.valueOf(e.deviceId), e.insertId)))
                continue;
            if (rules.outOfSession(e)) counts.merge(e.owner, 1L, Long::sum);
        }
        return counts;
    }

    private static ExpectedSession summarize(
            String owner, List<Event> sorted, Set<String> markers) {
        Event first = sorted.get(0);
        Event last = sorted.get(sorted.size() - 1);
        List<Event> active = sorted.stream().filter(e -> !markers.contains(e.eventType)).toList();
        Event entry = active.isEmpty() ? null : active.get(0);
        Event exit = active.isEmpty() ? null : active.get(active.size() - 1);
        Objects.requireNonNull(owner);
        return new ExpectedSession(
                owner,
                first.time,
                last.time,
                sorted.size(),
                active.size(),
                first.eventType,
                last.eventType,
                first.userId,
                first.deviceId,
                first.platform,
                entry == null ? null : entry.eventType,
                exit == null ? null : exit.eventType,
                sorted.stream()
                        .map(e -> e.deviceId)
                        .filter(Objects::nonNull)
                        .distinct()
                        .sorted()
                        .toList(),
                sorted.stream().filter(e -> !e.hasSdkSessionId()).count(),
                ExpectedSession.firstTouch(entry == null ? null : entry.context),
                ExpectedSession.properties(entry == null ? null : entry.context),
                ExpectedSession.properties(exit == null ? null : exit.context));
    }
}
