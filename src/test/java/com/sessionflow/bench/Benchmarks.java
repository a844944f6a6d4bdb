package com.sessionflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The benchmark (issue 5): every scenario side by side on the same generated input, each in a fresh
 * JVM of its own (same heap, no JIT or GC history carried over, and Flink's FRocksDB and Kafka
 * Streams' RocksDB never share a classpath). Run it with {@code mvn -q -Pbench
 * -Dbuild.dir=target-bench test-compile exec:exec -Dbench.args="--quick"}; {@code --help} lists the
 * options. Results go to stdout as a markdown table and to {@code <build
 * dir>/bench/results-<time>.json}.
 */
public final class Benchmarks {

    static final String RESULT_PREFIX = "BENCH-RESULT ";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Processing-only scenarios, in the order of the table. */
    public static final List<String> PROCESSING =
            List.of(
                    "raw",
                    "floor",
                    "sessionize-heap",
                    "sessionize-rocksdb",
                    "sessionize-merged-heap",
                    "sessionize-merged-rocksdb",
                    "windows-heap",
                    "windows-rocksdb",
                    "sql-session-heap",
                    "sql-session-rocksdb",
                    "kstreams-inmemory",
                    "kstreams-rocksdb");

    /** Through a real broker, input produced first: each run from start to all output readable. */
    static final List<String> END_TO_END =
            List.of(
                    "e2e-floor",
                    "e2e-job",
                    "e2e-sql-session",
                    "e2e-sql-user",
                    "e2e-sql-passthrough",
                    "e2e-kstreams-inmemory",
                    "e2e-kstreams-rocksdb");

