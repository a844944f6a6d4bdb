package com.sessionflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sessionflow.demo.TrafficGenerator;
import com.sessionflow.demo.TrafficRecord;
import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.functions.SplitDeadLetters;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionJob;
import com.sessionflow.kafka.JsonRecords;
import com.sessionflow.kafka.JsonSerializer;
import com.sessionflow.kafka.KafkaIO;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.kafka.Topics;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.time.EventTimes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The scenarios through a real Kafka broker (a KRaft broker in a process of its own, {@link
 * BrokerProcess}: the scenario's CPU time is the job's, the broker's is measured apart):
 *
 * <ul>
 *   <li>{@code e2e-floor} / {@code e2e-job}: the benchmark input is produced into the topic {@code
 *       events} first; then the clock runs from the job's start to its end, a bounded replay
 *       ({@code --stop-at latest}) that ends after its final checkpoint has committed all output
 *       (exactly-once sinks). The floor is the job's shape without state, its records written by an
 *       exactly-once KafkaSink as the job's are.
 *   <li>{@code e2e-kstreams-inmemory} / {@code e2e-kstreams-rocksdb}: the same input through Kafka
 *       Streams' SessionWindows in a real {@code KafkaStreams} instance, exactly-once, its commit
 *       interval the job's checkpoint interval.
 *   <li>{@code latency}: the real job, unbounded, while live traffic stamped with the wall clock is
 *       produced at a steady pace; a read_committed consumer of {@code sessions} notes when it sees
 *       each session's first record. Then production stops (quiet input) and the last sessions are
 *       measured the same way.
 * </ul>
 */
final class KafkaBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String OUTPUT = "floor-events";

    private KafkaBench() {}

    // ---------------------------------------------------------------- end to end

    /** The whole job, or one of the peers reading and writing the same topics the same way. */
    enum EndToEnd {
        JOB,
        FLOOR,
        SQL_SESSION,
        /** {@link SqlAsWritten}: the SESSION query as a SQL user writes it. */
        SQL_USER,
        /** {@link SqlAsWritten}: read JSON, write JSON, in Flink SQL. */
        SQL_PASSTHROUGH
    }

    static Map<String, Object> endToEnd(
            EndToEnd kind, BenchInput input, BenchSettings s, long checkpointMs, String backend)
            throws Exception {
        boolean job = kind == EndToEnd.JOB;
        Probe.reset();
        try (BrokerProcess kafka = BrokerProcess.start()) {
            String bootstrap = kafka.bootstrapServers();
            createTopic(bootstrap, BenchInput.TOPIC, 1);
            long t0 = System.nanoTime();
            produceAll(bootstrap, input);
            long produceMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println(
                    "bench: produced " + input.size() + " records in " + produceMs + " ms");
            JobOptions options = options(bootstrap, s, checkpointMs, "--stop-at", "latest");
            Topics.prepare(options.kafka(), true);
            if (!job) createTopic(bootstrap, OUTPUT, 1);
            StreamExecutionEnvironment env = FlinkBench.environment(backend, s);
            switch (kind) {
                case JOB -> SessionJob.build(env, options, options.stoppingOffsets());
                case SQL_USER, SQL_PASSTHROUGH ->
                        SqlAsWritten.build(
                                env,
                                bootstrap,
                                OUTPUT,
                                checkpointMs,
                                s.gapMs,
                                s.outOfOrdernessMs,
                                kind == EndToEnd.SQL_USER);
                default -> peer(env, options, checkpointMs, kind == EndToEnd.SQL_SESSION, s);
            }
            long cpu0 = Probe.cpuNanos();
            long broker0 = kafka.cpuNanos();
            long wall0 = System.nanoTime();
            env.execute("bench e2e " + kind);
            long wall = System.nanoTime() - wall0;
            long cpu = Probe.cpuNanos() - cpu0;
            long brokerCpu = kafka.cpuNanos() - broker0;
            // what is readable with read_committed once the job has ended
            Map<String, Long> out = new LinkedHashMap<>();
            for (String topic :
                    job
                            ? List.of("sessions", "events-dlq", "events-late", "session-metrics")
                            : List.of(OUTPUT, "events-dlq")) {
                out.put(topic, countCommitted(bootstrap, topic));
            }
            return endToEndResult(input, produceMs, wall, cpu, brokerCpu, checkpointMs, out);
        }
    }

    /**
     * Kafka Streams' SessionWindows ({@link KafkaStreamsBench#topology}) in a real {@link
     * KafkaStreams} instance against the broker: one stream thread, exactly-once (v2) with a commit
     * interval equal to the job's checkpoint interval, the input produced first and ended by a
     * record far in the future that closes every window. Kafka Streams has no end of input: the
     * clock stops at the last session record readable with read_committed, once no more came for a
     * while.
     */
    static Map<String, Object> kafkaStreamsEndToEnd(
            boolean rocksDb, BenchInput input, BenchSettings s, long commitMs) throws Exception {
        Probe.reset();
        try (BrokerProcess kafka = BrokerProcess.start()) {
            String bootstrap = kafka.bootstrapServers();
            createTopic(bootstrap, BenchInput.TOPIC, 1);
            createTopic(bootstrap, KafkaStreamsBench.OUTPUT, 1);
            long t0 = System.nanoTime();
            produceAll(bootstrap, input);
            long end =
                    KafkaStreamsBench.endOfInputTime(
                            Arrays.stream(input.timestamps).max().orElse(0));
            try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, 0)) {
                p.send(
                                new ProducerRecord<>(
                                        BenchInput.TOPIC,
                                        0,
                                        end,
                                        null,
                                        KafkaStreamsBench.endOfInput(end)))
                        .get();
            }
            long produceMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println(
                    "bench: produced " + input.size() + " records in " + produceMs + " ms");
            Properties config = KafkaStreamsBench.config(s, bootstrap);
            config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitMs));
            config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
            config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            long cpu0 = Probe.cpuNanos();
            long broker0 = kafka.cpuNanos();
            long wall0 = System.nanoTime();
            long[] last = {
                wall0, cpu0, broker0
            }; // wall, CPU and broker CPU time when the last session record was read
            long sessions = 0;
            try (KafkaStreams streams =
                            new KafkaStreams(KafkaStreamsBench.topology(rocksDb, s), config);
                    KafkaConsumer<byte[], byte[]> out =
                            readCommitted(bootstrap, KafkaStreamsBench.OUTPUT)) {
                streams.setUncaughtExceptionHandler(
                        e -> {
                            e.printStackTrace();
                            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                                    .SHUTDOWN_CLIENT;
                        });
                streams.start();
                long quietNanos = TimeUnit.MILLISECONDS.toNanos(2 * commitMs + 5_000);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
                while (true) {
                    int n = out.poll(Duration.ofMillis(100)).count();
                    long now = System.nanoTime();
                    if (n > 0) {
                        sessions += n;
                        last[0] = now;
                        last[1] = Probe.cpuNanos();
                        last[2] = kafka.cpuNanos();
                    }
                    boolean inputDone = Probe.get("parsed.endOfInput") > 0;
                    if (inputDone && sessions > 0 && now - last[0] > quietNanos) break;
                    if (streams.state().hasCompletedShutdown()
                            || streams.state() == KafkaStreams.State.ERROR) {
                        throw new IllegalStateException(
                                "Kafka Streams stopped: " + streams.state());
                    }
                    if (now > deadline)
                        throw new IllegalStateException(
                                "Kafka Streams did not finish within 30 minutes");
                }
                streams.close(Duration.ofSeconds(30));
            }
            return endToEndResult(
                    input,
                    produceMs,
                    last[0] - wall0,
                    last[1] - cpu0,
                    last[2] - broker0,
                    commitMs,
                    Map.of(KafkaStreamsBench.OUTPUT, sessions));
        }
    }

    private static Map<String, Object> endToEndResult(
            BenchInput input,
            long produceMs,
            long wallNanos,
            long cpuNanos,
            long brokerCpuNanos,
            long checkpointMs,
            Map<String, Long> committed) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("records", input.size());
        r.put("events", input.events);
        r.put("owners", input.owners);
        r.put("produceMs", produceMs);
        r.put("wallMs", wallNanos / 1_000_000);
        r.put("cpuMs", cpuNanos / 1_000_000);
        r.put("eventsPerSec", Results.rate(input.events, wallNanos));
        r.put("eventsPerCpuSec", Results.rate(input.events, cpuNanos));
        r.put("brokerCpuMs", brokerCpuNanos / 1_000_000);
        r.put("eventsPerCpuSecWithBroker", Results.rate(input.events, cpuNanos + brokerCpuNanos));
        r.put("checkpointMs", checkpointMs);
        r.put("committed", committed);
        return r;
    }

    /** A read_committed consumer of every partition of {@code topic}, from the beginning. */
    private static KafkaConsumer<byte[], byte[]> readCommitted(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        // the latency scenario notes when each record arrives
        p.put("fetch.max.wait.ms", "50");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> parts =
                c.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition()))
                        .toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    /**
     * The job's shape without state: source and watermarks as the job's, split dead letters, key by
     * owner, one JSON record per event.
     */
    /**
     * The floor (one JSON record per event, keyed by owner) or Flink SQL's SESSION window ({@link
     * FlinkBench#sqlSessions}), between the job's source and an exactly-once sink like the job's.
     */
    private static void peer(
            StreamExecutionEnvironment env,
            JobOptions options,
            long checkpointMs,
            boolean sql,
            BenchSettings s) {
        env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
        KafkaSettings kafka = options.kafka();
        DataStream<ParsedRecord> parsed =
                env.fromSource(
                        KafkaIO.eventSource(
                                kafka,
                                options.parser(),
                                OffsetsInitializer.earliest(),
                                options.stoppingOffsets()),
                        EventTimes.strategy(options.outOfOrderness(), options.idleTimeout()),
                        "kafka events");
        SingleOutputStreamOperator<Event> events =
                parsed.process(new SplitDeadLetters()).name("split dead letters");
        events.getSideOutput(SplitDeadLetters.DEAD_LETTERS)
                .sinkTo(KafkaIO.deadLetterSink(kafka))
                .name("dead-letter topic");
        if (sql) {
            SessionDefinition definition = s.definition();
            FlinkBench.sqlSessions(env, events.filter(e -> !definition.isOutOfSession(e)), s.gapMs)
                    .sinkTo(
                            exactlyOnce(
                                    kafka,
                                    "bench-sql",
                                    new JsonSerializer<Row>(
                                            OUTPUT,
                                            FlinkBench::sqlSessionKey,
                                            r -> JsonRecords.bytes(FlinkBench.sqlSessionJson(r)))))
                    .name("sessions topic");
        } else {
            events.keyBy(e -> e.owner)
                    .sinkTo(
                            exactlyOnce(
                                    kafka,
                                    "bench-floor",
                                    new JsonSerializer<Event>(
                                            OUTPUT,
                                            e -> e.owner.getBytes(StandardCharsets.UTF_8),
                                            e -> JsonRecords.bytes(JsonRecords.event(e)))))
                    .name("events topic");
        }
    }

    private static <T> KafkaSink<T> exactlyOnce(
            KafkaSettings kafka, String prefix, JsonSerializer<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(prefix)
                .setProperty("transaction.timeout.ms", String.valueOf(10 * 60 * 1000))
                .build();
    }

    private static void produceAll(String bootstrap, BenchInput input) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, 20)) {
            for (int i = 0; i < input.size(); i++) {
                // p.flush() below waits for every record
                var unused =
                        p.send(
                                new ProducerRecord<>(
                                        BenchInput.TOPIC,
                                        0,
                                        input.timestamps[i],
                                        input.keys[i],
                                        input.values[i]));
            }
            p.flush();
        }
    }

    // ---------------------------------------------------------------- latency

    /**
     * @param users simulated users of the live traffic (each starts a session about every half
     *     hour; the generator spreads the first sessions over 40 minutes)
     * @param flowingSeconds how long traffic is produced
     */
    static Map<String, Object> latency(
            BenchSettings s,
            long seed,
            int users,
            long flowingSeconds,
            long checkpointMs,
            String identity)
            throws Exception {
        try (BrokerProcess kafka = BrokerProcess.start()) {
            String bootstrap = kafka.bootstrapServers();
            createTopic(bootstrap, BenchInput.TOPIC, 1);
            JobOptions options = options(bootstrap, s, checkpointMs, "--identity", identity);
            Topics.prepare(options.kafka(), true);
            StreamExecutionEnvironment env = FlinkBench.environment("hashmap", s);
            SessionJob.build(env, options, null);
            JobClient client = env.executeAsync("bench latency");

            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> seen = new ArrayList<>(); // {seen wall ms, end_time}
            Thread consumer = new Thread(() -> consume(bootstrap, stop, seen), "sessions consumer");
            consumer.start();

            // wait until the job runs (its source is assigned the partition) before producing
            Thread.sleep(3_000);
            long start = System.currentTimeMillis();
            TrafficGenerator generator =
                    new TrafficGenerator(seed, start, users, Duration.ofMillis(s.gapMs));
            long produced = 0;
            long until = start + flowingSeconds * 1000;
            try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, 0)) {
                while (generator.nextTimestamp() < until) {
                    TrafficRecord r = generator.next();
                    long wait = r.timestamp() - System.currentTimeMillis();
                    if (wait > 0) Thread.sleep(wait);
                    // p.flush() after the loop waits for every record
                    var unused =
                            p.send(
                                    new ProducerRecord<>(
                                            BenchInput.TOPIC,
                                            0,
                                            r.timestamp(),
                                            r.key() == null
                                                    ? null
                                                    : r.key().getBytes(StandardCharsets.UTF_8),
                                            r.value()));
                    produced++;
                }
                p.flush();
            }
            long stopped = System.currentTimeMillis();
            System.out.println(
                    "bench: produced "
                            + produced
                            + " records in "
                            + (stopped - start)
                            + " ms, now quiet");
            // quiet: the watermark is held for the idle timeout, then follows the wall clock; every
            // session due by then must be closed and committed at the next checkpoint
            long quietMs =
                    s.idleTimeoutMs + s.gapMs + s.outOfOrdernessMs + 2 * checkpointMs + 10_000;
            Thread.sleep(quietMs);
            stop.set(true);
            consumer.join(30_000);
            client.cancel().get(60, TimeUnit.SECONDS);

            // phases by when the session's gap expired (event time = wall time here)
            long warmUp = start + 15_000; // job start-up and the first checkpoints
            List<List<Long>> flowing = new ArrayList<>();
            for (int kind = 0; kind < VISITORS.size(); kind++) flowing.add(new ArrayList<>());
            List<Long> quiet = new ArrayList<>();
            long before = 0;
            synchronized (seen) {
                for (long[] x : seen) {
                    long expiry = x[1] + s.gapMs;
                    long latency = x[0] - expiry;
                    if (expiry < warmUp) before++;
                    // flowing: a later record (event time >= expiry + out-of-orderness) was still
                    // produced, with a second to spare; the rest waits for the idle timeout
                    else if (expiry + s.outOfOrdernessMs + 1_000 < stopped)
                        flowing.get((int) x[2]).add(latency);
                    else quiet.add(latency);
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("producedRecords", produced);
            r.put("flowingMs", stopped - start);
            r.put("quietMs", quietMs);
            r.put("sessionsSeen", seen.size());
            r.put("sessionsWarmUp", before);
            r.put("checkpointMs", checkpointMs);
            List<Map<String, Object>> phases = new ArrayList<>();
            for (int kind = 0; kind < VISITORS.size(); kind++) {
                phases.add(
                        phase(
                                "flowing, " + VISITORS.get(kind),
                                flowing.get(kind),
                                s.outOfOrdernessMs));
            }
            phases.add(phase("quiet (after the last record)", quiet, s.outOfOrdernessMs));
            r.put("phases", phases);
            r.put(
                    "settings",
                    String.format(
                            "--identity %s, gap %d ms, out-of-orderness %d ms, idle timeout %d ms,"
                                + " checkpoint interval %d ms, %,d users, %,d records produced over"
                                + " %,d ms, hashmap state",
                            identity,
                            s.gapMs,
                            s.outOfOrdernessMs,
                            s.idleTimeoutMs,
                            checkpointMs,
                            users,
                            produced,
                            stopped - start));
            return r;
        }
    }

    /**
     * Latency from gap expiry (end_time + gap) and from the earliest the watermark can pass it (+
     * out-of-orderness).
     */
    private static Map<String, Object> phase(
            String name, List<Long> fromGap, long outOfOrdernessMs) {
        long[] v = fromGap.stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("phase", name);
        p.put("sessions", v.length);
        p.put("gapP50", pct(v, 0.50));
        p.put("gapP99", pct(v, 0.99));
        p.put("gapMax", v.length == 0 ? 0 : v[v.length - 1]);
        p.put("gapMin", v.length == 0 ? 0 : v[0]);
        p.put("p50", pct(v, 0.50) - outOfOrdernessMs);
        p.put("p99", pct(v, 0.99) - outOfOrdernessMs);
        p.put("max", (v.length == 0 ? 0 : v[v.length - 1]) - outOfOrdernessMs);
        return p;
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) return 0;
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    /**
     * The visitors a session's latency is told by: a device that never logged in (its own session),
     * a visit that began anonymous and is a user's (a login claimed it), a user logged in from the
     * start.
     */
    static final List<String> VISITORS =
            List.of("anonymous visitor", "visitor who logs in", "logged-in user");

    /** Which of {@link #VISITORS} a session record is. */
    static int visitor(JsonNode session) {
        if (!session.path("user_id").isNull() && !session.path("user_id").isMissingNode()) return 2;
        return session.path("owner").asText().equals(session.path("device_id").asText()) ? 0 : 1;
    }

    /**
     * First record of each session key (revision 0), with the wall-clock time the consumer got it
     * and its visitor.
     */
    private static void consume(String bootstrap, AtomicBoolean stop, List<long[]> seen) {
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = readCommitted(bootstrap, "sessions")) {
            while (!stop.get()) {
                var records = c.poll(Duration.ofMillis(50));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.value() == null) continue; // retraction
                    try {
                        JsonNode n = JSON.readTree(r.value());
                        if (!keys.add(new String(r.key(), StandardCharsets.UTF_8)))
                            continue; // a revision
                        synchronized (seen) {
                            seen.add(new long[] {now, n.path("end_time").asLong(), visitor(n)});
                        }
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JobOptions options(
            String bootstrap, BenchSettings s, long checkpointMs, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                bootstrap,
                                "--starting-offsets",
                                "earliest",
                                "--parallelism",
                                "1",
                                "--checkpoint-interval",
                                checkpointMs + "ms",
                                "--gap",
                                s.gapMs + "ms",
                                "--allowed-lateness",
                                s.allowedLatenessMs + "ms",
                                "--out-of-orderness",
                                s.outOfOrdernessMs + "ms",
                                "--idle-timeout",
                                s.idleTimeoutMs + "ms",
                                "--dedup-horizon",
                                s.dedupHorizonMs + "ms"));
        a.addAll(Arrays.asList(more));
        return JobOptions.parse(a.toArray(String[]::new));
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", String.valueOf(lingerMs));
        p.put("batch.size", String.valueOf(1 << 20));
        p.put("max.request.size", String.valueOf(8 << 20));
        p.put("acks", "all");
        return new KafkaProducer<>(p);
    }

    private static void createTopic(String bootstrap, String topic, int partitions)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, partitions, (short) 1)
                                            .configs(
                                                    Map.of(
                                                            "max.message.bytes",
                                                            String.valueOf(8 << 20)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Records readable with read_committed (transaction markers and aborted records not counted).
     */
    private static long countCommitted(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = readCommitted(bootstrap, topic)) {
            Set<TopicPartition> parts = c.assignment();
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long n = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                boolean done = true;
                for (TopicPartition tp : parts) if (c.position(tp) < end.get(tp)) done = false;
                if (done) break;
                n += c.poll(Duration.ofMillis(200)).count();
            }
            return n;
        }
    }
}
