package com.sessionflow.bench;

import com.sessionflow.demo.TrafficGenerator;
import com.sessionflow.demo.TrafficRecord;
import com.sessionflow.event.Event;
import com.sessionflow.event.EventParser;
import com.sessionflow.event.Identity;
import com.sessionflow.event.RecordOrigin;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.testing.AmplitudeJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark's input: Kafka records of {@link TrafficGenerator} traffic, generated before any
 * clock starts and held in memory as plain arrays, so every scenario reads the very same bytes and
 * generation is never measured. Flink jobs of the same JVM (a local MiniCluster) read them through
 * {@link #current()}.
 */
public final class BenchInput {

    /**
     * Simulated time starts here (2025-11-24T16:00:00Z), so the same seed always gives the same
     * bytes.
     */
    public static final long START = 1_764_000_000_000L;

    public static final String TOPIC = "events";

    private static volatile BenchInput current;

    public final byte[][] keys;
    public final byte[][] values;
    public final long[] timestamps;

    /** Largest valid event time of each record (Long.MIN_VALUE when it holds none). */
    public final long[] maxEventTimes;

    /** What the job's parser makes of the records: events, dead letters, distinct owners. */
    public final long events;

    public final long deadLetters;
    public final long owners;
    public final long outOfSessionEvents;
    public final long bytes;
    public final int users;
    public final long generationMs;

    private BenchInput(List<TrafficRecord> records, int users, long generationMs) {
        int n = records.size();
        keys = new byte[n][];
        values = new byte[n][];
        timestamps = new long[n];
        maxEventTimes = new long[n];
        EventParser parser = parser();
        SessionDefinition definition = SessionDefinition.defaults();
        Set<String> seen = new HashSet<>();
        long[] counts = new long[3];
        long total = 0;
        for (int i = 0; i < n; i++) {
            TrafficRecord r = records.get(i);
            keys[i] = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
            values[i] = r.value();
            timestamps[i] = r.timestamp();
            total += r.value().length;
            long[] max = {Long.MIN_VALUE};
            parser.parse(
                    new RecordOrigin(TOPIC, 0, i, r.timestamp(), keys[i], r.value()),
                    p -> {
                        if (p.isEvent()) {
                            Event e = p.event;
                            counts[0]++;
                            if (definition.isOutOfSession(e)) counts[2]++;
                            seen.add(e.owner);
                            max[0] = Math.max(max[0], e.time);
                        } else {
                            counts[1]++;
                        }
                    });
            maxEventTimes[i] = max[0];
        }
        this.events = counts[0];
        this.deadLetters = counts[1];
        this.outOfSessionEvents = counts[2];
        this.owners = seen.size();
        this.bytes = total;
        this.users = users;
        this.generationMs = generationMs;
    }

    /** The job's parser with its default options. */
    public static EventParser parser() {
        return new EventParser(Identity.USER, null, 262_144, Duration.ofMinutes(10).toMillis());
    }

    /**
     * Generates traffic of {@code users} simulated users (seeded) until it holds at least {@code
     * minEvents} parsed events and covers at least {@code minMinutes} of simulated time.
     */
    public static BenchInput generate(
            long seed, int users, long minEvents, long minMinutes, Duration gap) {
        long t0 = System.nanoTime();
        TrafficGenerator generator = new TrafficGenerator(seed, START, users, gap);
        long until = START + minMinutes * 60_000L;
        List<TrafficRecord> records = new ArrayList<>();
        EventParser counter = parser();
        long[] events = {0};
        while (events[0] < minEvents || generator.nextTimestamp() < until) {
            TrafficRecord r = generator.next();
            records.add(r);
            counter.parse(
                    new RecordOrigin(TOPIC, 0, 0, r.timestamp(), null, r.value()),
                    p -> {
                        if (p.isEvent()) events[0]++;
                    });
        }
        return new BenchInput(records, users, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The same traffic with every event in a record of its own, an HTTP API v2 event under its
     * record's key and timestamp: the only shape a Kafka table in Flink's JSON format reads.
     * Records the job's parser rejects are left out: one with a device clock days ahead would move
     * a SQL table's watermark days ahead, and the SESSION query would then drop every later event
     * as late (on 20 K events it wrote 95 of 2,429 sessions), which measures nothing.
     */
    public BenchInput singleEvents() {
        List<TrafficRecord> records = new ArrayList<>();
        EventParser parser = parser();
        for (int i = 0; i < size(); i++) {
            String key = keys[i] == null ? null : new String(keys[i], StandardCharsets.UTF_8);
            long timestamp = timestamps[i];
            parser.parse(
                    origin(i),
                    p -> {
                        if (!p.isEvent()) return;
                        byte[] json =
                                AmplitudeJson.text(AmplitudeJson.v2(p.event, p.event.userId))
                                        .getBytes(StandardCharsets.UTF_8);
                        records.add(
                                new TrafficRecord(
                                        key,
                                        json,
                                        timestamp,
                                        Set.of(TrafficRecord.Trait.V2_EVENT)));
                    });
        }
        return new BenchInput(records, users, generationMs);
    }

    /** Record {@code i} as the job's Kafka source hands it to the parser (partition 0). */
    public RecordOrigin origin(int i) {
        return new RecordOrigin(TOPIC, 0, i, timestamps[i], keys[i], values[i]);
    }

    public int size() {
        return values.length;
    }

    public static BenchInput current() {
        BenchInput in = current;
        if (in == null) throw new IllegalStateException("no benchmark input in this JVM");
        return in;
    }

    public static void setCurrent(BenchInput input) {
        current = input;
    }

    @Override
    public String toString() {
        return String.format(
                "%,d records (%,d bytes), %,d events, %,d dead letters, %,d out-of-session, %,d"
                        + " owners, %,d users, generated in %,d ms",
                size(),
                bytes,
                events,
                deadLetters,
                outOfSessionEvents,
                owners,
                users,
                generationMs);
    }
}
