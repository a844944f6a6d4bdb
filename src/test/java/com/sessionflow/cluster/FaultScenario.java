package com.sessionflow.cluster;

import static com.sessionflow.testing.AmplitudeJson.parse;
import static com.sessionflow.testing.KafkaBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.event.Event;
import com.sessionflow.reference.ReferenceSessionizer;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.testing.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One fault test's topics, job options, traffic and checks, on a {@link LocalCluster}.
 *
 * <p>The checks, the same for every fault: the compacted sessions topic read with read_committed
 * equals the {@link ReferenceSessionizer} run on every event sent; no key has two different records
 * with the same revision; the late topic is empty; the dead-letter topic holds exactly the records
 * that were not JSON.
 */
final class FaultScenario implements AutoCloseable {

    static final long GAP_MS = 10_000;
    static final int PARTITIONS = 2;
    private static final int OWNERS = 30;

    private final LocalCluster cluster;
    private final String name;
    final String input;
    final String sessions;
    final String deadLetters;
    final String late;
    final String metrics;
    private final List<String> extraOptions;
    private final Traffic traffic;
    private SessionWatcher watcher;

    /**
     * @param extraOptions job options on top of the scenario's (gap 10 s, out-of-orderness 1 s,
     *     idle timeout 2 s, checkpoints every 2 s)
     */
    FaultScenario(LocalCluster cluster, String name, long seed, String... extraOptions) {
        this(cluster, name, seed, OWNERS, 0, extraOptions);
    }

    /**
     * @param owners how many users/devices send events (each about {@link
     *     Traffic#RECORDS_PER_OWNER_PER_SECOND} records/s)
     * @param hostileEvery 0 for the default bad records (a line that is not JSON every 2.5 s), else
     *     every n-th record is hostile ({@link Traffic#hostileEvery})
     */
    FaultScenario(
            LocalCluster cluster,
            String name,
            long seed,
            int owners,
            int hostileEvery,
            String... extraOptions) {
        this.cluster = cluster;
        this.name = name;
        String prefix = name.toLowerCase(Locale.ROOT);
        this.input = prefix + "-events";
        this.sessions = prefix + "-sessions";
        this.deadLetters = prefix + "-dlq";
        this.late = prefix + "-late";
        this.metrics = prefix + "-metrics";
        this.extraOptions = List.of(extraOptions);
        createInputTopic();
        this.traffic = new Traffic(cluster.bootstrapServers(), input, prefix, owners, seed);
        if (hostileEvery > 0) traffic.hostileEvery(hostileEvery);
    }

    private void createInputTopic() {
        try (Admin admin = Admin.create(cluster.broker().clientProperties())) {
            admin.createTopics(
                            List.of(new NewTopic(input, Optional.of(PARTITIONS), Optional.empty())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Deadline.await(
                    "topic " + input + " to have leaders",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(100),
                    () ->
                            admin
                                    .describeTopics(List.of(input))
                                    .allTopicNames()
                                    .get(5, TimeUnit.SECONDS)
                                    .get(input)
                                    .partitions()
                                    .stream()
                                    .allMatch(p -> p.leader() != null),
                    null);
        } catch (Exception e) {
            throw new AssertionError("cannot create " + input, e);
        }
    }

    /** The job's options for this scenario. */
    List<String> jobOptions(int parallelism) {
        String prefix = name.toLowerCase(Locale.ROOT);
        List<String> o =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                cluster.bootstrapServers(),
                                "--input-topics",
                                input,
                                "--sessions-topic",
                                sessions,
                                "--dlq-topic",
                                deadLetters,
                                "--late-topic",
                                late,
                                "--metrics-topic",
                                metrics,
                                "--group-id",
                                prefix,
                                "--transactional-id-prefix",
                                prefix,
                                "--starting-offsets",
                                "earliest",
                                "--gap",
                                "10s",
                                "--out-of-orderness",
                                "1s",
                                "--idle-timeout",
                                "2s",
                                "--checkpoint-interval",
                                "2s",
                                "--parallelism",
                                String.valueOf(parallelism)));
        o.addAll(extraOptions);
        return o;
    }

    /** Runs the job at {@code parallelism}, from a savepoint or checkpoint if not null. */
    String submit(int parallelism, String savepoint) {
        long t0 = System.nanoTime();
        String jobId = cluster.submitJob(jobOptions(parallelism), parallelism, savepoint);
        System.out.printf(
                "%s: job %s running at parallelism %d%s after %.1f s%n",
                name,
                jobId,
                parallelism,
                savepoint == null ? "" : " from " + savepoint,
                (System.nanoTime() - t0) / 1e9);
        if (watcher == null)
            watcher = new SessionWatcher(cluster.bootstrapServers(), sessions, PARTITIONS);
        return jobId;
    }

