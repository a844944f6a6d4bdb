package com.sessionflow.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Notes the wall time at which each committed record of a topic becomes visible to a read_committed
 * consumer: how long after a fault the job delivers again.
 */
final class SessionWatcher implements AutoCloseable {

    private final Thread thread;
    private final List<Long> arrivals = new ArrayList<>();
    private final Set<String> keys = new HashSet<>();
    private long records;
    private volatile boolean stop;
    private volatile Exception failure;

    SessionWatcher(String bootstrapServers, String topic, int partitions) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "watcher-" + UUID.randomUUID());
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        thread =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> consumer =
                                    new KafkaConsumer<>(
                                            p,
                                            new ByteArrayDeserializer(),
                                            new ByteArrayDeserializer())) {
                                List<TopicPartition> tps = new ArrayList<>();
                                for (int i = 0; i < partitions; i++)
                                    tps.add(new TopicPartition(topic, i));
                                consumer.assign(tps);
                                consumer.seekToBeginning(tps);
                                while (!stop) {
                                    var records = consumer.poll(Duration.ofMillis(100));
                                    long now = System.currentTimeMillis();
                                    synchronized (arrivals) {
                                        for (ConsumerRecord<byte[], byte[]> r : records) {
                                            arrivals.add(now);
                                            this.records++;
                                            if (r.key() != null)
                                                keys.add(
                                                        new String(
                                                                r.key(), StandardCharsets.UTF_8));
                                        }
                                    }
                                }
                            } catch (Exception e) {
                                if (!stop) failure = e;
                            }
                        },
                        "watch-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Wall time (ms) at which the first record committed after {@code sinceMillis} was seen. */
    long firstArrivalAfter(long sinceMillis, Duration timeout, Supplier<String> diagnostics) {
        return Deadline.awaitValue(
                "a committed session record after the fault",
                timeout,
                Duration.ofMillis(100),
                () -> {
                    if (failure != null)
                        throw new IllegalStateException("the watcher failed", failure);
                    synchronized (arrivals) {
                        for (long a : arrivals) if (a >= sinceMillis) return a;
                    }
                    return null;
                },
                diagnostics);
    }

    /** Committed session records seen so far (every revision and tombstone). */
    long records() {
        synchronized (arrivals) {
            return records;
        }
    }

    /** Distinct session keys seen so far. */
    long sessions() {
        synchronized (arrivals) {
            return keys.size();
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
