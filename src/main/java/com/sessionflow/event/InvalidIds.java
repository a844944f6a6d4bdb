package com.sessionflow.event;

import java.util.Locale;
import java.util.Set;

/** The user and device ids Amplitude rejects; the job treats them as absent. */
public final class InvalidIds {

    private static final Set<String> INVALID =
            Set.of(
                    "",
                    "null",
                    "none",
                    "nil",
                    "undefined",
                    "unknown",
                    "anonymous",
                    "n/a",
                    "na",
                    "0",
                    "-1");

    private InvalidIds() {}

    /**
     * The id, or null when it is missing or one of Amplitude's invalid values (case and blanks
     * ignored).
     */
    public static String clean(String id) {
        if (id == null) return null;
        return INVALID.contains(id.trim().toLowerCase(Locale.ROOT)) ? null : id;
    }
}