    Traffic traffic() {
        return traffic;
    }

    /** What a read_committed consumer of the sessions topic has seen so far (after submit). */
    SessionWatcher watcher() {
        return watcher;
    }

    /** The job's consumer group's lag: records of the input topic not yet committed by it. */
    long consumerLag() {
        try (Admin admin = Admin.create(cluster.broker().clientProperties())) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(name.toLowerCase(Locale.ROOT))
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++)
                latest.put(
                        new TopicPartition(input, p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The outcome of {@link #check}: the output against the reference, counted. */
    record Report(
            long events,
            long expectedSessions,
            long committedSessions,
            long missingSessions,
            long unexpectedSessions,
            long differingSessions,
            long lostEvents,
            long doubledEvents,
            long conflictingRevisions,
            long lateEvents,
            long hostileSent,
            long deadLetters,
            long hostileWithoutDeadLetter,
            long deadLettersNotHostile,
            long doubledDeadLetters,
            Map<String, Long> deadLettersByReason,
            String differences,
            double matchSeconds) {

        /** Nothing lost, nothing doubled, nothing different, nothing late, every dead letter. */
        boolean clean() {
            return missingSessions == 0
                    && unexpectedSessions == 0
                    && differingSessions == 0
                    && lostEvents == 0
                    && doubledEvents == 0
                    && conflictingRevisions == 0
                    && lateEvents == 0
                    && hostileWithoutDeadLetter == 0
                    && deadLettersNotHostile == 0
                    && doubledDeadLetters == 0;
        }
    }

    /**
     * Like {@link #awaitAndVerify} (pauses the traffic, waits until the sessions topic equals the
     * reference, at most {@code timeout}), but counts instead of asserting: how many sessions and
     * events are missing or doubled against the reference, late events, dead letters against the
     * bad records sent. For the soak run.
     */
    Report check(Duration timeout) {
        traffic.pause();
        List<Event> events = traffic.events();
        Map<String, ExpectedSession> expected =
                ReferenceSessionizer.byKey(ReferenceSessionizer.sessionize(events, GAP_MS));
        long t0 = System.nanoTime();
        double matched = -1;
        long end = t0 + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!readToEnd(late).isEmpty()) break;
            if (differences(expected, actual(readToEnd(sessions))).isEmpty()) {
                matched = (System.nanoTime() - t0) / 1e9;
                break;
            }
            LocalCluster.sleep(1_000);
        }
        // one more checkpoint: nothing may change any more
        LocalCluster.sleep(6_000);
        List<ConsumerRecord<byte[], byte[]>> log = readToEnd(sessions);
        Map<String, ExpectedSession> actual = actual(log);
        long missing = 0, unexpected = 0, differing = 0, lost = 0, doubled = 0;
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            ExpectedSession e = expected.get(k);
            ExpectedSession a = actual.get(k);
            long want = e == null ? 0 : e.eventCount();
            long got = a == null ? 0 : a.eventCount();
            if (a == null) missing++;
            else if (e == null) unexpected++;
            else if (!e.equals(a)) differing++;
            if (got < want) lost += want - got;
            if (got > want) doubled += got - want;
        }
        long conflicts = conflictingRevisions(log);
        long lateCount = readToEnd(late).size();
        Map<String, String> bad = traffic.badRecords();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Long> byReason = new TreeMap<>();
        long notHostile = 0;
        List<ConsumerRecord<byte[], byte[]>> dlq = readToEnd(deadLetters);
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            JsonNode n = parse(text(r.value()));
            String where = n.get("partition").asInt() + "@" + n.get("offset").asLong();
            String reason = n.get("reason").asText();
            byReason.merge(reason, 1L, Long::sum);
            if (!reason.equals(bad.get(where))) notHostile++;
            seen.merge(where, 1, Integer::sum);
        }
        long withoutDeadLetter = bad.keySet().stream().filter(k -> !seen.containsKey(k)).count();
        long doubledDeadLetters =
                seen.values().stream().filter(c -> c > 1).mapToLong(c -> c - 1).sum();
        return new Report(
                events.size(),
                expected.size(),
                actual.size(),
                missing,
                unexpected,
                differing,
                lost,
                doubled,
                conflicts,
                lateCount,
                bad.size(),
                dlq.size(),
                withoutDeadLetter,
                notHostile,
                doubledDeadLetters,
                byReason,
                differences(expected, actual),
                matched);
    }

    private static long conflictingRevisions(List<ConsumerRecord<byte[], byte[]>> log) {
        Map<String, Map<Integer, Set<String>>> byKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : log) {
            if (r.value() == null) continue;
            String value = text(r.value());
            byKey.computeIfAbsent(text(r.key()), k -> new HashMap<>())
                    .computeIfAbsent(parse(value).get("revision").asInt(), k -> new HashSet<>())
                    .add(value);
        }
        return byKey.values().stream()
                .flatMap(m -> m.values().stream())
                .filter(v -> v.size() > 1)
                .count();
    }

    /**
     * Waits for the first session record committed after the fault, prints {@code FAULT <label>
     * recovery_seconds=<x>} and returns x.
     */
    double awaitRecovery(String label, long faultMillis) {
        long first =
                watcher.firstArrivalAfter(
                        faultMillis, Duration.ofMinutes(2), () -> cluster.diagnostics(30));
        double seconds = (first - faultMillis) / 1000.0;
        System.out.printf(Locale.ROOT, "FAULT %s recovery_seconds=%.1f%n", label, seconds);
        return seconds;
    }

    /**
     * Waits (quiet input closes every session: event time follows the wall clock once the
     * partitions are idle) until the compacted sessions topic equals the reference, then checks
     * everything. Pause the traffic first.
     */
    void awaitAndVerify(Duration timeout) {
        traffic.pause();
        List<Event> events = traffic.events();
        Map<String, ExpectedSession> expected =
                ReferenceSessionizer.byKey(ReferenceSessionizer.sessionize(events, GAP_MS));
        long t0 = System.nanoTime();
        String[] last = {""};
        try {
            Deadline.await(
                    "the compacted sessions topic "
                            + sessions
                            + " to equal the reference ("
                            + expected.size()
                            + " sessions)",
                    timeout,
                    Duration.ofSeconds(1),
                    () -> {
                        // a late event will never be in its session: fail now, not at the deadline
                        List<ConsumerRecord<byte[], byte[]>> lateRecords = readToEnd(late);
                        if (!lateRecords.isEmpty()) {
                            throw new ClusterException(
                                    lateRecords.size()
                                            + " events went to the late topic "
                                            + late
                                            + ", e.g.:"
                                            + KafkaBroker.describe(
                                                    lateRecords.subList(
                                                            0, Math.min(5, lateRecords.size())))
                                            + "\nsessions topic vs reference: "
                                            + differences(expected, actual(readToEnd(sessions))));
                        }
                        last[0] = differences(expected, actual(readToEnd(sessions)));
                        return last[0].isEmpty();
                    },
                    () ->
                            "differences (reference vs topic):\n"
                                    + last[0]
                                    + "late topic: "
                                    + readToEnd(late).size()
                                    + " records\n"
                                    + cluster.diagnostics(15));
        } catch (ClusterException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        System.out.printf(
                "%s: %d events (%d distinct), %d sessions; the topic matched the reference %.1f s"
                        + " after the traffic stopped (its longest stall: %d ms)%n",
                name,
                events.size(),
                events.stream().map(e -> e.deviceId + "|" + e.insertId).distinct().count(),
                expected.size(),
                (System.nanoTime() - t0) / 1e9,
                traffic.longestStallMs());
        // one more checkpoint: nothing may change any more
        LocalCluster.sleep(6_000);
        List<ConsumerRecord<byte[], byte[]>> log = readToEnd(sessions);
        assertThat(differences(expected, actual(log))).as("sessions topic vs reference").isEmpty();
        Map<String, String> compacted = KafkaBroker.fold(log);
        for (Map.Entry<String, ExpectedSession> e : expected.entrySet()) {
            JsonNode n = parse(compacted.get(e.getKey()));
            assertThat(e.getValue().matches(n)).as("record %s: %s", e.getKey(), n).isTrue();
        }
        assertNoConflictingRevisions(log);
        List<ConsumerRecord<byte[], byte[]>> lateRecords = readToEnd(late);
        assertThat(lateRecords)
                .as("late topic %s: %s", late, KafkaBroker.describe(lateRecords))
                .isEmpty();
        assertDeadLettersAreTheBadRecords();
        assertMetricsCountEverySessionOnce(expected.size(), timeout);
        long revisions =
                log.stream()
                        .filter(
                                r ->
                                        r.value() != null
                                                && parse(text(r.value())).get("revision").asInt()
                                                        > 1)
                        .count();
        long tombstones = log.stream().filter(r -> r.value() == null).count();
        System.out.printf(
                "%s: %d session records (%d revisions > 1, %d tombstones); checks passed%n",
                name, log.size(), revisions, tombstones);
    }

    /** Each (key, revision) has one value: a record written twice must be the same record. */
    /**
     * The metrics topic neither lost nor doubled a session across the faults: its compacted
     * all-platform buckets add up to the reference's sessions (re-emitted at most every
     * --metrics-interval, so this waits for the last change).
     */
    private void assertMetricsCountEverySessionOnce(long expected, Duration timeout) {
        long[] counted = {0};
        try {
            Deadline.await(
                    "the metrics topic " + metrics + " to count " + expected + " sessions",
                    timeout,
                    Duration.ofSeconds(1),
                    () -> {
                        counted[0] = 0;
                        KafkaBroker.fold(readToEnd(metrics))
                                .forEach(
                                        (key, value) -> {
                                            if (key.endsWith("/all") && value != null)
                                                counted[0] +=
                                                        parse(value).path("sessions").asLong();
                                        });
                        return counted[0] == expected;
                    },
                    () -> "the all-platform buckets count " + counted[0] + " sessions");
        } catch (ClusterException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private void assertNoConflictingRevisions(List<ConsumerRecord<byte[], byte[]>> log) {
        Map<String, Map<Integer, Set<String>>> byKey = new TreeMap<>();
        int identical = 0;
        for (ConsumerRecord<byte[], byte[]> r : log) {
            if (r.value() == null) continue;
            String value = text(r.value());
            int revision = parse(value).get("revision").asInt();
            Set<String> values =
                    byKey.computeIfAbsent(text(r.key()), k -> new TreeMap<>())
                            .computeIfAbsent(revision, k -> new TreeSet<>());
            if (!values.add(value)) identical++;
        }
        List<String> conflicts = new ArrayList<>();
        byKey.forEach(
                (key, revs) ->
                        revs.forEach(
                                (rev, values) -> {
                                    if (values.size() > 1)
                                        conflicts.add(key + " revision " + rev + ": " + values);
                                }));
        if (identical > 0)
            System.out.printf("%s: %d session records written twice, identical%n", name, identical);
        assertThat(conflicts).as("keys with two different records of one revision").isEmpty();
    }

    private void assertDeadLettersAreTheBadRecords() {
        Map<String, String> reasons = traffic.badRecords();
        Set<String> bad = new HashSet<>(reasons.keySet());
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readToEnd(deadLetters)) {
            JsonNode n = parse(text(r.value()));
            String where = n.get("partition").asInt() + "@" + n.get("offset").asLong();
            assertThat(n.get("topic").asText()).isEqualTo(input);
            assertThat(bad)
                    .as("dead letter %s is a record that was sent as bad input: %s", where, n)
                    .contains(where);
            assertThat(n.get("reason").asText())
                    .as("reason of %s", n)
                    .isEqualTo(reasons.get(where));
            seen.merge(where, 1, Integer::sum);
        }
        assertThat(seen.keySet())
                .as("every bad record is a dead letter")
                .containsExactlyInAnyOrderElementsOf(bad);
        assertThat(seen.values()).as("each dead letter once").allMatch(c -> c == 1);
    }

    private static Map<String, ExpectedSession> actual(List<ConsumerRecord<byte[], byte[]>> log) {
        Map<String, ExpectedSession> actual = new TreeMap<>();
        KafkaBroker.fold(log).forEach((k, v) -> actual.put(k, ExpectedSession.of(parse(v))));
        return actual;
    }

    /** What differs, one line per key (at most 20), or "" when the two are equal. */
    static String differences(
            Map<String, ExpectedSession> expected, Map<String, ExpectedSession> actual) {
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        StringBuilder sb = new StringBuilder();
        int n = 0;
        int total = 0;
        for (String k : keys) {
            ExpectedSession e = expected.get(k);
            ExpectedSession a = actual.get(k);
            if (e != null && e.equals(a)) continue;
            total++;
            if (n++ < 20) {
                sb.append("  ").append(k).append(": ");
                if (a == null) sb.append("missing; expected ").append(e);
                else if (e == null) sb.append("not expected: ").append(a);
                else sb.append("expected ").append(e).append("\n      but was ").append(a);
                sb.append('\n');
            }
        }
        if (total > n) sb.append("  ... ").append(total - n).append(" more\n");
        return total == 0 ? "" : total + " of " + keys.size() + " keys differ:\n" + sb;
    }

    /** Every record of the topic a read_committed consumer sees, to its current end. */
    List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic) {
        Properties p = cluster.broker().clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) return out;
            for (PartitionInfo info : infos) tps.add(new TopicPartition(topic, info.partition()));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (end.entrySet().stream()
                    .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline)
                    throw new AssertionError("could not read " + topic + " to its end " + end);
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        out.sort(
                Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                        .thenComparingLong(ConsumerRecord::offset));
        return out;
    }

    @Override
    public void close() {
        if (watcher != null) watcher.close();
        traffic.close();
    }
}
