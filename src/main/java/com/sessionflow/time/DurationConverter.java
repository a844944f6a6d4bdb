package com.sessionflow.time;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as people write them: 300ms, 30s, 5m, 1h, 1d (or ISO-8601, PT5M). */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)");

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value.trim());
        } catch (RuntimeException e) {
            throw new TypeConversionException(
                    "'"
                            + value
                            + "' is not a duration: write a whole number with ms, s, m, h or d"
                            + " (e.g. 30s, 5m, 1h)");
        }
    }

    /** A duration as people write it and {@link #convert} reads it back: 5m, 1d, 10s, 300ms. */
    public static String text(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0ms";
        if (ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0) return ms / 60_000L + "m";
        if (ms % 1_000L == 0) return ms / 1_000L + "s";
        return ms + "ms";
    }
}
