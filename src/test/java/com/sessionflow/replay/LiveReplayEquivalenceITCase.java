package com.sessionflow.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionJob;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.DefinedSession;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.reference.ReferenceSessionizer.Rules;
import com.sessionflow.testing.AmplitudeJson;
import com.sessionflow.testing.FlinkCluster;
import com.sessionflow.testing.JobRunner;
import com.sessionflow.testing.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replay equivalence of issue 3 (Replay item 1): the same input, sessionized by the job running
 * LIVE (unbounded, as in production: sessions close when the quiet input's event time follows the
 * wall clock) and by a bounded replay ({@code --starting-offsets earliest --stop-at latest}) with
 * the same definition, leaves the same compacted sessions topic, {@code revision} and {@code
 * close_reason} aside (live closes by gap, a replay's tail by end_of_input), and both are what
 * {@link ReferenceSessionizer} computes.
 *
 * <p>The input: a few owners (a user on two devices, a device without user_id, one with an invalid
 * user_id), steps around the gaps, session_id -1 events, events without session_id, markers,
 * retried (duplicate) records, in the three input formats, arriving out of order within the
 * out-of-orderness bound, event times three hours in the past. Part of it is produced before the
 * live job starts; the rest once the live job has written sessions and its input has been quiet for
 * longer than the idle timeout, so some of it arrives behind a watermark that moved on with the
 * wall clock (late within the allowed lateness), as it can in production.
 */
@Timeout(240)
class LiveReplayEquivalenceITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final FlinkCluster FLINK = new FlinkCluster();

    static final long GAP_MS = 2_000;

    /** Arrival jitter stays below the job's out-of-orderness bound. */
    static final long MAX_JITTER_MS = 1_500;

    static final String OUT_OF_ORDERNESS = "2s";
    static final String IDLE_TIMEOUT = "500ms";
    static final Duration DEADLINE = Duration.ofSeconds(90);

    /**
     * The live topic counts as settled when it has not changed for this long (several checkpoints).
     */
    static final Duration STABLE_FOR = Duration.ofSeconds(2);

    /**
     * One generated event: the record value written for it, and the Event the reference gets (built
     * here, not parsed).
     */
    record Generated(String value, Event event) {}

    @Test
    void liveAndReplayedSessionsAreIdenticalForTheDefaultDefinition() throws Exception {
        check("gap", 11, List.of("--gap", "2s"), Rules.gap(GAP_MS));
    }

    @Test
    void liveAndReplayedSessionsAreIdenticalForClientSessionIdsWithPlatformGaps() throws Exception {
        check(
                "client",
                23,
                List.of(
                        "--gap",
                        "2s",
                        "--definition",
                        "client",
                        "--platform-gaps",
                        "iOS=1s,Web=3s"),
                Rules.gap(GAP_MS)
                        .kind("client", null)
                        .platformGaps(Map.of("iOS", 1_000L, "Web", 3_000L)));
    }

    /**
     * Produces the events, runs the live job until its sessions topic has settled, cancels it, runs
     * the bounded replay, and compares both with each other and with the reference.
     */
    private void check(String name, long seed, List<String> definition, Rules rules)
            throws Exception {
        long end = (System.currentTimeMillis() - 3 * 3_600_000L) / 1000 * 1000;
        List<Generated> events = generate(seed, end, 40);
        List<DefinedSession> reference =
                ReferenceSessionizer.sessionize(
                        events.stream().map(Generated::event).toList(), rules);
        Map<String, ExpectedSession> expected = ReferenceSessionizer.byDefinedKey(reference);
        assertThat(expected.size()).as("the data has several sessions per owner").isGreaterThan(15);

        String input = name + "-events";
        KAFKA.createTopic(input, 2);
        List<ProducerRecord<byte[], byte[]>> records = arrivalOrder(input, events, seed + 1);
        int firstPart = records.size() * 3 / 5;

        // LIVE: unbounded, as in production
        String live = "sessions-live" + ("gap".equals(name) ? "" : "-" + name);
        KAFKA.produce(records.subList(0, firstPart));
        JobClient job = JobRunner.start(FLINK, JobOptions.parse(options(input, live, definition)));
        Map<String, String> fromLive;
        try {
            KAFKA.awaitRecords(live, r -> !r.isEmpty(), DEADLINE);
            Thread.sleep(
                    1_000); // longer than the idle timeout: the live watermark now follows the wall
            // clock
            KAFKA.produce(records.subList(firstPart, records.size()));
            fromLive = awaitSettled(live, expected.size());
            assertThat(JobRunner.isRunning(job))
                    .as("the live job still runs: it closed the last sessions on its own")
                    .isTrue();
        } finally {
            JobRunner.cancel(job);
        }

        // REPLAY: bounded, from the earliest offset up to the end as of its start
        String replay = "sessions-replay" + ("gap".equals(name) ? "" : "-" + name);
        List<String> replayOptions = new ArrayList<>(definition);
        replayOptions.addAll(List.of("--stop-at", "latest"));
        SessionJob.run(FLINK.env(), JobOptions.parse(options(input, replay, replayOptions)));
        Map<String, String> fromReplay = KAFKA.compacted(replay);

        assertThat(ReplaySupport.comparable(fromLive))
                .as("live vs replay")
                .isEqualTo(ReplaySupport.comparable(fromReplay));
        assertMatchesReference(fromLive, reference, name);
        assertMatchesReference(fromReplay, reference, name);
        assertThat(fromLive.values())
                .as("live sessions close by the passing time, never by the end of the input")
                .allSatisfy(
                        v ->
                                assertThat(AmplitudeJson.parse(v).get("close_reason").asText())
                                        .isEqualTo("gap"));
        assertThat(fromReplay.values())
                .as("the replay's tail is closed by the end of its input")
                .anySatisfy(
                        v ->
                                assertThat(AmplitudeJson.parse(v).get("close_reason").asText())
                                        .isEqualTo("end_of_input"));
        for (String run : List.of(live, replay)) {
            assertThat(KAFKA.readToEnd(run + "-late"))
                    .as(run + ": nothing beyond the allowed lateness")
                    .isEmpty();
            assertThat(KAFKA.readToEnd(run + "-dlq")).as(run + ": no dead letters").isEmpty();
        }
    }

    private static String[] options(String input, String sessions, List<String> more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--input-topics",
                                input,
                                "--sessions-topic",
                                sessions,
                                "--dlq-topic",
                                sessions + "-dlq",
                                "--late-topic",
                                sessions + "-late",
                                "--metrics-topic",
                                sessions + "-metrics",
                                "--group-id",
                                sessions,
                                "--transactional-id-prefix",
                                sessions,
                                "--starting-offsets",
                                "earliest",
                                "--parallelism",
                                String.valueOf(FlinkCluster.PARALLELISM),
                                "--checkpoint-interval",
                                "500ms",
                                "--out-of-orderness",
                                OUT_OF_ORDERNESS,
                                "--idle-timeout",
                                IDLE_TIMEOUT));
        args.addAll(more);
        return args.toArray(String[]::new);
    }

    /**
     * Reads the compacted topic until it holds {@code expectedSize} sessions and has not changed
     * for {@link #STABLE_FOR}; at the deadline returns what it holds (the assertions then show the
     * difference).
     */
    private static Map<String, String> awaitSettled(String topic, int expectedSize)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Map<String, String> last = KAFKA.compacted(topic);
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            Map<String, String> now = KAFKA.compacted(topic);
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            } else if (now.size() == expectedSize
                    && System.nanoTime() - since >= STABLE_FOR.toNanos()) {
                return now;
            }
        }
        return last;
    }

    private static void assertMatchesReference(
            Map<String, String> records, List<DefinedSession> reference, String definition) {
        Map<String, ExpectedSession> actual = new TreeMap<>();
        records.forEach((k, v) -> actual.put(k, ExpectedSession.of(AmplitudeJson.parse(v))));
        assertThat(actual).isEqualTo(ReferenceSessionizer.byDefinedKey(reference));
        for (DefinedSession s : reference) {
            JsonNode n = AmplitudeJson.parse(records.get(s.key()));
            if (s.fromSdk()) {
                // the SDK's session_id is not the first event's time: length = max(event time) -
                // session_id
                assertThat(n.get("length_ms").asLong())
                        .as("%s %s", s.key(), n)
                        .isEqualTo(s.session().lengthMs());
            } else {
                assertThat(s.session().matches(n)).as("%s %s", s.key(), n).isTrue();
            }
            assertThat(n.get("definition").asText()).isEqualTo(definition);
            assertThat(n.get("session_source").asText())
                    .as(s.key())
                    .isEqualTo(s.fromSdk() ? "sdk" : "inferred");
        }
    }

    /**
     * Owners: a user on two devices (one timeline), a user on Android, a Web device without
     * user_id, a Web device whose user_id is invalid. Steps: short, exactly at and 1 ms below the
     * gaps of 1 s, 2 s and 3 s, and long; an SDK session_id that changes after a long step (and now
     * and then without one); 1 in 10 events session_id -1, 1 in 10 without session_id, markers; 1
     * in 12 records sent twice (a retry).
     */
    static List<Generated> generate(long seed, long end, int eventsPerOwner) {
        Random r = new Random(seed);
        String[][] owners = ReplayEquivalenceITCase.OWNERS.toArray(String[][]::new);
        long[] boundaries = {999, 1_000, 1_999, 2_000, 2_999, 3_000};
        List<Generated> out = new ArrayList<>();
        int insert = 0;
        for (int o = 0; o < owners.length; o++) {
            if (o == 1) continue; // user-1's second device shares user-1's timeline below
            // times drawn backwards from a common end, so that every device's (and so every
            // partition's) last event is close to it: once the input is quiet, the live watermark
            // follows the wall clock from the slowest partition's last event
            long[] times = new long[eventsPerOwner];
            times[eventsPerOwner - 1] = end - r.nextInt(500);
            for (int i = eventsPerOwner - 2; i >= 0; i--) {
                int roll = r.nextInt(100);
                times[i] =
                        times[i + 1]
                                - (roll < 55
                                        ? 50 + r.nextInt(850)
                                        : roll < 75
                                                ? boundaries[r.nextInt(boundaries.length)]
                                                : 3_001 + r.nextInt(12_000));
            }
            long sdk = times[0];
            for (int i = 0; i < eventsPerOwner; i++) {
                long t = times[i];
                if (i > 0 && (t - times[i - 1] > 3_000 || r.nextInt(10) == 0)) sdk = t;
                // user-1's last two events: one on each device
                boolean second =
                        i >= eventsPerOwner - 2 ? i == eventsPerOwner - 1 : r.nextBoolean();
                String[] who = o == 0 && second ? owners[1] : owners[o];
                String type = List.of("view", "click", "purchase", "search").get(r.nextInt(4));
                long sessionId = sdk;
                int kind = r.nextInt(20);
                if (kind == 0) type = "session_start";
                if (kind == 1) type = "[Amplitude] End Session";
                if (kind == 2 || kind == 3) {
                    type = "push_received";
                    sessionId = Event.OUT_OF_SESSION_ID;
                }
                if (kind == 4 || kind == 5) sessionId = Event.NO_SESSION_ID;
                Event e =
                        AmplitudeJson.event(
                                "anonymous".equals(who[0]) ? null : who[0],
                                who[1],
                                type,
                                t,
                                "ins-" + seed + "-" + insert++,
                                who[2]);
                e.sdkSessionId = sessionId;
                int format = r.nextInt(5);
                String value =
                        format == 0
                                ? AmplitudeJson.text(AmplitudeJson.export(e, who[0], r.nextInt(2)))
                                : format == 1
                                        ? AmplitudeJson.text(
                                                AmplitudeJson.body(
                                                        List.of(AmplitudeJson.v2(e, who[0]))))
                                        : AmplitudeJson.text(AmplitudeJson.v2(e, who[0]));
                Generated g = new Generated(value, e);
                out.add(g);
                if (r.nextInt(12) == 0) out.add(g); // a retried upload: the same record again
            }
        }
        return out;
    }

    /**
     * Kafka records keyed by device_id, in arrival order: event time plus up to {@link
     * #MAX_JITTER_MS}.
     */
    static List<ProducerRecord<byte[], byte[]>> arrivalOrder(
            String topic, List<Generated> events, long seed) {
        Random r = new Random(seed);
        List<long[]> arrival = new ArrayList<>(); // {arrival time, index}
        for (int i = 0; i < events.size(); i++)
            arrival.add(
                    new long[] {events.get(i).event().time + r.nextInt((int) MAX_JITTER_MS), i});
        arrival.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (long[] a : arrival) {
            Generated g = events.get((int) a[1]);
            out.add(KafkaBroker.record(topic, g.event().deviceId, g.value()));
        }
        return out;
    }
}