    private Benchmarks() {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.help) {
            System.out.println(Options.USAGE);
            return;
        }
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        if (o.child != null) {
            runChild(o);
            System.exit(0);
            return;
        }
        new Runner(o, System.out).runAll();
        System.exit(0);
    }

    /** Runs one scenario in this JVM and prints its result as one JSON line. */
    static void runChild(Options o) throws Exception {
        Map<String, Object> result = Scenarios.run(o.child, o);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("scenario", o.child);
        line.putAll(result);
        System.out.println(RESULT_PREFIX + JSON.writeValueAsString(line));
        System.out.flush();
    }

    /** Forks the scenarios and collects their results. */
    static final class Runner {
        final Options o;
        final PrintStream log;
        final List<ObjectNode> results = new ArrayList<>();
        final Path outDir;

        Runner(Options o, PrintStream log) throws IOException {
            this.o = o;
            this.log = log;
            this.outDir = Files.createDirectories(Path.of(o.outDir));
        }

        void runAll() throws Exception {
            log.println("# sessionflow benchmark " + Instant.now());
            log.println(Machine.describe());
            log.println("options: " + String.join(" ", o.raw));
            for (int r = 1; r <= o.repeat; r++) {
                for (String s : o.scenarios) {
                    if (PROCESSING.contains(s)) fork(s, r, List.of());
                }
            }
            if (o.scenarios.contains("scale")) {
                for (int users : o.scaleUsers) {
                    for (String backend : o.scaleBackends) {
                        fork(
                                "scale-" + backend,
                                1,
                                List.of(
                                        "--users",
                                        String.valueOf(users),
                                        "--events",
                                        "0",
                                        "--min-minutes",
                                        String.valueOf(o.scaleMinutes)));
                    }
                }
            }
            if (o.scenarios.contains("state")) fork("state", 1, List.of());
            if (o.scenarios.contains("hot-owner")) fork("hot-owner", 1, List.of());
            for (int r = 1; r <= o.repeat; r++) {
                for (String s : END_TO_END) {
                    if (o.scenarios.contains(s)) fork(s, r, List.of());
                }
            }
            if (o.scenarios.contains("latency")) {
                for (String identity : o.latencyIdentities)
                    for (long ms : o.latencyCheckpoints) {
                        fork(
                                "latency",
                                1,
                                List.of(
                                        "--latency-identities",
                                        identity,
                                        "--checkpoint-ms",
                                        String.valueOf(ms),
                                        "--gap-ms",
                                        String.valueOf(o.latencyGapMs),
                                        "--out-of-orderness-ms",
                                        String.valueOf(o.latencyOutOfOrdernessMs),
                                        "--idle-timeout-ms",
                                        String.valueOf(o.latencyIdleTimeoutMs)));
                    }
            }
            Path json =
                    outDir.resolve(
                            "results-" + Instant.now().toString().replace(':', '-') + ".json");
            ObjectNode all = JSON.createObjectNode();
            all.put("machine", Machine.describe());
            all.put("options", String.join(" ", o.raw));
            all.set("results", JSON.valueToTree(results));
            Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            String report = Report.markdown(results, o);
            Files.writeString(outDir.resolve("latest.md"), report);
            log.println();
            log.println(report);
            log.println("results: " + json);
        }

        /** Runs a scenario in a fresh JVM and keeps its result. */
        ObjectNode fork(String scenario, int run, List<String> extra) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(Arrays.asList(Machine.FLINK_OPENS));
            cmd.add("-Xms" + o.heap);
            cmd.add("-Xmx" + o.heap);
            cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(outDir.resolve("tmp")));
            if (o.jfr) {
                cmd.add("-XX:+FlightRecorder");
                cmd.add(
                        "-XX:StartFlightRecording=filename="
                                + outDir.resolve(
                                        scenario + "-" + run + "-" + results.size() + ".jfr")
                                + ",settings=profile");
            }
            cmd.add("-cp");
            cmd.add(classpathFor(scenario));
            cmd.add(Benchmarks.class.getName());
            cmd.add("--child");
            cmd.add(scenario);
            cmd.addAll(o.childArgs());
            cmd.addAll(extra);
            log.printf("-- %s (run %d) %s%n", scenario, run, String.join(" ", extra));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            ObjectNode result = null;
            String tag =
                    scenario
                            + "-"
                            + run
                            + (extra.contains("--users")
                                    ? "-" + extra.get(extra.indexOf("--users") + 1)
                                    : "")
                            + (extra.contains("--latency-identities")
                                    ? "-" + extra.get(extra.indexOf("--latency-identities") + 1)
                                    : "")
                            + (extra.contains("--checkpoint-ms")
                                    ? "-checkpoint-"
                                            + extra.get(extra.indexOf("--checkpoint-ms") + 1)
                                    : "");
            Path childLog = outDir.resolve(tag + ".log");
            try (BufferedReader in =
                            new BufferedReader(
                                    new InputStreamReader(
                                            p.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream file =
                            new PrintStream(
                                    Files.newOutputStream(childLog),
                                    true,
                                    StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    file.println(line);
                    if (line.startsWith(RESULT_PREFIX)) {
                        result = (ObjectNode) JSON.readTree(line.substring(RESULT_PREFIX.length()));
                    } else if (line.startsWith("bench: ")) {
                        log.println("   " + line.substring(7));
                    }
                }
            }
            int exit = p.waitFor();
            if (result == null || exit != 0) {
                throw new IllegalStateException(
                        "scenario " + scenario + " failed (exit " + exit + "), see " + childLog);
            }
            result.put("run", run);
            result.put("jvmSeconds", (System.nanoTime() - t0) / 1_000_000_000.0);
            log.println("   " + Report.oneLine(result));
            results.add(result);
            return result;
        }
    }

    /** This JVM's classpath minus the RocksDB build the scenario must not load. */
    static String classpathFor(String scenario) {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
        boolean kafkaStreams = scenario.contains("kstreams");
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(
                        e -> {
                            String name = Path.of(e).getFileName().toString();
                            // Flink's FRocksDB and Kafka Streams' RocksDB both are org.rocksdb:
                            // keep one
                            return kafkaStreams
                                    ? !name.startsWith("frocksdbjni")
                                    : !name.startsWith("rocksdbjni");
                        })
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The command-line options (of the whole run and of one forked scenario). */
    static final class Options {
        static final String USAGE =
                String.join(
                        "\n",
                        "Options (mvn: -Dbench.args=\"...\"):",
                        "  --quick                small sizes, one run: a check that everything"
                                + " works",
                        "  --scenarios LIST       comma-separated, default all but kstreams-rocksdb"
                                + " and the Kafka ones: "
                                + String.join(",", PROCESSING)
                                + ",scale,state,hot-owner",
                        "                         through a real (in-JVM) Kafka broker: "
                                + String.join(",", END_TO_END)
                                + " (end to end), latency",
                        "  --events N             processing-only input size in events (default"
                                + " 2000000; quick 200000)",
                        "  --users N              simulated users = concurrent owners of the"
                                + " processing-only input (default 100000; quick 10000)",
                        "  --repeat N             runs of every processing-only scenario (default"
                                + " 3; quick 1)",
                        "  --scale LIST           concurrent owners of the scaling runs (default"
                                + " 10000,100000,1000000; quick 2000,20000)",
                        "  --scale-backends LIST  backends of the scaling runs (default"
                                + " rocksdb,heap)",
                        "  --scale-minutes M      simulated minutes of a scaling run (default 50:"
                                + " every user has started)",
                        "  --heap SIZE            heap of each forked JVM (default 6g)",
                        "  --managed-memory SIZE  Flink managed memory (RocksDB) (default 512m)",
                        "  --rocksdb-timers T     where RocksDB scenarios keep timers: ROCKSDB"
                                + " (Flink's default) or HEAP",
                        "  --rocksdb-bloom-filter B  RocksDB bloom filters, true (the job's"
                                + " flink-conf) or false (Flink's default)",
                        "  --seed N               traffic seed (default 42)",
                        "  --checkpoint-ms MS     checkpoint interval of e2e-floor and e2e-job,"
                                + " commit interval of e2e-kstreams-* (default 10000, the job's"
                                + " default)",
                        "  --single-events        every input event in a record of its own, for"
                                + " every scenario (e2e-sql-user and e2e-sql-passthrough always"
                                + " read that shape)",
                        "  --e2e-backend B        state backend of e2e-job and the e2e SQL peers:"
                                + " hashmap (default) or rocksdb",
                        "  --latency-checkpoints LIST  checkpoint intervals (ms) of the latency"
                                + " runs, one run each (default 1000,10000)",
                        "  --latency-identities LIST  --identity of the latency runs, one run"
                                + " each (default merged, the job's default; user to compare)",
                        "  --latency-users N      simulated users of the live traffic of a latency"
                                + " run (default 100000)",
                        "  --latency-seconds S    how long a latency run produces live traffic"
                                + " before it goes quiet (default 60)",
                        "  --latency-gap-ms MS, --latency-out-of-orderness-ms MS,"
                                + " --latency-idle-timeout-ms MS",
                        "                         job settings of the latency runs (default 5000,"
                                + " 1000, 10000)",
                        "  --jfr                  record a JFR profile of every scenario into the"
                                + " output folder",
                        "  --out DIR              output folder (default <build dir>/bench)");

        List<String> raw = new ArrayList<>();
        boolean help;
        String child;
        List<String> scenarios = new ArrayList<>();
        long events = 2_000_000;
        int users = 100_000;
        int repeat = 3;
        List<Integer> scaleUsers = List.of(10_000, 100_000, 1_000_000);
        List<String> scaleBackends = List.of("rocksdb", "heap");
        long scaleMinutes = 50;
        long minMinutes = 0;
        String heap = "6g";
        String managedMemory = "512m";
        String rocksDbTimers = "ROCKSDB";
        boolean rocksDbBloomFilter = true;
        boolean singleEvents;
        String e2eBackend = "hashmap";
        long seed = 42;
        boolean jfr;
        String outDir = "target/bench";
        long gapMs = Duration.ofMinutes(5).toMillis();
        long allowedLatenessMs = Duration.ofHours(1).toMillis();
        long outOfOrdernessMs = Duration.ofSeconds(30).toMillis();
        long idleTimeoutMs = Duration.ofSeconds(30).toMillis();
        long dedupHorizonMs = Duration.ofHours(1).toMillis();
        long checkpointMs = 10_000;
        List<Long> latencyCheckpoints = List.of(1_000L, 10_000L);
        List<String> latencyIdentities = List.of("merged");
        int latencyUsers = 100_000;
        long latencySeconds = 60;
        long latencyGapMs = 5_000;
        long latencyOutOfOrdernessMs = 1_000;
        long latencyIdleTimeoutMs = 10_000;

        static Options parse(String[] args) {
            Options o = new Options();
            o.raw = List.of(args);
            boolean quick = List.of(args).contains("--quick");
            if (quick) {
                o.events = 200_000;
                o.users = 10_000;
                o.repeat = 1;
                o.scaleUsers = List.of(2_000, 20_000);
                o.heap = "3g";
            }
            o.outDir = System.getProperty("bench.out", o.outDir);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                Consumer<Void> none = v -> {};
                switch (a) {
                    case "--quick" -> none.accept(null);
                    case "--help", "-h" -> o.help = true;
                    case "--jfr" -> o.jfr = true;
                    case "--child" -> o.child = args[++i];
                    case "--scenarios" ->
                            o.scenarios = new ArrayList<>(List.of(args[++i].split(",")));
                    case "--events" -> o.events = Long.parseLong(args[++i]);
                    case "--users" -> o.users = Integer.parseInt(args[++i]);
                    case "--repeat" -> o.repeat = Integer.parseInt(args[++i]);
                    case "--scale" ->
                            o.scaleUsers =
                                    Arrays.stream(args[++i].split(","))
                                            .map(Integer::valueOf)
                                            .toList();
                    case "--scale-backends" -> o.scaleBackends = List.of(args[++i].split(","));
                    case "--scale-minutes" -> o.scaleMinutes = Long.parseLong(args[++i]);
                    case "--min-minutes" -> o.minMinutes = Long.parseLong(args[++i]);
                    case "--heap" -> o.heap = args[++i];
                    case "--managed-memory" -> o.managedMemory = args[++i];
                    case "--rocksdb-timers" ->
                            o.rocksDbTimers = args[++i].toUpperCase(java.util.Locale.ROOT);
                    case "--rocksdb-bloom-filter" ->
                            o.rocksDbBloomFilter = Boolean.parseBoolean(args[++i]);
                    case "--seed" -> o.seed = Long.parseLong(args[++i]);
                    case "--out" -> o.outDir = args[++i];
                    case "--gap-ms" -> o.gapMs = Long.parseLong(args[++i]);
                    case "--allowed-lateness-ms" -> o.allowedLatenessMs = Long.parseLong(args[++i]);
                    case "--out-of-orderness-ms" -> o.outOfOrdernessMs = Long.parseLong(args[++i]);
                    case "--idle-timeout-ms" -> o.idleTimeoutMs = Long.parseLong(args[++i]);
                    case "--dedup-horizon-ms" -> o.dedupHorizonMs = Long.parseLong(args[++i]);
                    case "--checkpoint-ms" -> o.checkpointMs = Long.parseLong(args[++i]);
                    case "--single-events" -> o.singleEvents = true;
                    case "--e2e-backend" -> o.e2eBackend = args[++i];
                    case "--latency-checkpoints" ->
                            o.latencyCheckpoints =
                                    Arrays.stream(args[++i].split(",")).map(Long::valueOf).toList();
                    case "--latency-users" -> o.latencyUsers = Integer.parseInt(args[++i]);
                    case "--latency-identities" ->
                            o.latencyIdentities = List.of(args[++i].split(","));
                    case "--latency-seconds" -> o.latencySeconds = Long.parseLong(args[++i]);
                    case "--latency-gap-ms" -> o.latencyGapMs = Long.parseLong(args[++i]);
                    case "--latency-out-of-orderness-ms" ->
                            o.latencyOutOfOrdernessMs = Long.parseLong(args[++i]);
                    case "--latency-idle-timeout-ms" ->
                            o.latencyIdleTimeoutMs = Long.parseLong(args[++i]);
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown option " + a + "\n" + USAGE);
                }
            }
            if (o.scenarios.isEmpty()) {
                o.scenarios.addAll(PROCESSING);
                // TopologyTestDriver commits (RocksDB flushes) after every record: ~100 events/s,
                // not
                // Kafka Streams' real cost; run it only when asked for (--scenarios
                // kstreams-rocksdb)
                o.scenarios.remove("kstreams-rocksdb");
                o.scenarios.addAll(List.of("scale", "state", "hot-owner"));
            }
            return o;
        }

        /** What a forked scenario needs to know. */
        List<String> childArgs() {
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--events",
                                    String.valueOf(events),
                                    "--users",
                                    String.valueOf(users),
                                    "--seed",
                                    String.valueOf(seed),
                                    "--managed-memory",
                                    managedMemory,
                                    "--rocksdb-timers",
                                    rocksDbTimers,
                                    "--rocksdb-bloom-filter",
                                    String.valueOf(rocksDbBloomFilter),
                                    "--out",
                                    outDir,
                                    "--gap-ms",
                                    String.valueOf(gapMs),
                                    "--allowed-lateness-ms",
                                    String.valueOf(allowedLatenessMs),
                                    "--out-of-orderness-ms",
                                    String.valueOf(outOfOrdernessMs),
                                    "--idle-timeout-ms",
                                    String.valueOf(idleTimeoutMs),
                                    "--dedup-horizon-ms",
                                    String.valueOf(dedupHorizonMs),
                                    "--checkpoint-ms",
                                    String.valueOf(checkpointMs),
                                    "--latency-users",
                                    String.valueOf(latencyUsers),
                                    "--latency-seconds",
                                    String.valueOf(latencySeconds),
                                    "--e2e-backend",
                                    e2eBackend));
            if (singleEvents) args.add("--single-events");
            return args;
        }

        BenchSettings settings() throws IOException {
            return new BenchSettings(
                    gapMs,
                    allowedLatenessMs,
                    outOfOrdernessMs,
                    idleTimeoutMs,
                    dedupHorizonMs,
                    managedMemory,
                    rocksDbTimers,
                    rocksDbBloomFilter,
                    Files.createDirectories(
                            Path.of(outDir, "tmp", child == null ? "in-process" : child)));
        }
    }

    static JsonNode tree(Object o) {
        return JSON.valueToTree(o);
    }
}
