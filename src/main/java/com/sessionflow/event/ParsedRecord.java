package com.sessionflow.event;

/** What the source emits: an event, or a dead letter (exactly one of the two is set). */
public class ParsedRecord {

    public Event event;
    public DeadLetter deadLetter;

    public ParsedRecord() {}

    public static ParsedRecord of(Event event) {
        ParsedRecord r = new ParsedRecord();
        r.event = event;
        return r;
    }

    public static ParsedRecord of(DeadLetter deadLetter) {
        ParsedRecord r = new ParsedRecord();
        r.deadLetter = deadLetter;
        return r;
    }

    public boolean isEvent() {
        return event != null;
    }

    @Override
    public String toString() {
        return isEvent() ? event.toString() : deadLetter.toString();
    }
}
