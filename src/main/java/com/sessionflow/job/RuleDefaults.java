package com.sessionflow.job;

import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.time.DurationConverter;
import java.util.Locale;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the options that set session rules, taken from the rules themselves ({@link
 * SessionDefinition}, {@link OwnerRateLimit}), so that each default is written once: the rules'
 * tests and the reference use the same values the job starts with.
 */
final class RuleDefaults implements IDefaultValueProvider {

    /** A provider asked first (a config file's values), or null. */
    private final IDefaultValueProvider first;

    RuleDefaults(IDefaultValueProvider first) {
        this.first = first;
    }

    @Override
    public String defaultValue(ArgSpec arg) throws Exception {
        String given = first == null ? null : first.defaultValue(arg);
        if (given != null) return given;
        if (!(arg instanceof OptionSpec option)) return null;
        return switch (option.longestName()) {
            case "--gap" -> DurationConverter.text(SessionDefinition.DEFAULT_GAP);
            case "--max-session-length" ->
                    DurationConverter.text(SessionDefinition.DEFAULT_MAX_LENGTH);
            case "--marker-events" -> String.join(",", SessionDefinition.DEFAULT_MARKERS);
            case "--engaged-min-length" ->
                    DurationConverter.text(SessionDefinition.DEFAULT_ENGAGED_MIN_LENGTH);
            case "--engaged-min-events" ->
                    String.valueOf(SessionDefinition.DEFAULT_ENGAGED_MIN_EVENTS);
            case "--owner-rate-limit" -> String.valueOf(OwnerRateLimit.DEFAULT.eventsPerMinute());
            case "--over-rate" -> OwnerRateLimit.DEFAULT.action().name().toLowerCase(Locale.ROOT);
            default -> null;
        };
    }
}
