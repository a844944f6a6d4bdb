package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;

/**
 * Whose a device's anonymous events are under {@code --identity merged} ({@link DeviceLinks} says
 * who used the device when), decided so that nothing waits for a login that may never come.
 *
 * <ul>
 *   <li>Before the device's first login, its anonymous events are the device's own: the linker
 *       sessionizes them there and writes their sessions when their gap expires, like any other.
 *   <li>A login claims the device's own sessions that end at most the hold (the allowed lateness)
 *       before it, once the watermark passes the login's time (so that no earlier login can still
 *       come): they are retracted under the device and merged into the user's sessions. A visit the
 *       first login follows by more than the hold stays the device's; only a replay moves it.
 *   <li>After the first login, an anonymous event is the user's seen last at or before it, decided
 *       once the watermark passes its time, so that the logins up to then have arrived.
 * </ul>
 *
 * The claim is by whole session, not by event: a session's events are its owner's together, so a
 * visit is never cut at the hold.
 */
public final class IdentityMerge implements Serializable {

    private static final long serialVersionUID = 1L;

    /** An inactive device's links are forgotten this long (event time) after its last event. */
    public static final long LINK_RETENTION_MS = 30L * 24 * 60 * 60 * 1000;

    /** How many anonymous events one device may have waiting; beyond that they go on as its own. */
    public static final int MAX_HELD = 10_000;

    /** No session of the device was claimed yet. */
    public static final long NOT_CLAIMED = Long.MAX_VALUE;

    private final long holdMs;
    private final long gapMs;
    private final long placementWindowMs;

    public IdentityMerge(OwnerTimeline timeline) {
        this.holdMs = timeline.allowedLatenessMs();
        this.gapMs = timeline.definition().maxGapMs();
        this.placementWindowMs = timeline.placementWindowMs();
    }

    public static boolean isAnonymous(Event e) {
        return e.userId == null && e.deviceId != null;
    }

    /** Whether an anonymous event of the device is its own: no login on it at or before it. */
    public static boolean isDevicesOwn(Event e, DeviceLinks links) {
        return links.isEmpty() || e.time < links.firstTime();
    }

    /**
     * Whether the device's first login claims its own session {@code s}: it ends at most the hold
     * before that login, or less than a gap before a session claimed already (it would have been
     * one with it, had its events come first).
     *
     * @param claimedFrom the earliest start of the device's sessions claimed so far, or {@link
     *     #NOT_CLAIMED}
     */
    public boolean claims(Session s, DeviceLinks links, long claimedFrom) {
        if (links.isEmpty()) return false;
        long hold = links.firstTime() - holdMs;
        return s.endTime >= hold || (claimedFrom != NOT_CLAIMED && s.endTime > claimedFrom - gapMs);
    }

    /** The user a claimed session goes to: the one who used the device when it began. */
    public static String claimant(Session s, DeviceLinks links) {
        return links.ownerAt(s.startTime);
    }

    /** The earliest start of the device's claimed sessions, with {@code s} claimed too. */
    public static long claimedFrom(long claimedFrom, Session s) {
        return Math.min(claimedFrom, s.startTime);
    }

    /**
     * Compacts the links behind the watermark and forgets those no event placed from this watermark
     * on needs.
     */
    public void settle(DeviceLinks links, long watermark) {
        if (watermark == Long.MIN_VALUE) return;
        links.settle(watermark, watermark - placementWindowMs);
    }

    /** When a device's links may be forgotten, for the latest of its events so far. */
    public static long expiry(long latestEventTime) {
        long t = latestEventTime + LINK_RETENTION_MS;
        // a day's resolution: one cleanup timer per device and day, not one per event
        long day = 24L * 60 * 60 * 1000;
        return t < latestEventTime ? Long.MAX_VALUE : Math.floorDiv(t, day) * day + day;
    }
}
