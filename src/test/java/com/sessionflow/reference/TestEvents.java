package com.sessionflow.reference;

import com.sessionflow.event.Event;

/** Builds events for tests: {@code TestEvents.at("u", 1000).type("click").build()}. */
public final class TestEvents {

    private final Event e = new Event();

    private TestEvents(String owner, long time) {
        e.owner = owner;
        e.userId = owner;
        e.deviceId = "device-" + owner;
        e.eventType = "click";
        e.time = time;
        e.platform = "iOS";
    }

    public static TestEvents at(String owner, long time) {
        return new TestEvents(owner, time);
    }

    /** An in-session click of owner "u". */
    public static Event event(long time) {
        return at("u", time).build();
    }

    /** An event of owner "u" with session_id -1. */
    public static Event outOfSession(long time) {
        return at("u", time).sessionId(-1).build();
    }

    public TestEvents type(String type) {
        e.eventType = type;
        return this;
    }

    public TestEvents sessionId(long id) {
        e.sdkSessionId = id;
        return this;
    }

    public TestEvents insertId(String id) {
        e.insertId = id;
        return this;
    }

    public TestEvents platform(String platform) {
        e.platform = platform;
        return this;
    }

    public TestEvents osName(String osName) {
        e.osName = osName;
        return this;
    }

    /** The value of the session property of a property:NAME definition. */
    public TestEvents property(String value) {
        e.sessionProperty = value;
        return this;
    }

    public TestEvents device(String deviceId) {
        e.deviceId = deviceId;
        return this;
    }

    public TestEvents user(String userId) {
        e.userId = userId;
        return this;
    }

    public Event build() {
        return e;
    }
}
