package com.sessionflow.event;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;

/**
 * Amplitude export timestamps: {@code 2019-11-12 14:43:48.924000}, UTC, space or T, 0-6 fraction
 * digits.
 */
public final class ExportTime {

    private static final DateTimeFormatter FORMAT =
            new DateTimeFormatterBuilder()
                    .appendPattern("uuuu-MM-dd")
                    .optionalStart()
                    .appendLiteral(' ')
                    .optionalEnd()
                    .optionalStart()
                    .appendLiteral('T')
                    .optionalEnd()
                    .appendPattern("HH:mm:ss")
                    .optionalStart()
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
                    .optionalEnd()
                    .toFormatter()
                    // not SMART, which turns 2019-02-30 into 2019-02-28 instead of rejecting it
                    .withResolverStyle(ResolverStyle.STRICT);

    private ExportTime() {}

    /**
     * Epoch milliseconds (sub-millisecond digits are dropped), or throws DateTimeParseException.
     */
    public static long parse(String text) {
        String s = text.trim();
        // a trailing Z or +00:00 still means UTC; other offsets are not export timestamps
        if (s.endsWith("Z")) s = s.substring(0, s.length() - 1);
        else if (s.endsWith("+00:00")) s = s.substring(0, s.length() - 6);
        if (s.length() < 19 || (s.charAt(10) != ' ' && s.charAt(10) != 'T')) {
            throw new DateTimeParseException("not an export timestamp", text, 0);
        }
        return LocalDateTime.parse(s, FORMAT).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
