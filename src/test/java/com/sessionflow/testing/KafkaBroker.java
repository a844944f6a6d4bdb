package com.sessionflow.testing;

import com.sessionflow.demo.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka broker (KRaft, in this JVM) per test class, with the few client operations the
 * tests need: create topics, produce, and read a topic to its end as a read_committed consumer sees
 * it. Register it as {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private static final Set<String> SEND_COUNTERS =
            Set.of(
                    "record-send-total",
                    "record-retry-total",
                    "record-error-total",
                    "request-total",
                    "produce-throttle-time-max");

    private EmbeddedKafka kafka;
    private Admin admin;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestDirs.tmp();
        kafka = EmbeddedKafka.start(0);
        admin = Admin.create(kafka.clientProperties());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (admin != null) admin.close(Duration.ofSeconds(10));
        } finally {
            if (kafka != null) kafka.close();
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Admin admin() {
        return admin;
    }

    public void createTopic(String topic, int partitions) throws Exception {
        createTopic(topic, partitions, Map.of());
    }

    public void createTopic(String topic, int partitions, Map<String, String> configs)
            throws Exception {
        NewTopic t =
                new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs);
        admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        awaitTopic(topic, partitions);
    }

    /**
     * Waits until the broker lists the topic with a leader for every partition: createTopics
     * returns once the controller has it, and a client asking the broker at once may not see it
     * yet.
     */
    public void awaitTopic(String topic, int partitions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String seen = "not listed";
        while (true) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                var description =
                        admin.describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get(topic);
                seen = description.toString();
                if (description.partitions().size() == partitions
                        && description.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty())
                        && hasLogs(topic, partitions)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "topic "
                                + topic
                                + " with "
                                + partitions
                                + " partitions is not ready after 30 s: "
                                + seen);
            }
            Thread.sleep(50);
        }
    }

    /**
     * True when the broker's log directories hold a log for every partition: the metadata lists a
     * leader as soon as the broker's metadata cache has the topic, before its replica manager has
     * created the partitions' logs, and a produce to a partition without its log is refused.
     */
    private boolean hasLogs(String topic, int partitions) throws Exception {
        Set<TopicPartition> logs = new HashSet<>();
        admin.describeLogDirs(brokerIds())
                .allDescriptions()
                .get(30, TimeUnit.SECONDS)
                .values()
                .forEach(
                        dirs -> dirs.values().forEach(d -> logs.addAll(d.replicaInfos().keySet())));
        for (int p = 0; p < partitions; p++) {
            if (!logs.contains(new TopicPartition(topic, p))) return false;
        }
        return true;
    }

    private List<Integer> brokerIds() throws Exception {
        return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                .map(Node::id)
                .toList();
    }

    /** Topic configs as the broker reports them (defaults included). */
    public Map<String, String> topicConfig(String topic) throws Exception {
        var resource =
                new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        var config =
                admin.describeConfigs(List.of(resource))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get(resource);
        Map<String, String> out = new HashMap<>();
        config.entries().forEach(e -> out.put(e.name(), e.value()));
        return out;
    }

    public int partitionCount(String topic) throws Exception {
        return admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic)
                .partitions()
                .size();
    }

    /** Sends the records (in order, idempotently) and returns where each one landed. */
    public List<RecordMetadata> produce(List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        Map<String, Object> counters = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) sent.add(producer.send(r));
            producer.flush();
            // retries tell a broker refusing the partition from a batch that was never sent
            producer.metrics()
                    .forEach(
                            (name, metric) -> {
                                if (name.group().equals("producer-metrics")
                                        && SEND_COUNTERS.contains(name.name())) {
                                    counters.put(name.name(), metric.metricValue());
                                }
                            });
        }
        List<RecordMetadata> out = new ArrayList<>();
        try {
            for (Future<RecordMetadata> f : sent) out.add(f.get(30, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            throw new AssertionError(
                    sendFailure(records, sent, counters, e.getCause()), e.getCause());
        }
        return out;
    }

    /**
     * What a failed send needs to be understood after the fact (CI keeps only the summary): which
     * partitions got their records and which did not, and what the broker says of the topics'
     * partitions and of its log directories. One CI run saw one partition's batches expire after
     * 120 s while the other partition of the same topic, on the same broker, took its records.
     */
    private String sendFailure(
            List<ProducerRecord<byte[], byte[]>> records,
            List<Future<RecordMetadata>> sent,
            Map<String, Object> counters,
            Throwable cause) {
        Map<String, int[]> byPartition = new TreeMap<>();
        for (Future<RecordMetadata> f : sent) {
            try {
                RecordMetadata m = f.get(0, TimeUnit.SECONDS);
                byPartition.computeIfAbsent(m.topic() + "-" + m.partition(), k -> new int[2])[0]++;
            } catch (Exception failed) {
                String where = failed.getCause() != null ? failed.getCause().getMessage() : "?";
                byPartition.computeIfAbsent("failed: " + where, k -> new int[2])[1]++;
            }
        }
        StringBuilder sb = new StringBuilder("sending " + records.size() + " records failed: ");
        sb.append(cause).append("\n  producer: ").append(counters);
        byPartition.forEach((k, n) -> sb.append("\n  ").append(k).append(": ").append(n[0] + n[1]));
        try {
            List<String> topics = records.stream().map(ProducerRecord::topic).distinct().toList();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .forEach((t, d) -> sb.append("\n  broker: ").append(d));
            admin.describeLogDirs(brokerIds())
                    .allDescriptions()
                    .get(10, TimeUnit.SECONDS)
                    .forEach(
                            (broker, dirs) ->
                                    dirs.forEach(
                                            (dir, d) ->
                                                    sb.append("\n  log dir error: ")
                                                            .append(d.error())
                                                            .append(", usable bytes: ")
                                                            .append(d.usableBytes())));
        } catch (Exception describing) {
            sb.append("\n  the broker could not be asked: ").append(describing);
        }
        return sb.toString();
    }

    /** A record with a UTF-8 key and value, to the partition its key hashes to, stamped now. */
    public static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, utf8(key), utf8(value));
    }

    /**
     * Every record of the topic that a read_committed consumer sees, up to the topic's current end
     * (its last stable offset), in (partition, offset) order.
     */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic) {
        return readToEnd(kafka.clientProperties(), topic);
    }

    /** As {@link #readToEnd(String)}, from any broker these client properties reach. */
    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(
            Properties clientProperties, String topic) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // for a read_committed consumer, the end is the last stable offset
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "could not read "
                                    + topic
                                    + " to its end "
                                    + end
                                    + " within "
                                    + READ_TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        out.sort(
                Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                        .thenComparingLong(ConsumerRecord::offset));
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    /**
     * What a compacted topic holds once compaction has run: each key's latest value, keys whose
     * latest record is a tombstone removed. Read with read_committed.
     */
    public Map<String, String> compacted(String topic) {
        return fold(readToEnd(topic));
    }

    public static Map<String, String> fold(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = text(r.key());
            if (r.value() == null) latest.remove(key);
            else latest.put(key, text(r.value()));
        }
        return latest;
    }

    /** Reads the topic again and again until {@code done} holds, or fails after {@code timeout}. */
    public List<ConsumerRecord<byte[], byte[]>> awaitRecords(
            String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> records = readToEnd(topic);
            if (done.test(records)) return records;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "topic "
                                + topic
                                + " did not reach the expected state within "
                                + timeout
                                + "; it holds "
                                + records.size()
                                + " committed records: "
                                + describe(records));
            }
            Thread.sleep(250);
        }
    }

    public static String describe(List<ConsumerRecord<byte[], byte[]>> records) {
        StringBuilder sb = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            sb.append("\n  ")
                    .append(r.partition())
                    .append('@')
                    .append(r.offset())
                    .append(' ')
                    .append(text(r.key()))
                    .append(" -> ")
                    .append(text(r.value()));
        }
        return sb.toString();
    }

    public static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Waits until the topic's last stable offset equals its high watermark on every partition: no
     * transaction that wrote to it is open or still waiting for its markers.
     *
     * <p>A job's end does not mean its Kafka output is readable yet. The Kafka sink commits with
     * {@code commitTransaction()}, which returns once the transaction coordinator has logged the
     * commit decision; the coordinator writes the commit markers into the topic's partitions
     * afterwards, asynchronously. Until a partition has its marker, its last stable offset (the end
     * a read_committed reader reads to, {@link #readToEnd}) stays before the committed records, so
     * a read right after the job returns can see none of them: on a loaded machine a replay's topic
     * was read back empty. The records are not lost, only not yet visible; this waits for them
     * instead of reading too early.
     */
    public void awaitSettled(String topic) throws Exception {
        List<TopicPartition> partitions =
                admin
                        .describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (true) {
            Map<TopicPartition, Long> stable = ends(partitions, IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> high = ends(partitions, IsolationLevel.READ_UNCOMMITTED);
            if (stable.equals(high)) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "a transaction on "
                                + topic
                                + " is still open or unmarked after "
                                + READ_TIMEOUT
                                + ": last stable offsets "
                                + stable
                                + ", high watermarks "
                                + high);
            }
            Thread.sleep(50);
        }
    }

    /** The end offset of each partition as a reader with the isolation level sees it. */
    private Map<TopicPartition, Long> ends(
            List<TopicPartition> partitions, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> latest =
                partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> info =
                admin.listOffsets(latest, new ListOffsetsOptions(isolation))
                        .all()
                        .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out =
                new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
        info.forEach((p, i) -> out.put(p, i.offset()));
        return out;
    }
}
