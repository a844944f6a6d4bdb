package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;

/**
 * How the sessionizer judges an owner's event, and when the owner next needs a look: the rules'
 * part of the operator, in plain Java. The operator asks, then stores, emits and counts.
 *
 * <p>An event is judged in the order of session-rules §7: too late (it could not be placed even in
 * a session of its own), a duplicate (its insert id is remembered), over its owner's rate, then in
 * or out of session. Duplicates are not counted towards the rate; an event held back for its rate
 * is not remembered as seen.
 */
public final class EventIntake implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What happens to an event. */
    public enum Verdict {
        /** Past its lateness: the late topic. */
        TOO_LATE,
        /** Its insert id is remembered: dropped. */
        DUPLICATE,
        /** Over its owner's rate and left out of sessions (quarantined or dropped). */
        HELD_BACK,
        /** Out of session: the metrics count it, no session holds it. */
        OUT_OF_SESSION,
        /** Placed into the owner's sessions. */
        IN_SESSION
    }

    /**
     * The judgement of one event.
     *
     * @param overRate its owner went over the rate with it (held back, or kept with {@code keep})
     * @param remember its insert id is to be remembered, as {@code insertIdHash}
     */
    public record Judgement(
            Verdict verdict, boolean overRate, boolean remember, long insertIdHash) {}

    /** The owner's remembered insert ids, wherever the operator keeps them. */
    @FunctionalInterface
    public interface RememberedIds {
        boolean contains(long hash) throws Exception;
    }

    private static final Judgement TOO_LATE = new Judgement(Verdict.TOO_LATE, false, false, 0);
    private static final Judgement DUPLICATE = new Judgement(Verdict.DUPLICATE, false, false, 0);
    private static final Judgement HELD_BACK = new Judgement(Verdict.HELD_BACK, true, false, 0);

    private final OwnerTimeline timeline;
    private final InsertIds insertIds;
    private final OwnerRateLimit rateLimit;

    public EventIntake(OwnerTimeline timeline, InsertIds insertIds, OwnerRateLimit rateLimit) {
        this.timeline = timeline;
        this.insertIds = insertIds;
        this.rateLimit = rateLimit;
    }

    public OwnerTimeline timeline() {
        return timeline;
    }

    public InsertIds insertIds() {
        return insertIds;
    }

    public OwnerRateLimit rateLimit() {
        return rateLimit;
    }

    /**
     * Judges an event of the owner at {@code watermark}.
     *
     * @param rate the owner's event rate, counted here; non-null when the rate limit applies
     */
    public Judgement judge(Event e, long watermark, EventRate rate, RememberedIds remembered)
            throws Exception {
        if (timeline.isTooLate(e.time, watermark)) return TOO_LATE;
        boolean deduplicates = insertIds.applies(e.insertId);
        long hash = deduplicates ? InsertIds.hash(e.deviceId, e.insertId) : 0;
        if (deduplicates && remembered.contains(hash)) return DUPLICATE;
        boolean overRate = rateLimit.applies() && rateLimit.countIsOver(rate, e.time);
        if (overRate && rateLimit.holdsBack()) return HELD_BACK;
        Verdict verdict =
                timeline.definition().isOutOfSession(e)
                        ? Verdict.OUT_OF_SESSION
                        : Verdict.IN_SESSION;
        return new Judgement(verdict, overRate, deduplicates, hash);
    }

    /**
     * The earliest watermark at which something of the owner is due: a changed session's close time
     * (or the next watermark, for one already past it), a session's purge time, the expiry of its
     * inline insert ids, the next sweep of its id entries ({@link InsertIds#NONE}: none). {@link
     * Long#MAX_VALUE} when nothing is.
     */
    public long nextDue(
            Session[] sessions, DuplicateFilter seen, long insertIdSweep, long watermark) {
        long next = Long.MAX_VALUE;
        for (Session s : sessions) {
            if (s.dirty) {
                long close = timeline.closeTime(s);
                next = Math.min(next, close > watermark ? close : watermark + 1);
            }
            next = Math.min(next, timeline.purgeTime(s));
        }
        if (seen != null) next = Math.min(next, insertIds.expiry(seen.latest()));
        if (insertIdSweep != InsertIds.NONE) next = Math.min(next, insertIdSweep);
        return next;
    }
}
