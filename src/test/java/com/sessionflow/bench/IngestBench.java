package com.sessionflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.ingest.IngestOptions;
import com.sessionflow.ingest.IngestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest server's benchmark (docs/benchmarks.md, "The ingest server"): events per second into
 * Kafka through {@code POST /2/httpapi} with SDK-sized requests (1, 30 and 1,000 events), and
 * request latency p50/p99, against a floor: the same records sent by a bare idempotent {@code
 * acks=all} producer. One broker in a process of its own; the server and the load (Java's
 * HttpClient, {@code --concurrency} requests in flight, bodies made beforehand) share this JVM.
 *
 * <p>{@code mvn -q -Pingest-bench test-compile exec:exec -Dingest-bench.args="--events 200000"}
 */
public final class IngestBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "bench-events";

    private IngestBench() {}

    public static void main(String[] args) throws Exception {
        int events = 200_000;
        int concurrency = 16;
        int[] sizes = {1, 30, 1000};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
                case "--sizes" ->
                        sizes =
                                Arrays.stream(args[i + 1].split(","))
                                        .mapToInt(Integer::parseInt)
                                        .toArray();
                default ->
                        throw new IllegalArgumentException(
                                "unknown option "
                                        + args[i]
                                        + " (--events N, --concurrency N, --sizes 1,30,1000)");
            }
        }
        System.out.println("machine: " + Machine.describe());
        try (BrokerProcess broker = BrokerProcess.start()) {
            Properties client = new Properties();
            client.put("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            List<ObjectNode> sample = events(events, new Random(1));
            IngestServer server =
                    IngestServer.start(
                            IngestOptions.parse(
                                    IngestOptions.args(
                                                    broker.bootstrapServers(),
                                                    TOPIC,
                                                    "127.0.0.1",
                                                    0)
                                            .toArray(String[]::new)));
            try {
                // warm-up: the JIT, the connections and the producer, not measured
                floor(client, sample);
                http(server.url(), sample.subList(0, Math.min(20_000, events)), 30, concurrency);

                // the floor is noisy on a shared machine: the best of a run before, between and
                // after the server's runs is the one every ratio is taken against
                List<Double> floors = new ArrayList<>(List.of(floor(client, sample)));
                List<String> rows = new ArrayList<>();
                List<Run> runs = new ArrayList<>();
                for (int size : sizes) {
                    int n = size == 1 ? Math.min(events, 50_000) : events;
                    runs.add(http(server.url(), sample.subList(0, n), size, concurrency));
                    if (runs.size() == sizes.length / 2 + 1) floors.add(floor(client, sample));
                }
                floors.add(floor(client, sample));
                double floor = floors.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                for (int i = 0; i < sizes.length; i++) {
                    Run r = runs.get(i);
                    rows.add(
                            String.format(
                                    Locale.ROOT,
                                    "| %d event%s | %,.0f | %.2f | %,.0f | %.1f | %.1f |",
                                    sizes[i],
                                    sizes[i] == 1 ? "" : "s",
                                    r.eventsPerSecond,
                                    r.eventsPerSecond / floor,
                                    r.requestsPerSecond,
                                    r.p50Ms,
                                    r.p99Ms));
                }
                System.out.printf(
                        Locale.ROOT,
                        "%n| requests of | events/s into Kafka | x floor | requests/s | p50 ms |"
                                + " p99 ms |%n|---|---|---|---|---|---|%n");
                System.out.printf(
                        Locale.ROOT,
                        "| bare producer (floor, best of %s) | %,.0f | 1.00 | | | |%n",
                        floors.stream().map(f -> String.format(Locale.ROOT, "%,.0f", f)).toList(),
                        floor);
                rows.forEach(System.out::println);
                System.out.println("load after: " + Machine.describe());
            } finally {
                server.close();
            }
        }
        System.exit(0);
    }

    /** Events shaped as the Browser SDK sends them, ~30 devices a 1,000 events. */
    private static List<ObjectNode> events(int n, Random random) {
        List<ObjectNode> out = new ArrayList<>(n);
        long start = System.currentTimeMillis() - 3_600_000;
        int devices = Math.max(1, n / 1000 * 30);
        for (int i = 0; i < n; i++) {
            int device = random.nextInt(devices);
            ObjectNode e = JSON.createObjectNode();
            e.put("device_id", "device-" + device + "-7f3c9a2e-1b4d");
            e.put("user_id", "user-" + device);
            e.put("session_id", start);
            e.put("time", start + i);
            e.put("platform", "Web");
            e.put("os_name", "Chrome");
            e.put("os_version", "131");
            e.put("language", "en-US");
            e.put("ip", "$remote");
            e.put("insert_id", "insert-" + i + "-" + random.nextLong());
            e.put("event_type", "view_item");
            e.put("event_id", i);
            e.put("library", "amplitude-ts/2.48.1");
            e.put("user_agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36");
            ObjectNode props = e.putObject("event_properties");
            props.put("page_path", "/products/" + random.nextInt(500));
            props.put("item_id", random.nextInt(10_000));
            props.put("price", random.nextInt(10_000) / 100.0);
            out.add(e);
        }
        return out;
    }

    /** The same records the server writes, by a bare producer: events per second to all acked. */
    private static double floor(Properties client, List<ObjectNode> events) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        for (ObjectNode e : events) {
            ObjectNode v = e.deepCopy();
            v.put("server_upload_time", System.currentTimeMillis());
            records.add(
                    new ProducerRecord<>(
                            TOPIC,
                            e.get("device_id").asText().getBytes(StandardCharsets.UTF_8),
                            JSON.writeValueAsBytes(v)));
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            AtomicReference<Exception> failed = new AtomicReference<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                var unused =
                        producer.send(
                                r,
                                (m, e) -> {
                                    if (e != null) failed.set(e);
                                });
            }
            producer.flush();
            if (failed.get() != null) throw failed.get();
            return events.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private record Run(
            double eventsPerSecond, double requestsPerSecond, double p50Ms, double p99Ms) {}

    /** The events in requests of {@code size}, {@code concurrency} at a time, each answered 200. */
    private static Run http(String url, List<ObjectNode> events, int size, int concurrency)
            throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < events.size(); i += size) {
            ObjectNode body = JSON.createObjectNode();
            body.put("api_key", "bench");
            ArrayNode a = body.putArray("events");
            events.subList(i, Math.min(events.size(), i + size)).forEach(a::add);
            bodies.add(JSON.writeValueAsBytes(body));
        }
        HttpClient http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
        Semaphore inFlight = new Semaphore(concurrency);
        long[] latencies = new long[bodies.size()];
        AtomicReference<String> failure = new AtomicReference<>();
        List<CompletableFuture<?>> all = new ArrayList<>(bodies.size());
        long t0 = System.nanoTime();
        for (int i = 0; i < bodies.size(); i++) {
            inFlight.acquire();
            int request = i;
            long sent = System.nanoTime();
            all.add(
                    http.sendAsync(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .header("Content-Type", "application/json")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofByteArray(
                                                            bodies.get(i)))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .whenComplete(
                                    (r, e) -> {
                                        latencies[request] = System.nanoTime() - sent;
                                        inFlight.release();
                                        if (e != null) failure.set(e.toString());
                                        else if (r.statusCode() != 200) failure.set(r.body());
                                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) throw new IllegalStateException("a request failed: " + failure);
        Arrays.sort(latencies);
        return new Run(
                events.size() / seconds,
                bodies.size() / seconds,
                latencies[(int) (latencies.length * 0.5)] / 1e6,
                latencies[Math.min(latencies.length - 1, (int) (latencies.length * 0.99))] / 1e6);
    }
}
