package com.sessionflow.event;

/** Which id owns a session. */
public enum Identity {
    /** user_id, else device_id: Amplitude's default. */
    USER,
    /** Always device_id: one device, one timeline, whoever is logged in. */
    DEVICE
}
