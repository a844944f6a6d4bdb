package com.sessionflow.job;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where reading starts (or, for a bounded replay, stops): earliest, latest, committed, or a time.
 */
public final class StartingOffsets {

    public static final String ALLOWED =
            "earliest, latest, committed (falling back to earliest), an epoch-milliseconds number,"
                    + " or an ISO-8601 instant such as 2026-11-01T00:00:00Z";

    private StartingOffsets() {}

    // the connector's committedOffsets takes only Kafka's deprecated OffsetResetStrategy
    @SuppressWarnings("deprecation")
    public static OffsetsInitializer parse(String value) {
        return switch (value.trim()) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> OffsetsInitializer.timestamp(epochMillis(value));
        };
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
