package com.sessionflow.job;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where reading starts (or, for a bounded replay, stops): earliest, latest, committed, or a time.
 */
public final class StartingOffsets {

    static final String ALLOWED =
            "earliest, latest, committed (falling back to earliest), an epoch-milliseconds number,"
                    + " or an ISO-8601 instant such as 2026-11-01T00:00:00Z";

    private StartingOffsets() {}

    public static OffsetsInitializer parse(String value) {
        switch (value.trim()) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            case "committed":
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                return OffsetsInitializer.timestamp(epochMillis(value));
        }
    }

    /** An epoch-milliseconds number or an ISO-8601 instant; IllegalArgumentException otherwise. */
    public static long epochMillis(String value) {
        String v = value.trim();
        try {
            return v.chars().allMatch(Character::isDigit) && !v.isEmpty()
                    ? Long.parseLong(v)
                    : Instant.parse(v).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not " + ALLOWED);
        }
    }
}
