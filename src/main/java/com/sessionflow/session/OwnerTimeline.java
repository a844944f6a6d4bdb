package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * The session rules for one owner's timeline, in plain Java: where an event goes, when a session
 * is complete, when it may be forgotten. The Flink operator only stores the list and sets timers.
 *
 * <p>Times, for a session whose latest event is at {@code end}:
 * <ul>
 *   <li>close time {@code end + gap - 1}: once the watermark reaches it no event can extend the
 *       session (an event {@code gap} or more later starts a new one), so it is emitted;</li>
 *   <li>purge time {@code close + gap + allowedLateness}: until then a late event can still change
 *       it. The extra gap matters: an event accepted as not too late (below) may touch any session
 *       still held, so no accepted event can need a session that was already forgotten.</li>
 * </ul>
 * An event at {@code t} is too late when even a session of its own would be past its lateness:
 * {@code t + gap - 1 + allowedLateness < watermark}.
 */
public final class OwnerTimeline implements Serializable {

    private static final long serialVersionUID = 1L;

    private final SessionDefinition definition;
    private final long allowedLatenessMs;

    public OwnerTimeline(SessionDefinition definition, long allowedLatenessMs) {
        this.definition = definition;
        this.allowedLatenessMs = allowedLatenessMs;
    }

    public SessionDefinition definition() {
        return definition;
    }

    public boolean isTooLate(long eventTime, long watermark) {
        return placementDeadline(eventTime) < watermark;
    }

    /** The last watermark at which an event of this time can still be placed. */
    public long placementDeadline(long eventTime) {
        return eventTime + definition.gapMs() - 1 + allowedLatenessMs;
    }

    /** How long after its time an accepted event can still meet a duplicate that matters. */
    public long placementWindowMs() {
        return definition.gapMs() + allowedLatenessMs;
    }

    public long closeTime(Session s) {
        return s.endTime + definition.gapMs() - 1;
    }

    public long purgeTime(Session s) {
        return closeTime(s) + definition.gapMs() + allowedLatenessMs;
    }

    /**
     * Puts an in-session event into the owner's sessions (sorted by start, changed in place):
     * it joins, extends or bridges every session less than a gap away, or starts a new one.
     *
     * @return the session that now holds the event
     */
    public Session place(List<Session> sessions, Event event) {
        Session placed = Session.of(event, definition.isMarker(event));
        long gap = definition.gapMs();
        int insertAt = 0;
        for (int i = 0; i < sessions.size(); ) {
            Session s = sessions.get(i);
            // strictly less than a gap away on either side: a gap of exactly `gap` separates
            if (event.time > s.startTime - gap && event.time < s.endTime + gap) {
                placed.absorb(s);
                sessions.remove(i);
            } else {
                if (s.startTime < event.time) insertAt = i + 1;
                i++;
            }
        }
        sessions.add(insertAt, placed);
        return placed;
    }

    /**
     * Emits every changed session whose close time the watermark has reached (retracting the
     * ids it no longer has) and forgets the sessions past their purge time.
     */
    public void advance(List<Session> sessions, long watermark, Consumer<SessionChange> out) {
        CloseReason reason = watermark == Long.MAX_VALUE ? CloseReason.END_OF_INPUT : CloseReason.GAP;
        for (int i = 0; i < sessions.size(); ) {
            Session s = sessions.get(i);
            if (s.dirty && closeTime(s) <= watermark) {
                emit(s, reason, out);
            }
            if (purgeTime(s) <= watermark) {
                sessions.remove(i);
            } else {
                i++;
            }
        }
    }

    private static void emit(Session s, CloseReason reason, Consumer<SessionChange> out) {
        for (long id : s.emittedIds) {
            if (id != s.sessionId) out.accept(SessionChange.retraction(s.owner, id));
        }
        s.emittedIds = new long[] {s.sessionId};
        s.revision++;
        s.dirty = false;
        s.closeReason = reason;
        out.accept(SessionChange.update(s.copy()));
    }
}
