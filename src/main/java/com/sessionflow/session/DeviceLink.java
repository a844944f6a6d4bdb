package com.sessionflow.session;

import com.sessionflow.event.Event;

/**
 * That a user was seen on a device at a time: all the device linker needs of an identified event
 * (merged identity). The event itself goes straight to its user's sessionizer; only this small
 * record crosses to the linker.
 */
public final class DeviceLink {

    public final String deviceId;
    public final String userId;
    public final long time;

    public DeviceLink(String deviceId, String userId, long time) {
        this.deviceId = deviceId;
        this.userId = userId;
        this.time = time;
    }

    /** The link an identified event with a device makes, else null. */
    public static DeviceLink of(Event e) {
        return e.userId != null && e.deviceId != null
                ? new DeviceLink(e.deviceId, e.userId, e.time)
                : null;
    }

    @Override
    public String toString() {
        return "DeviceLink{" + deviceId + " " + userId + " @" + time + "}";
    }
}
