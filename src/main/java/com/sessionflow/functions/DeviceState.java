package com.sessionflow.functions;

import com.sessionflow.session.DeviceLinks;

/**
 * What the linker keeps per device (a Flink POJO): its links to users, how many anonymous events
 * wait in the list state beside it, and its timers. It emits events, never this.
 */
public class DeviceState {

    public static final long NO_TIMER = Long.MIN_VALUE;

    public DeviceLinks links = new DeviceLinks();

    /** Anonymous events waiting in the list state. */
    public int held;

    /** The earliest watermark at which a waiting event is released; {@link #NO_TIMER} if none. */
    public long releaseTimer = NO_TIMER;

    /** When the device's state is forgotten if no event comes (a day's resolution). */
    public long expiry = NO_TIMER;

    public DeviceState() {}
}
