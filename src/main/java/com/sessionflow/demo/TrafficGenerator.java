package com.sessionflow.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.demo.TrafficRecord.Trait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Endless, realistic Amplitude traffic, the same for the same seed: simulated users on iOS, Android
 * and the web, each living through sessions one after another. Records come out in the order they
 * reach Kafka (their timestamps never decrease), so a caller can produce the past at full speed and
 * pace the rest to the wall clock.
 *
 * <p>What the traffic holds:
 *
 * <ul>
 *   <li>Mobile users' events carry the SDK's session_id (the session's start); their SDK uploads
 *       batches ({@code {"api_key":..,"events":[...]}}) every few seconds. Web users send single
 *       HTTP API v2 events without session_id. Some users come as Amplitude export lines.
 *   <li>Session lengths and events per session are lognormal; gaps inside a session stay below the
 *       session gap, pauses between sessions above it.
 *   <li>Session markers (iOS session_start/session_end, Android [Amplitude] Start/End Session),
 *       push notifications received in the background with session_id -1.
 *   <li>Delivery out of order within seconds (always less than {@link #MAX_LAG_MS}), duplicates of
 *       retrying producers, and offline batches: a phone uploads a whole session, its tail, or the
 *       middle that joins two halves, {@code gap} + 2-40 minutes late, a few over an hour late
 *       (beyond the job's default allowed lateness).
 *   <li>A few bad records: not JSON, no usable owner, a bad time, a device clock days ahead.
 * </ul>
 */
public final class TrafficGenerator implements Iterator<TrafficRecord> {

    /**
     * Online events reach Kafka at most this long after they happened (the job's default bound is
     * 30 s).
     */
    public static final long MAX_LAG_MS = 25_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter EXPORT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    private static final String API_KEY = "demo-api-key";
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;

    /** Amplitude's SDKs flush their queue about this often while the app is open. */
    private static final long SDK_FLUSH_MS = 10 * SECOND;

    private static final int SDK_FLUSH_EVENTS = 30;

    /** Ids Amplitude rejects, as broken clients send them. */
    private static final String[] INVALID_IDS = {
        "", "null", "undefined", "unknown", "anonymous", "0", "-1"
    };

    private static final String[] MOBILE_EVENTS = {
        "screen_view",
        "screen_view",
        "button_tap",
        "search",
        "add_to_cart",
        "purchase",
        "share",
        "settings_changed"
    };
    private static final String[] WEB_EVENTS = {
        "page_view", "page_view", "click", "search", "sign_up", "add_to_cart", "checkout"
    };
    private static final String[] SCREENS = {
        "home", "feed", "search", "product", "cart", "profile"
    };
    private static final String[] PATHS = {"/", "/pricing", "/docs", "/blog", "/signup", "/cart"};
    private static final String[] BROWSERS = {"Chrome", "Safari", "Firefox", "Edge"};

    /** Country, region, city and language of a user. */
    private static final String[][] PLACES = {
        {"United States", "California", "San Francisco", "English"},
        {"Germany", "Berlin", "Berlin", "German"},
        {"Brazil", "São Paulo", "São Paulo", "Portuguese"},
        {"India", "Karnataka", "Bengaluru", "English"},
        {"Japan", "Tokyo", "Tokyo", "Japanese"}
    };

    private static final String[] CARRIERS = {"T-Mobile", "Vodafone", "Jio", "NTT Docomo"};

    /** Source, medium and campaign of a web visit that came from a campaign link. */
    private static final String[][] CAMPAIGNS = {
        {"google", "cpc", "spring-sale"},
        {"newsletter", "email", "product-launch"},
        {"facebook", "social", "spring-sale"}
    };

    private enum Platform {
        IOS("iOS", "session_start", "session_end"),
        ANDROID("Android", "[Amplitude] Start Session", "[Amplitude] End Session"),
        WEB("Web", null, null);

        final String label;
        final String startMarker;
        final String endMarker;

        Platform(String label, String startMarker, String endMarker) {
            this.label = label;
            this.startMarker = startMarker;
            this.endMarker = endMarker;
        }

        boolean mobile() {
            return this != WEB;
        }
    }

    /** How a user's events reach Kafka. */
    private enum Format {
        SINGLE_EVENTS,
        SDK_UPLOADS,
        EXPORT_LINES
    }

    private enum Offline {
        NONE,
        WHOLE,
        TAIL,
        BRIDGE
    }

    private static final class User {
        final int index;

        /** The user_id as sent: null (not sent) and invalid ids mean an anonymous user. */
        final String userId;

        final String deviceId;
        final long amplitudeId;
        final Platform platform;
        final Format format;
        final String osName;
        final String appVersion;

        /** The location and device fields of every event: name, value. */
        final String[][] context;

        /**
         * False while a user who signs up later still browses anonymously: their events carry no
         * user_id until the session in which they log in.
         */
        boolean signedIn = true;

        long nextSessionStart;

        User(
                int index,
                String userId,
                String deviceId,
                long amplitudeId,
                Platform platform,
                Format format,
                String osName,
                String appVersion,
                String[][] context) {
            this.index = index;
            this.context = context;
            this.userId = userId;
            this.deviceId = deviceId;
            this.amplitudeId = amplitudeId;
            this.platform = platform;
            this.format = format;
            this.osName = osName;
            this.appVersion = appVersion;
        }
    }

    private static final class SimEvent {
        final long time;
        final String type;

        /** The session_id to send, or null to send none. */
        final Long sessionId;

        final String insertId;
        final String propertyName;
        final String propertyValue;
        final boolean marker;

        /** UTM and referrer event properties of a web visit's landing page, or null. */
        String[][] attribution;

        /** Sent without the user's user_id: before they logged in. */
        boolean anonymous;

        SimEvent(
                long time,
                String type,
                Long sessionId,
                String insertId,
                String propertyName,
                String propertyValue,
                boolean marker) {
            this.time = time;
            this.type = type;
            this.sessionId = sessionId;
            this.insertId = insertId;
            this.propertyName = propertyName;
            this.propertyValue = propertyValue;
            this.marker = marker;
        }
    }

    private record Pending(long timestamp, long seq, TrafficRecord record) {}

    private final Random random;

    /**
     * Draws the users' locations and the visits' campaigns: apart from {@link #random}, so that
     * they do not change the traffic's timing.
     */
    private final Random contextRandom;

    private final long gapMs;
    private final PriorityQueue<User> users =
            new PriorityQueue<>(
                    Comparator.<User>comparingLong(u -> u.nextSessionStart)
                            .thenComparingInt(u -> u.index));
    private final PriorityQueue<Pending> pending =
            new PriorityQueue<>(
                    Comparator.comparingLong(Pending::timestamp).thenComparingLong(Pending::seq));
    private long seq;

    /**
     * @param startMillis simulated time starts here (the demo uses two hours ago)
     * @param userCount simulated users; each has a session about every half hour
     * @param sessionGap the inactivity that ends a session, which shapes gaps inside and between
     *     sessions
     */
    public TrafficGenerator(long seed, long startMillis, int userCount, Duration sessionGap) {
        if (userCount < 1)
            throw new IllegalArgumentException("at least one user, not " + userCount);
        this.random = new Random(seed);
        this.contextRandom = new Random(seed ^ 0x5eed_c0de_7a11L);
        this.gapMs = Math.max(sessionGap.toMillis(), 2 * SECOND);
        for (int i = 0; i < userCount; i++) {
            User u = newUser(i);
            u.nextSessionStart = startMillis + (long) (random.nextDouble() * 40 * MINUTE);
            users.add(u);
        }
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public TrafficRecord next() {
        simulateUntilSettled();
        return pending.poll().record();
    }

    /** The timestamp of the record {@link #next()} returns. */
    public long nextTimestamp() {
        simulateUntilSettled();
        return pending.peek().timestamp();
    }

    /** The records that reach Kafka before {@code endMillis}. */
    public List<TrafficRecord> until(long endMillis) {
        List<TrafficRecord> records = new ArrayList<>();
        while (nextTimestamp() < endMillis) records.add(next());
        return records;
    }

    /**
     * Simulates sessions until the earliest pending record is earlier than any session still to
     * come: every record of a session reaches Kafka at or after the session's start.
     */
    private void simulateUntilSettled() {
        while (pending.isEmpty() || users.peek().nextSessionStart <= pending.peek().timestamp()) {
            User u = users.poll();
            simulateSession(u);
            users.add(u);
        }
    }

    private User newUser(int index) {
        double p = random.nextDouble();
        Platform platform = p < 0.35 ? Platform.IOS : p < 0.7 ? Platform.ANDROID : Platform.WEB;
        double f = random.nextDouble();
        Format format =
                platform.mobile()
                        ? (f < 0.6
                                ? Format.SDK_UPLOADS
                                : f < 0.85 ? Format.SINGLE_EVENTS : Format.EXPORT_LINES)
                        : (f < 0.75 ? Format.SINGLE_EVENTS : Format.EXPORT_LINES);
        String userId;
        double id = random.nextDouble();
        if (id < 0.65) userId = "user-" + (1000 + index);
        else if (id < 0.9) userId = null;
        else userId = pick(new String[] {"", "null", "anonymous"});
        String osName =
                switch (platform) {
                    case IOS -> "ios";
                    case ANDROID -> "android";
                    case WEB -> pick(BROWSERS);
                };
        String appVersion =
                platform.mobile() ? "5." + random.nextInt(4) + "." + random.nextInt(3) : null;
        User u =
                new User(
                        index,
                        userId,
                        uuid(),
                        100_000_000L + random.nextInt(900_000_000),
                        platform,
                        format,
                        osName,
                        appVersion,
                        contextOf(platform));
        // some users browse anonymously before they sign up (their visit joins them: merged
        // identity)
        u.signedIn =
                userId == null || !userId.startsWith("user-") || contextRandom.nextDouble() >= 0.3;
        return u;
    }

    /**
     * A user not signed in yet stays anonymous for the session, or logs in halfway through it: the
     * events from there on carry the user_id.
     */
    private void signIn(User u, List<SimEvent> events) {
        if (u.signedIn) return;
        int from = contextRandom.nextBoolean() ? events.size() / 2 : events.size();
        for (int i = 0; i < from; i++) events.get(i).anonymous = true;
        u.signedIn = from < events.size();
    }

    private String[][] contextOf(Platform platform) {
        String[] place = PLACES[contextRandom.nextInt(PLACES.length)];
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"country", place[0]});
        fields.add(new String[] {"region", place[1]});
        fields.add(new String[] {"city", place[2]});
        fields.add(new String[] {"language", place[3]});
        if (platform.mobile()) {
            boolean ios = platform == Platform.IOS;
            fields.add(new String[] {"device_family", ios ? "Apple iPhone" : "Samsung Galaxy"});
            fields.add(
                    new String[] {
                        "device_model",
                        ios
                                ? "iPhone1" + (4 + contextRandom.nextInt(3)) + ",2"
                                : "SM-S9" + (1 + contextRandom.nextInt(3)) + "1B"
                    });
            fields.add(new String[] {"os_version", ios ? "17.4" : "14"});
            fields.add(new String[] {"carrier", CARRIERS[contextRandom.nextInt(CARRIERS.length)]});
        }
        return fields.toArray(String[][]::new);
    }

    /** A web visit's landing page: from a campaign link, a referring site, or typed in. */
    private String[][] attribution() {
        double p = contextRandom.nextDouble();
        if (p < 0.4) {
            String[] c = CAMPAIGNS[contextRandom.nextInt(CAMPAIGNS.length)];
            return new String[][] {
                {"utm_source", c[0]}, {"utm_medium", c[1]}, {"utm_campaign", c[2]}
            };
        }
        if (p < 0.7) {
            return new String[][] {
                {"referrer", "https://news.example.com/article"},
                {"referring_domain", "news.example.com"}
            };
        }
        return null;
    }

    private void simulateSession(User u) {
        long start = u.nextSessionStart;
        boolean bridge = u.format == Format.SDK_UPLOADS && random.nextDouble() < 0.08;
        List<SimEvent> events = sessionEvents(u, start, bridge);
        signIn(u, events);
        long last = events.get(events.size() - 1).time;

        Offline offline = Offline.NONE;
        if (bridge) {
            offline = Offline.BRIDGE;
        } else if (u.format == Format.SDK_UPLOADS) {
            double r = random.nextDouble();
            offline = r < 0.04 ? Offline.WHOLE : r < 0.1 ? Offline.TAIL : Offline.NONE;
        }
        int[] held = heldBack(events, offline);
        deliverOnline(u, events.subList(0, held[0]));
        deliverOnline(u, events.subList(held[1], events.size()));
        if (held[0] < held[1]) {
            // back online: every held event in one upload, after the session was closed
            boolean veryLate = random.nextDouble() < 0.25;
            long delay =
                    gapMs
                            + (veryLate
                                    ? uniform(70 * MINUTE, 100 * MINUTE)
                                    : uniform(2 * MINUTE, 40 * MINUTE));
            emit(
                    requestBody(u, events.subList(held[0], held[1])),
                    u.deviceId,
                    last + delay,
                    traitsOf(
                            u,
                            events.subList(held[0], held[1]),
                            Trait.V2_REQUEST_BODY,
                            Trait.OFFLINE_BATCH));
        }

        if (u.platform.mobile() && random.nextDouble() < 0.3) {
            long t = last + uniform(MINUTE, 20 * MINUTE);
            SimEvent push =
                    new SimEvent(
                            t,
                            "push_notification_received",
                            -1L,
                            uuid(),
                            "campaign",
                            "spring-" + random.nextInt(5),
                            false);
            push.anonymous = !u.signedIn;
            deliverOnline(u, List.of(push));
        }
        if (random.nextDouble() < 0.05) {
            emitBadRecord(u, events.get(random.nextInt(events.size())).time);
        }
        long pause = Math.min(6 * 60 * MINUTE, Math.max(MINUTE, lognormal(20 * MINUTE, 0.9)));
        u.nextSessionStart = last + gapMs + pause;
    }

    private List<SimEvent> sessionEvents(User u, long start, boolean bridge) {
        boolean mobile = u.platform.mobile();
        int n =
                bridge
                        ? 8 + random.nextInt(5)
                        : (int) Math.max(1, Math.min(150, lognormal(mobile ? 7 : 6, 0.8)));
        long[] times = new long[n];
        times[0] = start;
        if (bridge) {
            // long steps, so that holding back the middle splits the rest into two sessions
            for (int i = 1; i < n; i++)
                times[i] = times[i - 1] + uniform(gapMs / 4, gapMs * 8 / 10);
        } else if (n > 1) {
            long length =
                    Math.min(
                            2 * 60 * MINUTE,
                            lognormal((double) (mobile ? 3 * MINUTE : 6 * MINUTE), 1.1));
            double[] weights = new double[n - 1];
            double sum = 0;
            for (int i = 0; i < weights.length; i++) {
                weights[i] = -Math.log(1 - random.nextDouble());
                sum += weights[i];
            }
            for (int i = 1; i < n; i++) {
                long step = (long) (length * weights[i - 1] / sum);
                times[i] = times[i - 1] + Math.max(200, Math.min(gapMs * 9 / 10, step));
            }
        }
        Long sessionId = mobile || u.format == Format.EXPORT_LINES ? start : null;
        boolean markers = mobile && random.nextDouble() < 0.6;
        List<SimEvent> events = new ArrayList<>(n + 2);
        if (markers)
            events.add(
                    new SimEvent(
                            start,
                            u.platform.startMarker,
                            sessionId,
                            uuid(),
                            "trigger",
                            "app_open",
                            true));
        for (int i = 0; i < n; i++) {
            String type =
                    i == 0
                            ? (mobile ? "app_open" : "page_view")
                            : pick(mobile ? MOBILE_EVENTS : WEB_EVENTS);
            events.add(
                    mobile
                            ? new SimEvent(
                                    times[i],
                                    type,
                                    sessionId,
                                    uuid(),
                                    "screen",
                                    pick(SCREENS),
                                    false)
                            : new SimEvent(
                                    times[i], type, sessionId, uuid(), "path", pick(PATHS), false));
        }
        if (!mobile) events.get(0).attribution = attribution();
        if (markers)
            events.add(
                    new SimEvent(
                            times[n - 1],
                            u.platform.endMarker,
                            sessionId,
                            uuid(),
                            "trigger",
                            "background",
                            true));
        return events;
    }

    /** The range [from, to) of events a phone holds back while offline. */
    private int[] heldBack(List<SimEvent> events, Offline offline) {
        int n = events.size();
        switch (offline) {
            case WHOLE -> {
                return new int[] {0, n};
            }
            case TAIL -> {
                return n < 2 ? new int[] {0, n} : new int[] {n / 2, n};
            }
            case BRIDGE -> {
                // the events between the second one and the first event a whole gap later
                long from = events.get(1).time;
                for (int j = 2; j < n; j++) {
                    if (events.get(j).time - from >= gapMs) return new int[] {2, j};
                }
                return new int[] {n, n};
            }
            default -> {
                return new int[] {n, n};
            }
        }
    }

    private void deliverOnline(User u, List<SimEvent> events) {
        if (events.isEmpty()) return;
        if (u.format == Format.SDK_UPLOADS) {
            int from = 0;
            for (int i = 1; i <= events.size(); i++) {
                boolean flush =
                        i == events.size()
                                || i - from >= SDK_FLUSH_EVENTS
                                || events.get(i).time - events.get(from).time >= SDK_FLUSH_MS;
                if (!flush) continue;
                List<SimEvent> upload = events.subList(from, i);
                Delay d = delay();
                emit(
                        requestBody(u, upload),
                        u.deviceId,
                        upload.get(upload.size() - 1).time + d.ms,
                        traitsOf(u, upload, Trait.V2_REQUEST_BODY, d.trait));
                from = i;
            }
            return;
        }
        for (SimEvent e : events) {
            Delay d = delay();
            long timestamp = e.time + d.ms;
            boolean export = u.format == Format.EXPORT_LINES;
            emit(
                    bytes(export ? exportLine(u, e, timestamp) : v2Event(u, e)),
                    u.deviceId,
                    timestamp,
                    traitsOf(u, List.of(e), export ? Trait.EXPORT_LINE : Trait.V2_EVENT, d.trait));
        }
    }

    private record Delay(long ms, Trait trait) {}

    /** Mostly well under a second; now and then seconds, so later events overtake it. */
    private Delay delay() {
        if (random.nextDouble() < 0.05)
            return new Delay(uniform(3 * SECOND, 15 * SECOND), Trait.DELAYED);
        return new Delay(Math.max(5, Math.min(2 * SECOND, lognormal(150, 1.0))), null);
    }

    private void emitBadRecord(User u, long time) {
        long timestamp = time + uniform(20, 2 * SECOND);
        SimEvent e =
                new SimEvent(
                        time,
                        pick(u.platform.mobile() ? MOBILE_EVENTS : WEB_EVENTS),
                        null,
                        uuid(),
                        "screen",
                        pick(SCREENS),
                        false);
        switch (random.nextInt(4)) {
            case 0 -> {
                String text =
                        random.nextBoolean()
                                ? new String(bytes(v2Event(u, e)), StandardCharsets.UTF_8)
                                        .substring(0, 40)
                                : "event_type="
                                        + e.type
                                        + " device_id="
                                        + u.deviceId
                                        + " time="
                                        + time;
                emit(
                        text.getBytes(StandardCharsets.UTF_8),
                        null,
                        timestamp,
                        EnumSet.of(Trait.NOT_JSON));
            }
            case 1 -> {
                ObjectNode n = v2Event(u, e);
                n.remove("user_id");
                n.put("device_id", pick(INVALID_IDS));
                emit(bytes(n), u.deviceId, timestamp, EnumSet.of(Trait.NO_OWNER));
            }
            case 2 -> {
                ObjectNode n = v2Event(u, e);
                n.put("time", Instant.ofEpochMilli(time).toString());
                emit(bytes(n), u.deviceId, timestamp, EnumSet.of(Trait.BAD_TIME));
            }
            default -> {
                SimEvent ahead =
                        new SimEvent(
                                timestamp + uniform(24 * 60 * MINUTE, 3 * 24 * 60 * MINUTE),
                                e.type,
                                null,
                                e.insertId,
                                e.propertyName,
                                e.propertyValue,
                                false);
                emit(
                        bytes(v2Event(u, ahead)),
                        u.deviceId,
                        timestamp,
                        EnumSet.of(Trait.CLOCK_AHEAD));
            }
        }
    }

    private void emit(byte[] value, String key, long timestamp, Set<Trait> traits) {
        pending.add(
                new Pending(timestamp, seq++, new TrafficRecord(key, value, timestamp, traits)));
        if (random.nextDouble() < 0.02) {
            // a producer that timed out waiting for the ack sends the same record again
            Set<Trait> again = EnumSet.copyOf(traits);
            again.add(Trait.DUPLICATE);
            long retry = timestamp + uniform(200, 5 * SECOND);
            pending.add(new Pending(retry, seq++, new TrafficRecord(key, value, retry, again)));
        }
    }

    private static Set<Trait> traitsOf(User u, List<SimEvent> events, Trait format, Trait... more) {
        Set<Trait> traits = EnumSet.of(format, u.platform.mobile() ? Trait.MOBILE : Trait.WEB);
        for (Trait t : more) {
            if (t != null) traits.add(t);
        }
        for (SimEvent e : events) {
            if (e.marker) traits.add(Trait.SESSION_MARKER);
            if (e.sessionId != null && e.sessionId == -1L) traits.add(Trait.OUT_OF_SESSION);
        }
        return traits;
    }

    private ObjectNode v2Event(User u, SimEvent e) {
        ObjectNode n = JSON.createObjectNode();
        if (u.userId != null && !e.anonymous) n.put("user_id", u.userId);
        n.put("device_id", u.deviceId);
        n.put("event_type", e.type);
        n.put("time", e.time);
        if (e.sessionId != null) n.put("session_id", e.sessionId);
        n.put("insert_id", e.insertId);
        n.put("platform", u.platform.label);
        n.put("os_name", u.osName);
        if (u.appVersion != null) n.put("app_version", u.appVersion);
        putContext(n, u, e);
        return n;
    }

    /** The user's location and device fields, and the landing page's attribution properties. */
    private static void putContext(ObjectNode n, User u, SimEvent e) {
        for (String[] field : u.context) n.put(field[0], field[1]);
        ObjectNode properties =
                n.putObject("event_properties").put(e.propertyName, e.propertyValue);
        if (e.attribution != null) {
            for (String[] property : e.attribution) properties.put(property[0], property[1]);
        }
    }

    private byte[] requestBody(User u, List<SimEvent> events) {
        ObjectNode body = JSON.createObjectNode();
        body.put("api_key", API_KEY);
        var array = body.putArray("events");
        for (SimEvent e : events) array.add(v2Event(u, e));
        return bytes(body);
    }

    /** An event as Amplitude's Export API writes it. */
    private static ObjectNode exportLine(User u, SimEvent e, long uploadTime) {
        ObjectNode n = JSON.createObjectNode();
        n.put("$insert_id", e.insertId);
        n.put("amplitude_id", u.amplitudeId);
        n.put("app", 187520);
        if (u.userId != null && !e.anonymous) n.put("user_id", u.userId);
        n.put("device_id", u.deviceId);
        n.put("event_type", e.type);
        n.put("client_event_time", EXPORT_TIME.format(Instant.ofEpochMilli(e.time)));
        n.put("server_upload_time", EXPORT_TIME.format(Instant.ofEpochMilli(uploadTime)));
        n.put("session_id", e.sessionId == null ? -1 : e.sessionId);
        n.put("platform", u.platform.label);
        n.put("os_name", u.osName);
        if (u.appVersion != null) n.put("version_name", u.appVersion);
        putContext(n, u, e);
        return n;
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private long uniform(long from, long to) {
        return from + (long) (random.nextDouble() * (to - from));
    }

    private long lognormal(double median, double sigma) {
        return Math.round(median * Math.exp(sigma * random.nextGaussian()));
    }
}
