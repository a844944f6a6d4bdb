package com.sessionflow.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sessionflow.kafka.KafkaSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the job's output topics as a consumer should (read_committed: only what a checkpoint
 * committed) and prints one line per record: session versions, tombstones, dead letters, late
 * events. Counts them for the summary, and keeps the latest metrics record per bucket for the
 * chart.
 */
final class TopicWatcher implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final KafkaSettings kafka;
    private final PrintStream out;

    private volatile long stopWhenQuietFor = Long.MAX_VALUE;
    private volatile long lastRecordAt = System.currentTimeMillis();

    // written by the watcher thread, read after it ended
    private long sessionRecords;
    private long revisions;
    private long tombstones;
    private long lateEvents;
    private final Set<String> liveSessions = new HashSet<>();
    private final Map<String, Integer> deadLetters = new TreeMap<>();
    // also read by the chart page's server while the watcher runs
    private final Map<String, JsonNode> latestMetrics = new ConcurrentSkipListMap<>();

    TopicWatcher(KafkaSettings kafka, PrintStream out) {
        this.kafka = kafka;
        this.out = out;
    }

    /**
     * Ends the watcher once no record came for {@code quiet}: everything committed has been read.
     */
    void stopWhenQuiet(Duration quiet) {
        stopWhenQuietFor = quiet.toMillis();
    }

    @Override
    public void run() {
        Properties p = kafka.adminProperties();
        p.put("isolation.level", "read_committed");
        p.put("client.id", "sessionflow-demo-watcher");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic :
                    List.of(
                            kafka.sessionsTopic,
                            kafka.deadLetterTopic,
                            kafka.lateTopic,
                            kafka.metricsTopic)) {
                consumer.partitionsFor(topic)
                        .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.currentTimeMillis() - lastRecordAt < stopWhenQuietFor) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    lastRecordAt = System.currentTimeMillis();
                    show(r);
                }
            }
        }
    }

    private void show(ConsumerRecord<String, byte[]> r) {
        String topic = r.topic();
        if (topic.equals(kafka.sessionsTopic)) {
            sessionRecords++;
            if (r.value() == null) {
                tombstones++;
                liveSessions.remove(r.key());
                // the key is <owner>/<session_id>[/<group>] and an owner may hold '/': show it
                // whole
                line(String.format("tombstone  %-50s (the session now has another key)", r.key()));
                return;
            }
            liveSessions.add(r.key());
            JsonNode s = parse(r.value());
            int revision = s.path("revision").asInt();
            // revision 1 is a session's first record
            if (revision > 1) revisions++;
            line(
                    String.format(
                            "session    %-36s %13d  %s  %8s  %3d events  %-8s rev %d%s",
                            s.path("owner").asText(),
                            s.path("session_id").asLong(),
                            clock(s.path("start_time").asLong()),
                            length(s.path("length_ms").asLong()),
                            s.path("event_count").asLong(),
                            s.path("platform").asText("-"),
                            revision,
                            flags(s)));
        } else if (topic.equals(kafka.deadLetterTopic)) {
            JsonNode d = parse(r.value());
            String reason = d.path("reason").asText();
            deadLetters.merge(reason, 1, Integer::sum);
            line(
                    String.format(
                            "dead letter %-12s %s/%d@%d: %s",
                            reason,
                            d.path("topic").asText(),
                            d.path("partition").asInt(),
                            d.path("offset").asLong(),
                            abbreviate(d.path("detail").asText(), 90)));
        } else if (topic.equals(kafka.metricsTopic)) {
            // too many to print one by one: the summary shows them as a chart
            latestMetrics.put(r.key(), parse(r.value()));
        } else {
            lateEvents++;
            JsonNode l = parse(r.value());
            JsonNode e = l.path("event");
            line(
                    String.format(
                            "late event %-36s %s at %s, arrived at watermark %s",
                            r.key(),
                            e.path("event_type").asText(),
                            clock(e.path("time").asLong()),
                            clock(l.path("watermark").asLong())));
        }
    }

    private static String flags(JsonNode s) {
        StringBuilder b = new StringBuilder();
        for (String flag : new String[] {"empty", "zero_length", "over_limit"}) {
            if (s.path(flag).asBoolean()) b.append("  ").append(flag);
        }
        // the first touch: where the visit came from, where the person is
        String source = s.path("utm_source").asText(s.path("referring_domain").asText(null));
        String country = s.path("country").asText(null);
        if (source != null || country != null) {
            b.append("  [")
                    .append(country == null ? "" : country)
                    .append(source == null ? "" : (country == null ? "" : ", ") + "via " + source)
                    .append(']');
        }
        return b.toString();
    }

    private void line(String text) {
        synchronized (out) {
            out.println(text);
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static String clock(long epochMillis) {
        return CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }

    /** 4m03s, 12s, 300ms, 2h05m. */
    static String length(long ms) {
        if (ms > 0 && ms < 1000) return ms + "ms";
        long s = ms / 1000;
        if (s < 60) return s + "s";
        if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
        return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    long sessionRecords() {
        return sessionRecords;
    }

    long sessions() {
        return liveSessions.size();
    }

    long revisions() {
        return revisions;
    }

    long tombstones() {
        return tombstones;
    }

    long lateEvents() {
        return lateEvents;
    }

    Map<String, Integer> deadLetters() {
        return deadLetters;
    }

    Map<String, JsonNode> latestMetrics() {
        return latestMetrics;
    }
}
