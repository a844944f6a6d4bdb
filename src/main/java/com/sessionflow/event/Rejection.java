package com.sessionflow.event;

import java.util.Locale;

/** Why an input record (or one event of a batch) went to the dead-letter topic. */
public enum Rejection {
    NOT_JSON("the value is not valid UTF-8 JSON"),
    NOT_AN_EVENT(
            "the value is not an event object, a {\"events\":[...]} body or an array of event"
                    + " objects"),
    NO_EVENTS("the batch holds no events"),
    NO_OWNER("neither user_id nor device_id is a usable id"),
    NO_TIME("neither time nor client_event_time is present"),
    BAD_TIME("the event time is not an epoch-milliseconds integer or an export timestamp"),
    BAD_FIELD("a field has the wrong JSON type"),
    TOO_LARGE("the record is larger than the configured limit"),
    CLOCK_AHEAD("the event time is further ahead of the record's Kafka timestamp than allowed");

    private final String meaning;

    Rejection(String meaning) {
        this.meaning = meaning;
    }

    /** The reason as written in dead-letter records and metric names, e.g. {@code clock_ahead}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String meaning() {
        return meaning;
    }
}
