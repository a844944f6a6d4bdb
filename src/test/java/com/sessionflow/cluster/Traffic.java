package com.sessionflow.cluster;

import static com.sessionflow.testing.KafkaBroker.utf8;

import com.sessionflow.event.Event;
import com.sessionflow.testing.AmplitudeJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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

    /** A record to send, whether it is a bad record, and (once handed over) where it went. */
    private record Sent(
            ProducerRecord<byte[], byte[]> record, boolean bad, Future<RecordMetadata> future) {}

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
    private final List<Sent> sent = new ArrayList<>();
    private final LinkedBlockingQueue<Sent> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private final Thread sender;
    private long seq;
    private long insertIds;
    private long badRecords;
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
                Future<RecordMetadata> f = producer.send(s.record());
                synchronized (sent) {
                    sent.add(new Sent(s.record(), s.bad(), f));
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
            while (!idle && failure == null) waitLocked();
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
                        prefix + "-ahead-" + (++insertIds),
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
        flush();
        List<String> out = new ArrayList<>();
        synchronized (sent) {
            for (Sent s : sent) {
                if (!s.bad()) continue;
                RecordMetadata m = metadata(s.future());
                out.add(m.partition() + "@" + m.offset());
            }
        }
        return out;
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
                        while (paused && !stop) waitLocked();
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
        if (now >= nextBadAt) {
            nextBadAt = now + BAD_RECORD_EVERY_MS;
            long n = ++badRecords;
            ProducerRecord<byte[], byte[]> r =
                    new ProducerRecord<>(
                            topic,
                            (int) (n % 2),
                            now,
                            utf8(prefix + "-bad-" + n),
                            utf8("this is not json #" + n));
            send(r, true);
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
                        prefix + "-" + (++insertIds),
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
        send(r, false);
    }

    private void send(ProducerRecord<byte[], byte[]> r, boolean bad) {
        queued.incrementAndGet();
        outbox.add(new Sent(r, bad, null));
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

    private void waitLocked() {
        try {
            wait(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
