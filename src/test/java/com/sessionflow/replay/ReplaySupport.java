package com.sessionflow.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Helpers of the replay tests: a MiniCluster, export files, and reading what a replay wrote. */
final class ReplaySupport {

    static final ObjectMapper JSON = new ObjectMapper();

    private ReplaySupport() {}

    /** Scratch folders under java.io.tmpdir (the build folder in Maven). */
    static Path tmp() {
        try {
            return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path newDir(String prefix) throws IOException {
        return Files.createTempDirectory(tmp(), prefix);
    }

    /** One TaskManager with 2 slots, a bounded restart strategy: a broken job fails the test. */
    static MiniClusterExtension miniCluster() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        conf.set(CoreOptions.TMP_DIRS, tmp().toString());
        conf.set(WebOptions.UPLOAD_DIR, tmp().resolve("flink-web-upload").toString());
        return new MiniClusterExtension(() -> new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .setConfiguration(conf)
                .build());
    }

    /** An export timestamp as Amplitude writes it: UTC, space or T, with {@code digits} fraction digits (must be exact). */
    static String exportTime(long epochMs, char separator, int digits) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
        String base = String.format("%04d-%02d-%02d%c%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                separator, t.getHour(), t.getMinute(), t.getSecond());
        String micros = String.format("%06d", Math.floorMod(epochMs, 1000L) * 1000);
        if (digits < 6 && !micros.substring(digits).chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException(epochMs + " cannot be written exactly with " + digits + " digits");
        }
        return digits == 0 ? base : base + "." + micros.substring(0, digits);
    }

    /** An export line with the fields Amplitude's Export API writes (most of them, realistic values). */
    static String exportLine(String userId, String deviceId, String eventType, String clientEventTime, long sessionId,
            String insertId, long amplitudeId, String platform) {
        ObjectNode n = JSON.createObjectNode();
        n.put("$insert_id", insertId);
        n.putNull("$insert_key");
        n.put("$schema", 12);
        n.putNull("adid");
        n.put("amplitude_attribution_ids", (String) null);
        n.put("amplitude_id", amplitudeId);
        n.put("app", 187520);
        n.put("city", "Berlin");
        n.put("client_event_time", clientEventTime);
        n.put("client_upload_time", clientEventTime);
        n.put("country", "Germany");
        n.putObject("data").put("path", "/batch");
        n.put("device_brand", "Apple");
        n.put("device_family", "iOS".equals(platform) ? "Apple iPhone" : "Windows");
        n.put("device_id", deviceId);
        n.put("event_id", Math.abs(insertId == null ? 7 : insertId.hashCode() % 1000));
        n.putObject("event_properties").put("screen", "home").put("count", 3);
        n.put("event_time", clientEventTime);
        n.put("event_type", eventType);
        n.putObject("groups");
        n.put("ip_address", "203.0.113.7");
        n.put("language", "English");
        n.put("library", "amplitude-swift/1.4.1");
        n.put("os_name", "iOS".equals(platform) ? "ios" : "Chrome");
        n.put("os_version", "17.1");
        n.putNull("paying");
        n.put("platform", platform);
        n.put("processed_time", clientEventTime);
        n.put("server_received_time", clientEventTime);
        n.put("server_upload_time", clientEventTime);
        n.put("session_id", sessionId);
        n.putNull("start_version");
        n.put("user_creation_time", "2019-01-01 00:00:00.000000");
        if (userId == null) n.putNull("user_id");
        else n.put("user_id", userId);
        n.putObject("user_properties").put("plan", "pro");
        n.put("uuid", UUID.nameUUIDFromBytes((deviceId + insertId + clientEventTime).getBytes(StandardCharsets.UTF_8)).toString());
        n.put("version_name", "5.2.0");
        return n.toString();
    }

    static void writeGzip(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            for (String line : lines) w.write(line + "\n");
        }
    }

    /** Every line of every finished file below {@code dir} (FileSink's in-progress files start with a dot). */
    static List<String> readNdjson(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(dir)) return lines;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                if (f.getFileName().toString().startsWith(".")) continue;
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) lines.add(line);
                }
            }
        }
        return lines;
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Session records by key ({@code owner/session_id}), without the fields a replay may set differently. */
    static Map<String, JsonNode> comparable(Map<String, String> byKey) {
        Map<String, JsonNode> out = new TreeMap<>();
        byKey.forEach((k, v) -> {
            ObjectNode n = (ObjectNode) json(v);
            n.remove("revision");
            n.remove("close_reason");
            out.put(k, n);
        });
        return out;
    }

    /** NDJSON session records keyed as the Kafka topic keys them; fails on a repeated key. */
    static Map<String, String> byKey(List<String> sessionLines) {
        Map<String, String> out = new TreeMap<>();
        for (String line : sessionLines) {
            JsonNode n = json(line);
            String key = n.get("owner").asText() + "/" + n.get("session_id").asLong();
            if (out.put(key, line) != null) throw new AssertionError("two session records with key " + key);
        }
        return out;
    }

    /** A topic as a read_committed consumer sees it, to its end. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("cannot read " + topic + " to " + end);
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** What a compacted topic holds: the latest value per key, tombstones remove keys. */
    static Map<String, String> compacted(String bootstrap, String topic) {
        Map<String, String> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(bootstrap, topic)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) latest.remove(key);
            else latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
        }
        return latest;
    }
}
