package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a session is: a value the job is given, not code spread through it. Changing it and
 * replaying the input rebuilds every session under the new definition (session-rules §2, §3).
 *
 * <p>The kinds ({@link Kind}), each AND-combined with the optional start/end events:
 *
 * <ul>
 *   <li>{@code gap}: per owner, an in-session event {@link #gapMs(Event) its gap} or more after the
 *       previous in-session event starts a new session. With per-platform gaps the gap between two
 *       consecutive in-session events is the one of the <b>later</b> event (its SDK decides whether
 *       it starts a new session): its {@code platform}, else its {@code os_name}
 *       (case-insensitive), else the default gap.
 *   <li>{@code client}: events carrying an SDK {@code session_id} form one session per id (session
 *       id = the SDK's, never split by the gap); events without one fall back to the gap rule among
 *       themselves ({@link #groupOf} {@value #INFERRED}).
 *   <li>{@code property:NAME}: events sharing the value of property NAME form sessions split by the
 *       gap; events without the property are out of session.
 * </ul>
 *
 * Start/end events: a start event always opens a new session, an end event closes its session (the
 * next event opens a new one). Between events of the same millisecond no session is ever cut (a
 * session id is a millisecond, so two sessions of one owner and group never share one); events of
 * one millisecond are ordered start events first, end events last, then by type name.
 *
 * <p>Maximum length ({@link #maxLengthMs()}): sessions longer are flagged {@code over_limit}, or,
 * with {@link Builder#splitOverLimit(boolean) splitOverLimit}, split. The batch rule of the split:
 * walking a group's in-session events in the order above, an event whose time minus the start of
 * the current session is the maximum length or more starts a new session; otherwise the rules above
 * decide. The cut session's {@code close_reason} is {@link CloseReason#MAX_LENGTH} when only the
 * maximum length cut it (a gap, start or end event cutting at the same event gives its own reason).
 * Events of one millisecond are still never cut apart (the first event of a session is within a
 * millisecond of itself). Under {@code client}, SDK sessions are never split (the SDK's id is the
 * session; it is only flagged); inferred ones are. A split moves every later cut of a chain of
 * sessions less than a gap apart, so it needs the facts ({@link #keepsFacts()}).
 *
 * <p>The times of the timeline (close, too late, purge) use {@link #maxGapMs()}, the largest
 * configured gap: the platform of the next event is unknown, and only the largest gap is sure to
 * cover it.
 */
public final class SessionDefinition implements Serializable {

    private static final long serialVersionUID = 2L;

    private static final long DAY_MS = 86_400_000L;

    public static final Duration DEFAULT_GAP = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_LENGTH = Duration.ofDays(1);

    /** GA4's defaults for an engaged session: 10 seconds, or 2 events (page or screen views). */
    public static final Duration DEFAULT_ENGAGED_MIN_LENGTH = Duration.ofSeconds(10);

    public static final long DEFAULT_ENGAGED_MIN_EVENTS = 2;

    /** In a fixed order, as the options' help lists them. */
    public static final Set<String> DEFAULT_MARKERS =
            Collections.unmodifiableSet(
                    new LinkedHashSet<>(
                            List.of(
                                    "session_start",
                                    "session_end",
                                    "[Amplitude] Start Session",
                                    "[Amplitude] End Session")));

    /** The group of {@code client} sessions inferred from the gap (events without session_id). */
    public static final String INFERRED = "inferred";

    /** How events are grouped into candidate sessions. */
    public enum Kind {
        GAP,
        CLIENT,
        PROPERTY
    }

    /**
     * Rank of an event among events of the same millisecond: start events first, end events last.
     */
    public static final int RANK_START = 0;

    public static final int RANK_OTHER = 1;
    public static final int RANK_END = 2;

    private final Kind kind;
    private final String propertyName;
    private final long gapMs;

    /** Lower-cased platform or os_name -> gap. */
    private final Map<String, Long> platformGaps;

    private final long maxGapMs;
    private final long maxLengthMs;
    private final Set<String> markerTypes;
    private final Set<String> inactiveTypes;
    private final Set<String> startTypes;
    private final Set<String> endTypes;
    private final Set<String> blockedTypes;

    /** GA4's engaged session: this long or more, this many active events, or a conversion. */
    private final long engagedMinLengthMs;

    private final long engagedMinEvents;
    private final Set<String> conversionTypes;

    /** Properties whose first and last values a session carries ({@code --session-properties}). */
    private final List<String> carriedProperties;

    /** Sessions reaching the maximum length are split, not only flagged. */
    private final boolean splitOverLimit;

    /**
     * Inferred sessions end at local midnight of this zone (Mixpanel's rule); null: they run on.
     */
    private final ZoneId midnightZone;

    /**
     * Sessions keep the facts of their events (needed to re-split them): per-platform gaps,
     * start/end events or splitting at the maximum length.
     */
    private final boolean keepsFacts;

    private SessionDefinition(Builder b) {
        this.kind = b.kind;
        this.propertyName = b.propertyName;
        this.gapMs = b.gap.toMillis();
        Map<String, Long> gaps = new LinkedHashMap<>();
        long max = gapMs;
        for (Map.Entry<String, Duration> g : b.platformGaps.entrySet()) {
            gaps.put(g.getKey().trim().toLowerCase(Locale.ROOT), g.getValue().toMillis());
            max = Math.max(max, g.getValue().toMillis());
        }
        this.platformGaps = Map.copyOf(gaps);
        this.maxGapMs = max;
        this.maxLengthMs = b.maxLength.toMillis();
        this.markerTypes = Set.copyOf(b.markerTypes);
        this.inactiveTypes = Set.copyOf(b.inactiveTypes);
        this.startTypes = Set.copyOf(b.startTypes);
        this.endTypes = Set.copyOf(b.endTypes);
        this.blockedTypes = Set.copyOf(b.blockedTypes);
        this.engagedMinLengthMs = b.engagedMinLength.toMillis();
        this.engagedMinEvents = b.engagedMinEvents;
        this.conversionTypes = Set.copyOf(b.conversionTypes);
        this.carriedProperties = List.copyOf(b.carriedProperties);
        this.splitOverLimit = b.splitOverLimit;
        this.midnightZone = b.midnightZone;
        this.keepsFacts =
                !platformGaps.isEmpty()
                        || !startTypes.isEmpty()
                        || !endTypes.isEmpty()
                        || splitOverLimit;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SessionDefinition defaults() {
        return builder().build();
    }

    public Kind kind() {
        return kind;
    }

    /** NAME of a {@code property:NAME} definition, else null. */
    public String propertyName() {
        return propertyName;
    }

    /** The default gap: an event this long or longer after the last one starts a new one. */
    public long gapMs() {
        return gapMs;
    }

    /**
     * The gap that decides whether {@code e} starts a new session: its platform's, else its
     * os_name's, else the default.
     */
    public long gapMs(Event e) {
        if (platformGaps.isEmpty()) return gapMs;
        Long g =
                e.platform == null
                        ? null
                        : platformGaps.get(e.platform.trim().toLowerCase(Locale.ROOT));
        if (g == null && e.osName != null)
            g = platformGaps.get(e.osName.trim().toLowerCase(Locale.ROOT));
        return g == null ? gapMs : g;
    }

    /** The largest configured gap: what close, too-late and purge times use. */
    public long maxGapMs() {
        return maxGapMs;
    }

    public Map<String, Long> platformGapsMs() {
        return platformGaps;
    }

    /**
     * Sessions longer than this are flagged {@code over_limit} and left out of length metrics; with
     * {@link #splitOverLimit()} an event this long or longer after its session's start starts a new
     * one.
     */
    /** Longer than the maximum length: flagged {@code over_limit}, left out of length metrics. */
    /**
     * The properties whose values at the entry and exit events a session record carries, in the
     * order of {@link com.sessionflow.event.EventContext#properties}.
     */
    public List<String> carriedProperties() {
        return carriedProperties;
    }

    /** A conversion event type ({@code --conversion-events}): its session is engaged. */
    public boolean isConversion(String eventType) {
        return eventType != null && conversionTypes.contains(eventType);
    }

    /**
     * GA4's engaged session (the rest are bounces): it lasts at least the minimum length, or has at
     * least the minimum number of active events (markers are not the user's), or has a conversion.
     */
    public boolean isEngaged(SessionRecord s) {
        return s.lengthMs() >= engagedMinLengthMs
                || s.activeEventCount >= engagedMinEvents
                || s.conversion;
    }

    public boolean isOverLimit(SessionRecord s) {
        return s.lengthMs() > maxLengthMs;
    }

    /** Why an SDK session's id cannot be its start, so its length is wrong; null when it can. */
    public SessionIdProblem sessionIdProblem(SessionRecord s) {
        return SessionIdProblem.of(s, maxLengthMs);
    }

    public long maxLengthMs() {
        return maxLengthMs;
    }

    /**
     * True when a session is split at the maximum length instead of only flagged (never an SDK
     * session of {@code client}).
     */
    public boolean splitOverLimit() {
        return splitOverLimit;
    }

    /**
     * True when {@code --split-at-midnight} puts the two times on different local days, so that no
     * inferred session holds both. An SDK session (its id is the session) is never cut.
     */
    public boolean crossesMidnight(long a, long b) {
        return midnightZone != null && localDay(a) != localDay(b);
    }

    private long localDay(long t) {
        long offsetMs =
                midnightZone.getRules().getOffset(Instant.ofEpochMilli(t)).getTotalSeconds()
                        * 1000L;
        return Math.floorDiv(t + offsetMs, DAY_MS);
    }

    public boolean isMarker(Event e) {
        return markerTypes.contains(e.eventType);
    }

    /** Out-of-session events never start, extend or end a session. */
    public boolean isOutOfSession(Event e) {
        return e.sdkSessionId == Event.OUT_OF_SESSION_ID
                || inactiveTypes.contains(e.eventType)
                || (kind == Kind.PROPERTY && e.sessionProperty == null);
    }

    /** Blocked event types are dropped before anything else. */
    public boolean isBlocked(Event e) {
        return blockedTypes.contains(e.eventType);
    }

    public Set<String> blockedTypes() {
        return blockedTypes;
    }

    public Set<String> startTypes() {
        return startTypes;
    }

    public Set<String> endTypes() {
        return endTypes;
    }

    /** Start events first, end events last among events of one millisecond. */
    public int rank(Event e) {
        if (startTypes.contains(e.eventType)) return RANK_START;
        if (endTypes.contains(e.eventType)) return RANK_END;
        return RANK_OTHER;
    }

    /**
     * True when sessions keep their events' facts: per-platform gaps, start/end events or the
     * max-length split are configured.
     */
    public boolean keepsFacts() {
        return keepsFacts;
    }

    /**
     * The session id rule: the SDK's session_id an event's session takes ({@code client} only), or
     * {@link Event#NO_SESSION_ID} when the session id is its first event's time.
     */
    public long sdkSessionIdOf(Event e) {
        return kind == Kind.CLIENT && e.hasSdkSessionId() ? e.sdkSessionId : Event.NO_SESSION_ID;
    }

    /**
     * Events of different groups never share a session. Null for {@code gap} and for SDK sessions
     * of {@code client}; the property value for {@code property:NAME}; {@value #INFERRED} for
     * {@code client} events without a session_id. A non-null group is part of the record key.
     */
    public String groupOf(Event e) {
        return switch (kind) {
            case PROPERTY -> e.sessionProperty;
            case CLIENT -> e.hasSdkSessionId() ? null : INFERRED;
            default -> null;
        };
    }

    /** The name written into every session record's {@code definition} field. */
    public String name() {
        return switch (kind) {
            case CLIENT -> "client";
            case PROPERTY -> "property:" + propertyName;
            default -> "gap";
        };
    }

    @Override
    public String toString() {
        return name()
                + "(gap="
                + gapMs
                + "ms"
                + (platformGaps.isEmpty() ? "" : ", platform_gaps=" + platformGaps)
                + ", max_length="
                + maxLengthMs
                + "ms"
                + (splitOverLimit ? " (split)" : "")
                + (midnightZone == null ? "" : ", split_at_midnight=" + midnightZone)
                + ", markers="
                + sorted(markerTypes)
                + ", inactive="
                + sorted(inactiveTypes)
                + (startTypes.isEmpty() ? "" : ", start=" + sorted(startTypes))
                + (endTypes.isEmpty() ? "" : ", end=" + sorted(endTypes))
                + (blockedTypes.isEmpty() ? "" : ", blocked=" + sorted(blockedTypes))
                + ")";
    }

    /** Sets in a stable order, so that the same options always print the same. */
    private static SortedSet<String> sorted(Set<String> types) {
        return new TreeSet<>(types);
    }

    public static final class Builder {
        private Kind kind = Kind.GAP;
        private String propertyName;
        private Duration gap = DEFAULT_GAP;
        private Map<String, Duration> platformGaps = Map.of();
        private Duration maxLength = DEFAULT_MAX_LENGTH;
        private Set<String> markerTypes = DEFAULT_MARKERS;
        private Set<String> inactiveTypes = Set.of();
        private Set<String> startTypes = Set.of();
        private Set<String> endTypes = Set.of();
        private Set<String> blockedTypes = Set.of();
        private Duration engagedMinLength = DEFAULT_ENGAGED_MIN_LENGTH;
        private long engagedMinEvents = DEFAULT_ENGAGED_MIN_EVENTS;
        private Set<String> conversionTypes = Set.of();
        private List<String> carriedProperties = List.of();
        private boolean splitOverLimit;
        private ZoneId midnightZone;

        public Builder gap(Duration gap) {
            this.gap = gap;
            return this;
        }

        /** Gaps by platform (or os_name), matched case-insensitively. */
        public Builder platformGaps(Map<String, Duration> platformGaps) {
            this.platformGaps = platformGaps;
            return this;
        }

        public Builder client() {
            this.kind = Kind.CLIENT;
            this.propertyName = null;
            return this;
        }

        public Builder property(String name) {
            this.kind = Kind.PROPERTY;
            this.propertyName = name;
            return this;
        }

        /** {@code gap}, {@code client} or {@code property:NAME}. */
        public Builder kind(String definition) {
            String d = definition.trim();
            if (d.equals("gap")) {
                kind = Kind.GAP;
                propertyName = null;
            } else if (d.equals("client")) {
                client();
            } else if (d.startsWith("property:") && !d.substring("property:".length()).isBlank()) {
                property(d.substring("property:".length()).trim());
            } else {
                throw new IllegalArgumentException(
                        "'" + definition + "' is not gap, client or property:NAME");
            }
            return this;
        }

        public Builder maxLength(Duration maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Split sessions at the maximum length instead of only flagging them (default false). */
        public Builder splitOverLimit(boolean splitOverLimit) {
            this.splitOverLimit = splitOverLimit;
            return this;
        }

        /** End inferred sessions at local midnight of the zone (null, the default: never). */
        public Builder splitAtMidnight(ZoneId zone) {
            this.midnightZone = zone;
            return this;
        }

        public Builder markerTypes(Set<String> markerTypes) {
            this.markerTypes = markerTypes;
            return this;
        }

        public Builder inactiveTypes(Set<String> inactiveTypes) {
            this.inactiveTypes = inactiveTypes;
            return this;
        }

        public Builder startTypes(Set<String> startTypes) {
            this.startTypes = startTypes;
            return this;
        }

        public Builder endTypes(Set<String> endTypes) {
            this.endTypes = endTypes;
            return this;
        }

        public Builder blockedTypes(Set<String> blockedTypes) {
            this.blockedTypes = blockedTypes;
            return this;
        }

        /** An engaged session lasts at least this long (or see the two below). */
        public Builder engagedMinLength(Duration length) {
            this.engagedMinLength = length;
            return this;
        }

        /** An engaged session has at least this many active events (or see the others). */
        public Builder engagedMinEvents(long events) {
            this.engagedMinEvents = events;
            return this;
        }

        /** A session with an event of one of these types is engaged. */
        public Builder conversionTypes(Set<String> conversionTypes) {
            this.conversionTypes = conversionTypes;
            return this;
        }

        /**
         * Event or user properties whose values at the session's entry and exit events its record
         * carries.
         */
        public Builder carriedProperties(List<String> properties) {
            this.carriedProperties = properties;
            return this;
        }

        public SessionDefinition build() {
            if (gap.toMillis() < 1) throw new IllegalArgumentException("gap must be at least 1 ms");
            for (Map.Entry<String, Duration> g : platformGaps.entrySet()) {
                if (g.getKey() == null || g.getKey().isBlank())
                    throw new IllegalArgumentException("a platform name is empty");
                if (g.getValue().toMillis() < 1)
                    throw new IllegalArgumentException(
                            "the gap of " + g.getKey() + " must be at least 1 ms");
            }
            if (maxLength.toMillis() < 1)
                throw new IllegalArgumentException("max length must be at least 1 ms");
            if (kind == Kind.PROPERTY && (propertyName == null || propertyName.isBlank())) {
                throw new IllegalArgumentException("property: needs a property name");
            }
            return new SessionDefinition(this);
        }
    }
}
