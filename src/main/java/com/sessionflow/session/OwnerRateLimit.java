package com.sessionflow.session;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The guard for runaway owners (session-rules §7): a bot, a load-test device, an SDK stuck in a
 * loop or a placeholder id shared by thousands sends more events than any person, and each of them
 * costs state and time on one subtask. At most {@link #eventsPerMinute()} events of an owner count
 * per minute of event time; the rest are over the rate, and what happens to them is the {@link
 * Action}. Sessions that overlap a minute the owner went over in are flagged {@code over_rate}.
 *
 * <p>Minutes are fixed (epoch ms / 60000), of event time, so a replay decides as the live job did.
 * An owner's rate is one minute and one count: an event of an earlier minute than the owner's
 * latest counts towards the latest, so an owner sending old timestamps is bounded too (at most the
 * limit passes between two advances of its latest minute).
 */
public final class OwnerRateLimit implements Serializable {

    private static final long serialVersionUID = 1L;

    static final long MINUTE_MS = 60_000;

    /** Amplitude's HTTP V2 API throttles a device or user above 30 events a second. */
    public static final int DEFAULT_EVENTS_PER_MINUTE = 30 * 60;

    /** The job's default: Amplitude's rate, over-rate events quarantined. */
    public static final OwnerRateLimit DEFAULT =
            new OwnerRateLimit(DEFAULT_EVENTS_PER_MINUTE, Action.QUARANTINE);

    /** No guard: every event counts. */
    public static final OwnerRateLimit OFF = new OwnerRateLimit(0, Action.QUARANTINE);

    /** What happens to an event over the rate. */
    public enum Action {
        /** Left out of sessions and written to the quarantine topic with the reason. */
        QUARANTINE,
        /** Left out of sessions and only counted. */
        DROP,
        /** Kept in its session; only counted and flagged (detection without protection). */
        KEEP;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final int eventsPerMinute;
    private final Action action;

    /**
     * @param eventsPerMinute events of one owner per minute of event time; 0 turns the guard off
     */
    public OwnerRateLimit(int eventsPerMinute, Action action) {
        if (eventsPerMinute < 0) throw new IllegalArgumentException("negative rate limit");
        this.eventsPerMinute = eventsPerMinute;
        this.action = action;
    }

    public boolean applies() {
        return eventsPerMinute > 0;
    }

    public int eventsPerMinute() {
        return eventsPerMinute;
    }

    public Action action() {
        return action;
    }

    /** True when an event over the rate stays out of sessions. */
    public boolean holdsBack() {
        return action != Action.KEEP;
    }

    /**
     * Counts an event of the owner at {@code time}.
     *
     * @return true when it is over the owner's rate
     */
    public boolean countIsOver(EventRate rate, long time) {
        long minute = Math.floorDiv(time, MINUTE_MS) * MINUTE_MS;
        if (rate.minute == EventRate.NO_MINUTE || minute > rate.minute) {
            rate.minute = minute;
            rate.count = 0;
        }
        // an event over the rate is not counted: the count stops at the limit + 1 and never wraps
        if (rate.count > eventsPerMinute) return true;
        rate.count++;
        return rate.count > eventsPerMinute;
    }

    /**
     * Flags the sessions with an event in the minute of {@code time} as over the rate; a newly
     * flagged one is changed (re-emitted).
     */
    public static void flag(List<Session> sessions, long time) {
        long minute = Math.floorDiv(time, MINUTE_MS) * MINUTE_MS;
        for (Session s : sessions) {
            if (!s.overRate && s.startTime < minute + MINUTE_MS && s.endTime >= minute) {
                s.overRate = true;
                s.dirty = true;
            }
        }
    }

    @Override
    public String toString() {
        return applies() ? eventsPerMinute + "/min, " + action.code() : "off";
    }
}
