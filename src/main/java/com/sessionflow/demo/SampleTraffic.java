package com.sessionflow.demo;

import com.sessionflow.demo.TrafficRecord.Trait;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces the generator's records: the simulated past at full speed, then (if live) each record
 * when the wall clock reaches its timestamp, so live events carry the current time.
 */
final class SampleTraffic implements Runnable {

    private final Properties producerProperties;
    private final String topic;
    private final TrafficGenerator generator;
    private final boolean live;
    private final PrintStream out;

    private final AtomicLong failed = new AtomicLong();
    private final Map<Trait, Long> produced = new EnumMap<>(Trait.class);
    private long records;
    private volatile boolean running = true;

    SampleTraffic(
            Properties producerProperties,
            String topic,
            TrafficGenerator generator,
            boolean live,
            PrintStream out) {
        this.producerProperties = producerProperties;
        this.topic = topic;
        this.generator = generator;
        this.live = live;
        this.out = out;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.putAll(producerProperties);
        p.put("client.id", "sessionflow-demo-traffic");
        p.put("linger.ms", "5");
        long started = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            boolean pastDone = false;
            while (running) {
                long now = System.currentTimeMillis();
                long next = generator.nextTimestamp();
                if (next > now) {
                    if (!pastDone) {
                        producer.flush();
                        pastDone = true;
                        say(
                                String.format(
                                        "sample traffic: %d records of the simulated past produced"
                                                + " in %.1f s%s",
                                        records,
                                        (now - started) / 1000.0,
                                        live ? "; live traffic follows" : "; no live traffic"));
                        if (!live) break;
                    }
                    Thread.sleep(Math.min(next - now, 200));
                    continue;
                }
                send(producer, generator.next());
            }
            producer.close(Duration.ofSeconds(5));
        } catch (InterruptedException | InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            say("sample traffic stopped: " + e);
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, TrafficRecord r) {
        byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
        // the callback reports a failed send; nothing waits on the future
        var unused =
                producer.send(
                        new ProducerRecord<>(topic, null, r.timestamp(), key, r.value()),
                        (metadata, error) -> {
                            if (error != null && failed.getAndIncrement() == 0)
                                say("cannot produce sample traffic: " + error);
                        });
        synchronized (produced) {
            records++;
            r.traits().forEach(t -> produced.merge(t, 1L, Long::sum));
        }
    }

    private void say(String text) {
        synchronized (out) {
            out.println(text);
        }
    }

    /** E.g. "3247 records (73 duplicates, 12 offline batches, 25 bad)". */
    String summary() {
        synchronized (produced) {
            long bad =
                    produced.entrySet().stream()
                            .filter(e -> e.getKey().isBad())
                            .mapToLong(Map.Entry::getValue)
                            .sum();
            return String.format(
                    "%d records (%d v2 events, %d v2 request bodies, %d export lines; %d"
                            + " duplicates, %d offline batches, %d bad)%s",
                    records,
                    count(Trait.V2_EVENT),
                    count(Trait.V2_REQUEST_BODY),
                    count(Trait.EXPORT_LINE),
                    count(Trait.DUPLICATE),
                    count(Trait.OFFLINE_BATCH),
                    bad,
                    failed.get() > 0 ? ", " + failed.get() + " failed" : "");
        }
    }

    private long count(Trait t) {
        return produced.getOrDefault(t, 0L);
    }
}
