package com.sessionflow.event;

/** Which id owns a session. */
public enum Identity {
    /** user_id, else device_id: a sign-in starts another owner. */
    USER,
    /** Always device_id: one device, one timeline, whoever is logged in. */
    DEVICE,
    /**
     * Amplitude's Amplitude ID: user_id, else the user the device is linked to (the last one seen
     * on it at the event's time, else the first), else device_id; see DeviceLinks.
     */
    MERGED
}
