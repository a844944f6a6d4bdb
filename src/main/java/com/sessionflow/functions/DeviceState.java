package com.sessionflow.functions;

import com.sessionflow.session.DeviceLinks;
import com.sessionflow.session.IdentityMerge;

/**
 * What the linker keeps per device (a Flink POJO): its links to users, how many anonymous events
 * wait in the list state beside it, whether it keeps sessions of its own, and its timers. It emits
 * events and sessions, never this.
 */
public class DeviceState {

    public static final long NO_TIMER = Long.MIN_VALUE;

    public DeviceLinks links = new DeviceLinks();

    /** Anonymous events waiting in the list state. */
    public int held;

    /**
     * The earliest watermark at which a waiting event is released or a claim is due; {@link
     * #NO_TIMER} if none.
     */
    public long releaseTimer = NO_TIMER;

    /** When the device's state is forgotten if no event comes (a day's resolution). */
    public long expiry = NO_TIMER;

    /** The device sessionized anonymous events as its own (its sessionizer state may hold some). */
    public boolean ownSessions;

    /**
     * The earliest start of its own sessions a login claimed, or {@link IdentityMerge#NOT_CLAIMED}.
     */
    public long claimedFrom = IdentityMerge.NOT_CLAIMED;

    public DeviceState() {}
}
