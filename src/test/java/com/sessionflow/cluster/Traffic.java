package com.sessionflow.cluster;

import static com.sessionflow.testing.KafkaBroker.utf8;

import com.sessionflow.event.Event;
import com.sessionflow.testing.AmplitudeJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Live traffic for the fault tests, paced to the wall clock (event time = now, as in production):
 * owners on two partitions (owner i on partition i % 2) each sending an HTTP API v2 event every
 * 0.4-2.5 s and now and then pausing 11-14 s (longer than the tests' 10 s gap, so a new session
 * starts). Mixed in: events 1.5-4 s late (beyond the 1 s out-of-orderness, within the allowed
 * lateness), duplicates (a retrying producer), out-of-session events (session_id -1) and records
 * that are not JSON (dead letters). Seeded; which events exist depends on the timing, so every
 * event sent is kept for the reference.
 *
 * <p>It runs in a thread of its own ({@link #start}); {@link #pause} and {@link #resume} leave the
 * input quiet in between (a pause longer than the gap ends every open session). A second thread
 * hands the records to the Kafka producer, whose {@code send} blocks while the broker is down: the
 * events keep their times and reach Kafka once it is back, as an SDK's buffered uploads do.
 */
final class Traffic implements AutoCloseable {

    private static final String[] TYPES = {
        "view_item", "search", "add_to_cart", "purchase", "share"
    };
    private static final String[] PLATFORMS = {"iOS", "Android", "Web"};
    private static final long BAD_RECORD_EVERY_MS = 2_500;

    private record Owner(
            int index, String userId, String deviceId, String platform, int partition) {}

    private record Pending(long sendAt, long seq, ProducerRecord<byte[], byte[]> record) {}

    /**
     * A record to send, the dead-letter reason it must get if it is a bad record (else null), and
     * (once handed over) where it went.
     */
    private record Sent(
            ProducerRecord<byte[], byte[]> record, String reason, Future<RecordMetadata> future) {}

    /** Mean time between two events of an owner (see {@link #tick}), in ms. */
    static final double MEAN_OWNER_INTERVAL_MS = 0.88 * (400 + 2_100 / 2.0) + 0.12 * 12_500;

    /** Records per second one owner sends on average (3 % of its events are sent twice). */
    static final double RECORDS_PER_OWNER_PER_SECOND = 1.03 * 1000 / MEAN_OWNER_INTERVAL_MS;

    private final String topic;
    private final String prefix;
    private final Random random;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Owner> owners = new ArrayList<>();
    private final long[] nextAt;
    private final boolean[] inSession;
    private final PriorityQueue<Pending> pending =
            new PriorityQueue<>(
                    Comparator.comparingLong(Pending::sendAt).thenComparingLong(Pending::seq));
    private final List<Event> events = new ArrayList<>();

    /** The bad records handed to the producer (the valid ones are only counted). */
    private final List<Sent> sent = new ArrayList<>();

    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private final LinkedBlockingQueue<Sent> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private final Thread sender;
    private long seq;
    private long insertIds;
    private long badRecords;
    private int hostileEvery;
    private long sinceHostile;
    private long nextBadAt;
    private Thread thread;
    private volatile boolean stop;
    private volatile boolean paused = true;
    private boolean idle = true;
    private long lastTick;
    private long longestStallMs;
    private RuntimeException failure;

    Traffic(String bootstrapServers, String topic, String prefix, int ownerCount, long seed) {
        this.topic = topic;
        this.prefix = prefix;
        this.random = new Random(seed);
        for (int i = 0; i < ownerCount; i++) {
            // every fifth owner has no user id: its device owns its sessions
            String user = i % 5 == 4 ? null : prefix + "-user-" + i;
            owners.add(new Owner(i, user, prefix + "-device-" + i, PLATFORMS[i % 3], i % 2));
        }
        this.nextAt = new long[ownerCount];
        this.inSession = new boolean[ownerCount];
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // a broker restart is one of the faults: keep retrying through it
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        this.producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.sender = new Thread(this::handOver, "traffic-sender-" + prefix);
        sender.setDaemon(true);
        sender.start();
    }

    /** The sender thread: one record after the other to the producer, in order. */
    private void handOver() {
        try {
            while (!stop) {
                Sent s = outbox.poll(200, TimeUnit.MILLISECONDS);
                if (s == null) continue;
                Future<RecordMetadata> f =
                        producer.send(
                                s.record(),
                                (m, e) -> {
                                    if (e != null) sendError.compareAndSet(null, e);
                                });
                if (s.reason() != null) {
                    synchronized (sent) {
                        sent.add(new Sent(s.record(), s.reason(), f));
                    }
                }
                handedOver.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        }
    }

    /**
     * Hostile input instead of the default bad records (one line of text that is not JSON every 2.5
     * s): every {@code n}-th record sent is one of {@link #HOSTILE_KINDS} in turn (n = 100: 1 %),
     * each bound for the dead-letter topic with a known reason. Call before {@link #start}.
     */
    synchronized Traffic hostileEvery(int n) {
        if (n < 2) throw new IllegalArgumentException("hostileEvery " + n);
        this.hostileEvery = n;
        return this;
    }

    /** Starts the traffic thread, sending from now on. */
    synchronized void start() {
        if (thread != null) throw new IllegalStateException("already started");
        thread = new Thread(this::run, "traffic-" + prefix);
        thread.setDaemon(true);
        resumeLocked();
        thread.start();
    }

    /** Stops sending (pending duplicates are sent first) and waits until all was acknowledged. */
    void pause() {
        synchronized (this) {
            paused = true;
            waitWhile(() -> !idle && failure == null);
            while (!pending.isEmpty()) send(pending.poll().record());
        }
        flush();
    }

    /** Sends again, from now on. */
    synchronized void resume() {
        resumeLocked();
    }

    private void resumeLocked() {
        long now = System.currentTimeMillis();
        for (int i = 0; i < nextAt.length; i++) nextAt[i] = now + random.nextInt(1500);
        nextBadAt = now + BAD_RECORD_EVERY_MS;
        paused = false;
        idle = false;
        lastTick = 0;
        notifyAll();
    }

    /**
     * One valid event of a new owner on {@code partition}, {@code aheadMs} ahead of the wall clock
     * in event time (its Kafka timestamp is now).
     */
    synchronized Event sendAhead(int partition, long aheadMs) {
        long now = System.currentTimeMillis();
        Event e =
                AmplitudeJson.event(
                        prefix + "-ahead-" + ++insertIds,
                        prefix + "-ahead-device-" + insertIds,
                        "open_app",
                        now + aheadMs,
                        prefix + "-ahead-" + insertIds,
                        "Web");
        events.add(e);
        send(
                new ProducerRecord<>(
                        topic,
                        partition,
                        now,
                        utf8(e.deviceId),
                        utf8(AmplitudeJson.text(AmplitudeJson.v2(e, e.userId)))));
        flush();
        return e;
    }

    /** The longest time the sending thread went without a tick while not paused. */
    synchronized long longestStallMs() {
        return longestStallMs;
    }

    /** Every valid event sent so far (duplicates included). */
    synchronized List<Event> events() {
        return new ArrayList<>(events);
    }

    /** Where every bad record landed ("partition@offset"); waits for their acknowledgements. */
    List<String> badRecordOffsets() {
        return new ArrayList<>(badRecords().keySet());
    }

    /**
     * Every bad record: where it landed ("partition@offset") and the dead-letter reason it must
     * get; waits for their acknowledgements.
     */
    Map<String, String> badRecords() {
        flush();
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (sent) {
            for (Sent s : sent) {
                RecordMetadata m = metadata(s.future());
                out.put(m.partition() + "@" + m.offset(), s.reason());
            }
        }
        return out;
    }

    /** Records handed to the producer so far (events, duplicates and bad records). */
    long recordsSent() {
        return handedOver.get();
    }

    /** Bad records queued so far. */
    synchronized long badRecordsSent() {
        return badRecords;
    }

    /** Valid events queued so far (duplicates included). */
    synchronized long eventsSent() {
        return events.size();
    }

    /** Waits until every record sent so far is acknowledged; fails if one was not. */
    void flush() {
        long target = queued.get();
        Deadline.await(
                "the traffic's records to reach the producer",
                Duration.ofSeconds(150),
                Duration.ofMillis(20),
                () -> {
                    synchronized (this) {
                        if (failure != null) throw failure;
                    }
                    return handedOver.get() >= target;
                },
                null);
        producer.flush();
        List<Sent> copy;
        synchronized (sent) {
            copy = new ArrayList<>(sent);
        }
        for (Sent s : copy) metadata(s.future());
        Exception e = sendError.get();
        if (e != null)
            throw new AssertionError("the test traffic could not be written to Kafka: " + e, e);
    }

    @Override
    public void close() {
        stop = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            if (thread != null) thread.join(10_000);
            sender.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }

    private void run() {
        try {
            while (!stop) {
                synchronized (this) {
                    if (paused) {
                        idle = true;
                        notifyAll();
                        waitWhile(() -> paused && !stop);
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    if (lastTick != 0) longestStallMs = Math.max(longestStallMs, now - lastTick);
                    lastTick = now;
                    tick(now);
                }
                Thread.sleep(40);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            synchronized (this) {
                failure = e;
                notifyAll();
            }
        }
    }

    private void tick(long now) {
        for (Owner o : owners) {
            if (nextAt[o.index()] > now) continue;
            emit(o, now);
            if (random.nextDouble() < 0.12) {
                nextAt[o.index()] = now + 11_000 + random.nextInt(3_000);
                inSession[o.index()] = false;
            } else {
                nextAt[o.index()] = now + 400 + random.nextInt(2_100);
            }
        }
        while (!pending.isEmpty() && pending.peek().sendAt() <= now) send(pending.poll().record());
        if (hostileEvery == 0 && now >= nextBadAt) {
            nextBadAt = now + BAD_RECORD_EVERY_MS;
            long n = ++badRecords;
            ProducerRecord<byte[], byte[]> r =
                    new ProducerRecord<>(
                            topic,
                            (int) (n % 2),
                            now,
                            utf8(prefix + "-bad-" + n),
                            utf8("this is not json #" + n));
            send(r, "not_json");
        }
    }

    private void emit(Owner o, long now) {
        boolean first = !inSession[o.index()];
        inSession[o.index()] = true;
        long time = random.nextDouble() < 0.05 ? now - 1_500 - random.nextInt(2_500) : now;
        String type = first ? "open_app" : TYPES[random.nextInt(TYPES.length)];
        Event e =
                AmplitudeJson.event(
                        o.userId(),
                        o.deviceId(),
                        type,
                        time,
                        prefix + "-" + ++insertIds,
                        o.platform());
        if (random.nextDouble() < 0.02) {
            e.eventType = "push_notification_received";
            e.sdkSessionId = Event.OUT_OF_SESSION_ID;
        }
        events.add(e);
        ProducerRecord<byte[], byte[]> r =
                new ProducerRecord<>(
                        topic,
                        o.partition(),
                        now,
                        utf8(e.deviceId),
                        utf8(AmplitudeJson.text(AmplitudeJson.v2(e, e.userId))));
        send(r);
        if (hostileEvery > 0 && ++sinceHostile >= hostileEvery - 1) {
            sinceHostile = 0;
            sendHostile(now, o.partition());
        }
        if (random.nextDouble() < 0.03) {
            // a producer that did not get its ack sends the same record again, a little later
            long at = now + 300 + random.nextInt(1_200);
            pending.add(
                    new Pending(
                            at,
                            seq++,
                            new ProducerRecord<>(topic, r.partition(), at, r.key(), r.value())));
            events.add(e);
        }
    }

    private void send(ProducerRecord<byte[], byte[]> r) {
        send(r, null);
    }

    private void send(ProducerRecord<byte[], byte[]> r, String reason) {
        queued.incrementAndGet();
        outbox.add(new Sent(r, reason, null));
    }

    /** The hostile records, in the order they are sent, and the dead-letter reason of each. */
    static final List<String> HOSTILE_KINDS =
            List.of(
                    "text",
                    "truncated",
                    "bad_utf8",
                    "null_value",
                    "number",
                    "string",
                    "empty_batch",
                    "no_ids",
                    "numeric_user_id",
                    "text_session_id",
                    "no_event_type",
                    "no_time",
                    "text_time",
                    "float_time",
                    "negative_time",
                    "huge_time",
                    "clock_ahead",
                    "huge_record");

    /** One hostile record, of the next kind; one dead letter each. */
    private void sendHostile(long now, int partition) {
        long n = ++badRecords;
        String kind = HOSTILE_KINDS.get((int) ((n - 1) % HOSTILE_KINDS.size()));
        String device = "\"device_id\":\"" + prefix + "-hostile-device-" + n + "\"";
        String type = "\"event_type\":\"view_item\"";
        String time = "\"time\":" + now;
        String reason;
        byte[] value;
        switch (kind) {
            case "text" -> {
                reason = "not_json";
                value = utf8("this is not json #" + n);
            }
            case "truncated" -> {
                reason = "not_json";
                value = utf8("{" + device + "," + type + ",\"time\":");
            }
            case "bad_utf8" -> {
                reason = "not_json";
                byte[] head = utf8("{\"user_id\":\"u");
                byte[] tail = utf8("\"," + device + "," + type + "," + time + "}");
                value = new byte[head.length + 2 + tail.length];
                System.arraycopy(head, 0, value, 0, head.length);
                value[head.length] = (byte) 0xC0;
                value[head.length + 1] = (byte) 0xAF;
                System.arraycopy(tail, 0, value, head.length + 2, tail.length);
            }
            case "null_value" -> {
                reason = "not_json";
                value = null;
            }
            case "number" -> {
                reason = "not_an_event";
                value = utf8(String.valueOf(n));
            }
            case "string" -> {
                reason = "not_an_event";
                value = utf8("\"event #" + n + "\"");
            }
            case "empty_batch" -> {
                reason = "no_events";
                value = utf8("{\"api_key\":\"k\",\"events\":[]}");
            }
            case "no_ids" -> {
                reason = "no_owner";
                value = utf8("{" + type + "," + time + "}");
            }
            case "numeric_user_id" -> {
                reason = "bad_field";
                value = utf8("{\"user_id\":" + n + "," + device + "," + type + "," + time + "}");
            }
            case "text_session_id" -> {
                reason = "bad_field";
                value = utf8("{" + device + "," + type + "," + time + ",\"session_id\":\"abc\"}");
            }
            case "no_event_type" -> {
                reason = "bad_field";
                value = utf8("{" + device + "," + time + "}");
            }
            case "no_time" -> {
                reason = "no_time";
                value = utf8("{" + device + "," + type + "}");
            }
            case "text_time" -> {
                reason = "bad_time";
                value = utf8("{" + device + "," + type + ",\"time\":\"yesterday\"}");
            }
            case "float_time" -> {
                reason = "bad_time";
                value = utf8("{" + device + "," + type + ",\"time\":1.0e30}");
            }
            case "negative_time" -> {
                reason = "bad_time";
                value = utf8("{" + device + "," + type + ",\"time\":-" + now + "}");
            }
            case "huge_time" -> {
                reason = "bad_time";
                value = utf8("{" + device + "," + type + ",\"time\":99999999999999999999999}");
            }
            case "clock_ahead" -> {
                reason = "clock_ahead";
                value = utf8("{" + device + "," + type + ",\"time\":" + (now + 3_600_000) + "}");
            }
            case "huge_record" -> {
                // over the job's --max-record-bytes (256 KiB), under Kafka's 1 MB limit
                reason = "too_large";
                value =
                        utf8(
                                "{"
                                        + device
                                        + ","
                                        + type
                                        + ","
                                        + time
                                        + ",\"event_properties\":{\"blob\":\""
                                        + "x".repeat(300 * 1024)
                                        + "\"}}");
            }
            default -> throw new IllegalStateException(kind);
        }
        send(
                new ProducerRecord<>(topic, partition, now, utf8(prefix + "-hostile-" + n), value),
                reason);
    }

    private static RecordMetadata metadata(Future<RecordMetadata> f) {
        try {
            return f.get(150, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the test traffic could not be written to Kafka: " + e, e);
        }
    }

    /** Waits, holding the lock, as long as {@code condition} holds (re-checked every 200 ms). */
    private void waitWhile(BooleanSupplier condition) {
        try {
            while (condition.getAsBoolean()) wait(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
