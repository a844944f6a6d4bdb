package com.sessionflow.ingest;

import com.sessionflow.ingest.UploadCheck.EventRecord;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a request's records to the events topic with one idempotent producer ({@code acks=all}),
 * and says when all of them are acknowledged: the server answers 200 only then. A record Kafka did
 * not take within the send timeout fails the whole request (503), and the SDK sends it again.
 */
final class EventWriter implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    EventWriter(Properties clientProperties, String topic, Duration sendTimeout) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(clientProperties);
        // an answered event is never lost, and a resent batch is not written twice by the producer
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long timeout = sendTimeout.toMillis();
        long linger = Long.parseLong(p.getProperty(ProducerConfig.LINGER_MS_CONFIG, "5"));
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(linger));
        // the SDK waits for the answer: a send gives up (503, the SDK retries) within the timeout
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout - linger));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sessionflow-ingest");
        this.producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends the records in order; the future completes when Kafka acknowledged every one, or
     * exceptionally with the first failure once all have been answered. {@code send} can block for
     * up to the send timeout (no metadata, a full buffer): call it off the event loop.
     */
    CompletableFuture<Void> send(List<EventRecord> records) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(records.size());
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (EventRecord r : records) {
            if (failure.get() != null) {
                // one record already failed, the request will be a 503: do not wait for more
                if (pending.decrementAndGet() == 0) finish(done, failure.get());
                continue;
            }
            try {
                // the callback, not the returned future, carries the outcome
                var unused =
                        producer.send(
                                new ProducerRecord<>(topic, r.key, r.value),
                                (metadata, e) -> {
                                    if (e != null) failure.compareAndSet(null, e);
                                    if (pending.decrementAndGet() == 0) finish(done, failure.get());
                                });
            } catch (RuntimeException e) {
                // not handed to the producer (timed out waiting for metadata or buffer space)
                failure.compareAndSet(null, e);
                if (pending.decrementAndGet() == 0) finish(done, failure.get());
            }
        }
        return done;
    }

    private static void finish(CompletableFuture<Void> done, Exception failure) {
        if (failure == null) done.complete(null);
        else done.completeExceptionally(failure);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
