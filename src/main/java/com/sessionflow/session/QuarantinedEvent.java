package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.time.Instant;

/**
 * An event left out of sessions because its owner was over the rate ({@link OwnerRateLimit}); it
 * goes to the quarantine topic, from where it can be inspected or replayed.
 */
public class QuarantinedEvent {

    public Event event;

    /** The owner's limit, events per minute of event time. */
    public int eventsPerMinute;

    /** Start (epoch ms) of the minute the owner went over in. */
    public long minute;

    public QuarantinedEvent() {}

    public QuarantinedEvent(Event event, int eventsPerMinute, long minute) {
        this.event = event;
        this.eventsPerMinute = eventsPerMinute;
        this.minute = minute;
    }

    public String reason() {
        return "owner_over_rate";
    }

    public String detail() {
        return "owner "
                + event.owner
                + " sent more than "
                + eventsPerMinute
                + " events in the minute of event time from "
                + Instant.ofEpochMilli(minute)
                + " (option --owner-rate-limit)";
    }
}
