package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;
import java.time.Duration;
import java.util.Set;

/**
 * What a session is: a value the job is given, not code spread through it. Changing it and
 * replaying the input rebuilds every session under the new definition.
 */
public final class SessionDefinition implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_GAP = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_LENGTH = Duration.ofDays(1);
    public static final Set<String> DEFAULT_MARKERS = Set.of(
            "session_start", "session_end", "[Amplitude] Start Session", "[Amplitude] End Session");

    private final long gapMs;
    private final long maxLengthMs;
    private final Set<String> markerTypes;
    private final Set<String> inactiveTypes;

    private SessionDefinition(Builder b) {
        this.gapMs = b.gap.toMillis();
        this.maxLengthMs = b.maxLength.toMillis();
        this.markerTypes = Set.copyOf(b.markerTypes);
        this.inactiveTypes = Set.copyOf(b.inactiveTypes);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SessionDefinition defaults() {
        return builder().build();
    }

    /** The inactivity that ends a session: an event this long or longer after the last one starts a new one. */
    public long gapMs() {
        return gapMs;
    }

    /** Sessions longer than this are flagged {@code over_limit} and left out of length metrics. */
    public long maxLengthMs() {
        return maxLengthMs;
    }

    public boolean isMarker(Event e) {
        return markerTypes.contains(e.eventType);
    }

    /** Out-of-session events never start, extend or end a session. */
    public boolean isOutOfSession(Event e) {
        return e.sdkSessionId == Event.OUT_OF_SESSION_ID || inactiveTypes.contains(e.eventType);
    }

    /** The name written into every session record's {@code definition} field. */
    public String name() {
        return "gap";
    }

    @Override
    public String toString() {
        return name() + "(gap=" + gapMs + "ms, max_length=" + maxLengthMs + "ms, markers=" + markerTypes
                + ", inactive=" + inactiveTypes + ")";
    }

    public static final class Builder {
        private Duration gap = DEFAULT_GAP;
        private Duration maxLength = DEFAULT_MAX_LENGTH;
        private Set<String> markerTypes = DEFAULT_MARKERS;
        private Set<String> inactiveTypes = Set.of();

        public Builder gap(Duration gap) {
            this.gap = gap;
            return this;
        }

        public Builder maxLength(Duration maxLength) {
            this.maxLength = maxLength;
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

        public SessionDefinition build() {
            if (gap.toMillis() < 1) throw new IllegalArgumentException("gap must be at least 1 ms");
            if (maxLength.toMillis() < 1) throw new IllegalArgumentException("max length must be at least 1 ms");
            return new SessionDefinition(this);
        }
    }
}
