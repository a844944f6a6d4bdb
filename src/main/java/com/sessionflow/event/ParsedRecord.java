package com.sessionflow.event;

/**
 * What the source emits: an event, a dead letter, or a partition's restored clock (exactly one of
 * the three is set). The clock is a control record: the source hands it to the partition's
 * watermark generator through the partition's own output, the one path Flink has from a source
 * reader to a split's generator, and the first operator drops it.
 */
public class ParsedRecord {

    public Event event;
    public DeadLetter deadLetter;
    public PartitionClock clock;

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

    public static ParsedRecord of(PartitionClock clock) {
        ParsedRecord r = new ParsedRecord();
        r.clock = clock;
        return r;
    }

    public boolean isEvent() {
        return event != null;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    @Override
    public String toString() {
        return isEvent()
                ? event.toString()
                : isDeadLetter() ? deadLetter.toString() : clock.toString();
    }
}
