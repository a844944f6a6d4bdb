package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;

/**
 * When an anonymous event's owner is decided under {@code --identity merged} ({@link DeviceLinks}
 * says whose it is), and whose it is then. It waits in the linker until the watermark passes its
 * time, so that the device's identified events up to then have arrived; before the device's first
 * login it waits for that login's time (so no earlier one can still come), and at most the {@code
 * hold}: a visit the device's first login follows by more than the hold stays the device's, and a
 * login later than the hold finds the device's earlier events already written as the device's (only
 * a replay moves them).
 *
 * <p>The hold is at most the allowed lateness, so a released event is never too late for the
 * sessionizer: it is released at {@code time + hold}, and it is too late only from {@code time +
 * gap - 1 + allowed lateness} on.
 */
public final class IdentityMerge implements Serializable {

    private static final long serialVersionUID = 1L;

    /** An inactive device's links are forgotten this long (event time) after its last event. */
    public static final long LINK_RETENTION_MS = 30L * 24 * 60 * 60 * 1000;

    /** How many anonymous events one device may have waiting; beyond that they go on as its own. */
    public static final int MAX_HELD = 10_000;

    private final long holdMs;
    private final long placementWindowMs;

    public IdentityMerge(OwnerTimeline timeline) {
        this.holdMs = timeline.allowedLatenessMs();
        this.placementWindowMs = timeline.placementWindowMs();
    }

    public static boolean isAnonymous(Event e) {
        return e.userId == null && e.deviceId != null;
    }

    /** The watermark at which an anonymous event of this time is released. */
    public long releaseTime(long eventTime, DeviceLinks links) {
        long held = endOfHold(eventTime);
        if (links.isEmpty()) return held;
        return eventTime >= links.firstTime() ? eventTime : Math.min(links.firstTime(), held);
    }

    /**
     * The owner of an anonymous event released now: the device's user at its time, else the
     * device's first user if it came within the hold, else the device itself.
     */
    public String ownerOf(Event e, DeviceLinks links) {
        String user = links.ownerAt(e.time);
        if (user == null || (e.time < links.firstTime() && links.firstTime() > endOfHold(e.time)))
            return e.deviceId;
        return user;
    }

    private long endOfHold(long eventTime) {
        long end = eventTime + holdMs;
        return end < eventTime ? Long.MAX_VALUE : end;
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
