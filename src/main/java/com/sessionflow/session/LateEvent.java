package com.sessionflow.session;

import com.sessionflow.event.Event;

/** An event that came after its session's allowed lateness ran out; it goes to the late topic. */
public class LateEvent {

    public Event event;

    /** The watermark when it arrived. */
    public long watermark;

    /** The latest watermark at which it could still have been placed. */
    public long deadline;

    public LateEvent() {}

    public LateEvent(Event event, long watermark, long deadline) {
        this.event = event;
        this.watermark = watermark;
        this.deadline = deadline;
    }

    public String reason() {
        return "too_late";
    }

    public String detail() {
        return "event time "
                + event.time
                + " arrived at watermark "
                + watermark
                + "; events of this time are placed up to watermark "
                + deadline
                + " (time + gap - 1 ms + allowed lateness)";
    }
}
