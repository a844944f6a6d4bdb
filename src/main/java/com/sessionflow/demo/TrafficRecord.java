package com.sessionflow.demo;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One Kafka record of sample traffic: what to produce (key, value, the Kafka timestamp to produce
 * it with) and what kind of record it is.
 *
 * @param key the producer's key (the device id, as SDK pipelines key by device), or null
 * @param timestamp when the record reaches Kafka, epoch milliseconds
 */
// the value is bytes to send as they are; records are never compared or hashed
@SuppressWarnings("ArrayRecordComponent")
public record TrafficRecord(String key, byte[] value, long timestamp, Set<Trait> traits) {

    /** What a record is; a record has one format or bad-record trait and any of the others. */
    public enum Trait {
        /** A single HTTP API v2 event. */
        V2_EVENT,
        /** A v2 request body {@code {"api_key":..,"events":[...]}}, as an SDK uploads them. */
        V2_REQUEST_BODY,
        /**
         * An Amplitude export line ({@code client_event_time}, {@code $insert_id}, {@code
         * amplitude_id}).
         */
        EXPORT_LINE,
        /** Events of an iOS or Android app: they carry the SDK's session_id. */
        MOBILE,
        WEB,
        /** Holds an event with session_id -1 (a push notification received in the background). */
        OUT_OF_SESSION,
        /** Holds a session_start/session_end marker. */
        SESSION_MARKER,
        /** Reached Kafka seconds after its events happened: later events overtook it. */
        DELAYED,
        /** A retrying producer sent this record again: same events, same insert_ids. */
        DUPLICATE,
        /** A device came back online and uploaded events held back for minutes or hours. */
        OFFLINE_BATCH,
        // bad records, each bound for the dead-letter topic with its reason
        NOT_JSON,
        NO_OWNER,
        BAD_TIME,
        /** The device's clock is days ahead of the time the record reached Kafka. */
        CLOCK_AHEAD;

        public boolean isBad() {
            return compareTo(NOT_JSON) >= 0;
        }
    }

    public boolean is(Trait trait) {
        return traits.contains(trait);
    }

    public boolean isBad() {
        return traits.stream().anyMatch(Trait::isBad);
    }

    public String valueText() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
