package com.sessionflow.session;

import com.sessionflow.event.Event;
import com.sessionflow.event.EventContext;
import java.util.Arrays;
import java.util.Random;

/**
 * Sessions for the state formats' tests: random ones with every optional part and extreme numbers,
 * and a typical one. Here, beside {@link Session}, because its state is this package's.
 */
public final class TestSessions {

    static final String[] STRINGS = {
        "8d2f6a0e-4b1c-4e7a-9a55-0c3f1d2b7e91",
        "device-7f3a",
        "iOS",
        "Android",
        "Web",
        "17.4",
        "view_item",
        "session_start",
        "",
        "ünïcødé ✓",
        "inferred"
    };

    private TestSessions() {}

    /** The {@code i}-th of a user's sessions on one device, an hour apart from {@code t}. */
    public static Session typical(int i, long t) {
        Session s = new Session();
        s.owner = STRINGS[0];
        s.userId = STRINGS[0];
        s.deviceId = "device-" + STRINGS[0];
        s.platform = "iOS";
        s.osName = "ios";
        s.appVersion = "17.4.1";
        s.startTime = t + i * 1_500_000L;
        s.sessionId = s.startTime;
        s.endTime = s.startTime + 245_000;
        s.eventCount = 14;
        s.activeEventCount = 13;
        s.firstEventType = "session_start";
        s.lastEventType = "view_item";
        s.revision = i < 2 ? 1 : 0;
        s.dirty = i == 2;
        s.emittedIds = i < 2 ? new long[] {s.sessionId} : new long[0];
        s.closeReason = i < 2 ? CloseReason.GAP : null;
        return s;
    }

    // a random pick among the constants: any fixed order of values() will do
    @SuppressWarnings("EnumOrdinal")
    public static Session random(Random r) {
        Session s = new Session();
        s.owner = string(r);
        s.userId = string(r);
        s.deviceId = string(r);
        s.platform = string(r);
        s.osName = string(r);
        s.appVersion = string(r);
        s.group = string(r);
        s.firstEventType = string(r);
        s.lastEventType = string(r);
        s.startTime = number(r);
        s.endTime = number(r);
        s.sessionId = number(r);
        s.sdkSessionId = r.nextBoolean() ? Event.NO_SESSION_ID : number(r);
        s.eventCount = r.nextBoolean() ? r.nextInt(100) : Long.MAX_VALUE;
        s.activeEventCount = r.nextInt(100);
        s.revision = r.nextInt(1000);
        s.dirty = r.nextBoolean();
        s.endsWithEndEvent = r.nextBoolean();
        s.cutByMaxLength = r.nextBoolean();
        s.overRate = r.nextBoolean();
        s.conversion = r.nextBoolean();
        s.closeReason =
                r.nextBoolean()
                        ? null
                        : CloseReason.values()[r.nextInt(CloseReason.values().length)];
        s.emittedIds = new long[r.nextInt(4)];
        for (int i = 0; i < s.emittedIds.length; i++) s.emittedIds[i] = number(r);
        Arrays.sort(s.emittedIds);
        if (s.activeEventCount > 0) {
            // the entry and exit are the first and last event, or others
            s.entryEventType = r.nextBoolean() ? s.firstEventType : string(r);
            s.entryTime = r.nextBoolean() ? s.startTime : number(r);
            s.exitEventType = r.nextBoolean() ? s.lastEventType : string(r);
            s.exitTime = r.nextBoolean() ? s.endTime : number(r);
            s.entryContext = context(r);
            s.exitContext =
                    switch (r.nextInt(3)) {
                        case 0 -> s.entryContext;
                        case 1 -> context(r);
                        default -> null;
                    };
        }
        s.deviceIds =
                r.nextBoolean()
                        ? (s.deviceId == null ? new String[0] : new String[] {s.deviceId})
                        : r.ints(r.nextInt(4), 0, STRINGS.length)
                                .mapToObj(i -> STRINGS[i])
                                .distinct()
                                .sorted()
                                .toArray(String[]::new);
        s.eventsWithoutSessionId =
                switch (r.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> s.eventCount;
                    default -> r.nextInt(100);
                };
        if (r.nextBoolean()) {
            s.facts = new Fact[r.nextInt(5)];
            for (int i = 0; i < s.facts.length; i++) {
                Fact f = new Fact();
                f.time = number(r);
                f.rank = r.nextInt(5) - 2;
                f.gapMs = number(r);
                f.marker = r.nextBoolean();
                f.eventType = string(r);
                f.userId = string(r);
                f.deviceId = string(r);
                f.platform = string(r);
                f.osName = string(r);
                f.appVersion = string(r);
                f.withoutSessionId = r.nextBoolean();
                f.context = context(r);
                s.facts[i] = f;
            }
        }
        return s;
    }

    /** Mostly realistic epoch milliseconds, sometimes the extremes. */
    public static long number(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> r.nextLong();
            default -> 1_700_000_000_000L + r.nextInt(1_000_000_000);
        };
    }

    public static String string(Random r) {
        int i = r.nextInt(STRINGS.length + 2);
        if (i == STRINGS.length) return null;
        if (i == STRINGS.length + 1) return "x" + r.nextInt(1000);
        return STRINGS[i];
    }

    /** A context with some of its fields and, now and then, chosen properties; or none. */
    public static EventContext context(Random r) {
        if (r.nextInt(4) == 0) return null;
        String[] fields = new String[EventContext.FIELD_NAMES.size()];
        for (int i = 0; i < fields.length; i++) fields[i] = r.nextBoolean() ? string(r) : null;
        fields[r.nextInt(fields.length)] = "x";
        String[] properties = null;
        if (r.nextBoolean()) {
            properties = new String[1 + r.nextInt(3)];
            for (int i = 0; i < properties.length; i++) properties[i] = string(r);
        }
        return EventContext.of(fields, properties);
    }

    /** A session's summary with the numbers a test gives, as the sessionizer would emit it. */
    public static final class Summary {
        private final Session s = new Session();

        /** One instant at {@code sessionId}, of one event, by user {@code owner}. */
        public Summary(String owner, long sessionId) {
            s.owner = owner;
            s.userId = owner;
            s.sessionId = sessionId;
            s.startTime = sessionId;
            s.endTime = sessionId;
            s.eventCount = 1;
            s.activeEventCount = 1;
        }

        public Summary platform(String platform) {
            s.platform = platform;
            return this;
        }

        public Summary endTime(long endTime) {
            s.endTime = endTime;
            return this;
        }

        public Summary events(long all, long active) {
            s.eventCount = all;
            s.activeEventCount = active;
            return this;
        }

        public Summary conversion(boolean conversion) {
            s.conversion = conversion;
            return this;
        }

        public Summary withoutSessionId(long events) {
            s.eventsWithoutSessionId = events;
            return this;
        }

        /** Its record as emitted for the {@code revision}-th time. */
        public SessionRecord record(int revision) {
            s.revision = revision;
            return s.toRecord();
        }
    }
}
