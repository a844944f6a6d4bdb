package com.sessionflow.demo;

import com.sessionflow.ingest.IngestOptions;
import com.sessionflow.ingest.IngestServer;
import com.sessionflow.job.InvalidOptionException;
import com.sessionflow.job.JobOptions;
import com.sessionflow.job.SessionJob;
import com.sessionflow.kafka.KafkaSettings;
import com.sessionflow.kafka.Topics;
import com.sessionflow.metrics.ChartText;
import com.sessionflow.time.DurationConverter;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * The one-command local run: a Kafka broker, the real job on a local Flink with its web UI, sample
 * traffic, and the session records printed as checkpoints commit them. Ctrl-C drains the job (open
 * sessions are closed and committed), prints a summary and stops everything.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs sessionflow on this machine: a Kafka broker (KRaft) on 127.0.0.1, the job on a"
                + " local Flink with its web UI, and realistic sample traffic. Session records are"
                + " printed as the job commits them; Ctrl-C stops the job with a drain and prints a"
                + " summary.",
            "Any other option is passed to the job (its options are listed below), e.g. --gap 2m."
        })
public final class Demo implements Callable<Integer> {

    private static final String HOST = "127.0.0.1";
    private static final int INPUT_PARTITIONS = 3;

    /** After Ctrl-C the demo ends within this time, whatever hangs. */
    private static final Duration STOP_BUDGET = Duration.ofSeconds(150);

    @Option(
            names = "--kafka-port",
            paramLabel = "PORT",
            defaultValue = "9092",
            description = "The broker listens on 127.0.0.1:PORT. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(
            names = "--web-port",
            paramLabel = "PORT",
            defaultValue = "8081",
            description = "Flink's web UI listens on 127.0.0.1:PORT. Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Option(
            names = "--chart-port",
            paramLabel = "PORT",
            defaultValue = "8090",
            description =
                    "The User Sessions chart page listens on 127.0.0.1:PORT. Default:"
                            + " ${DEFAULT-VALUE}.")
    int chartPort;

    @Option(
            names = "--ingest-port",
            paramLabel = "PORT",
            defaultValue = "8088",
            description =
                    "The ingest server (Amplitude's HTTP V2 and Batch APIs, for an SDK's"
                            + " serverUrl) listens on 127.0.0.1:PORT. Default: ${DEFAULT-VALUE}.")
    int ingestPort;

    @Option(
            names = "--no-sample-traffic",
            description =
                    "Run the broker and the job only: produce your own events (e.g. with kcat).")
    boolean noSampleTraffic;

    @Option(
            names = "--no-live-traffic",
            description = "Produce the simulated past only, no live traffic after it.")
    boolean noLiveTraffic;

    @Option(
            names = "--history",
            paramLabel = "DURATION",
            defaultValue = "2h",
            converter = DurationConverter.class,
            description =
                    "Simulated past produced at full speed at start. Default: ${DEFAULT-VALUE}.")
    Duration history;

    @Option(
            names = "--users",
            paramLabel = "N",
            defaultValue = "100",
            description =
                    "Simulated users; each has a session about every half hour. Default:"
                            + " ${DEFAULT-VALUE}.")
    int users;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Seed of the sample traffic: the same seed gives the same traffic. Default:"
                            + " ${DEFAULT-VALUE}.")
    long seed;

    @Unmatched List<String> jobArgs = new ArrayList<>();

    private final PrintStream out = System.out;
    private final CompletableFuture<String> stopRequested = new CompletableFuture<>();

    public static void main(String[] args) {
        System.exit(JobOptions.execute(new Demo(), args));
    }

    @Override
    public Integer call() throws Exception {
        JobOptions options;
        try {
            options = JobOptions.parse(jobArguments().toArray(String[]::new));
        } catch (InvalidOptionException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (!portFree(kafkaPort, "--kafka-port")
                || !portFree(webPort, "--web-port")
                || !portFree(chartPort, "--chart-port")
                || !portFree(ingestPort, "--ingest-port")) return 1;
        // Flink and the broker keep their files under java.io.tmpdir (the build folder, set by the
        // pom)
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        // signals end the demo cleanly instead of running shutdown hooks under the running job
        onSignal("INT", "Ctrl-C");
        onSignal("TERM", "SIGTERM");
        onSignal("HUP", "the terminal closed");

        KafkaSettings kafka = options.kafka();
        out.println("Starting Kafka on " + HOST + ":" + kafkaPort + " ...");
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaPort);
        // checkpoints and the final savepoint; nothing of the demo outlives it
        Path flinkState = Files.createTempDirectory("sessionflow-demo-state");
        ChartServer chart = null;
        IngestServer ingest = null;
        try {
            createTopics(kafka);
            // beside the broker, as deployed: real Amplitude SDKs send to it (docs/ingest.md)
            ingest =
                    IngestServer.start(
                            IngestOptions.parse(
                                    IngestOptions.args(
                                                    HOST + ":" + kafkaPort,
                                                    kafka.inputTopics.get(0),
                                                    HOST,
                                                    ingestPort)
                                            .toArray(String[]::new)));

            TopicWatcher watcher = new TopicWatcher(kafka, out);
            Thread watching = daemon(watcher, "topic-watcher");
            chart =
                    ChartServer.start(
                            HOST, chartPort, () -> List.copyOf(watcher.latestMetrics().values()));

            out.println(
                    "Starting the job on a local Flink (parallelism "
                            + options.parallelism()
                            + ") ...");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
                            flinkConfig(options, flinkState));
            SessionJob.build(env, options, null);
            JobClient job = env.executeAsync("sessionflow demo");
            // the job's end, failure included, ends the demo; nothing else waits on this future
            var unused =
                    job.getJobExecutionResult()
                            .whenComplete(
                                    (result, error) ->
                                            stopRequested.complete(
                                                    error == null
                                                            ? "the job ended"
                                                            : "the job failed: "
                                                                    + rootMessage(error)));

            SampleTraffic traffic = null;
            Thread producing = null;
            if (!noSampleTraffic) {
                long start = System.currentTimeMillis() - history.toMillis();
                TrafficGenerator generator =
                        new TrafficGenerator(
                                seed,
                                start,
                                users,
                                Duration.ofMillis(options.definition().gapMs()));
                traffic =
                        new SampleTraffic(
                                kafka.adminProperties(),
                                kafka.inputTopics.get(0),
                                generator,
                                !noLiveTraffic,
                                out);
            }
            printBanner(options, kafka, ingest.url());
            watching.start();
            if (traffic != null) producing = daemon(traffic, "sample-traffic");
            if (producing != null) producing.start();

            String why = stopRequested.get();
            startWatchdog();
            out.println();
            // under Maven the prompt comes back at once: Maven ends on Ctrl-C, the demo a few
            // seconds later
            out.println("Stopping (" + why + "); the summary follows in a few seconds ...");
            if (traffic != null) {
                traffic.stop();
                producing.join(10_000);
            }
            drain(job, flinkState.resolve("savepoints"));
            watcher.stopWhenQuiet(Duration.ofSeconds(3));
            watching.join(20_000);
            printSummary(traffic, watcher);
            return why.startsWith("the job failed") ? 1 : 0;
        } finally {
            if (ingest != null) ingest.close();
            if (chart != null) chart.close();
            closeWithin(broker, Duration.ofSeconds(30));
            deleteTree(flinkState);
            out.println("Stopped.");
        }
    }

    /**
     * The demo's defaults for the job, unless the user gave them; the broker is always the demo's.
     */
    List<String> jobArguments() {
        if (given("--bootstrap-servers")) {
            throw new InvalidOptionException(
                    "Invalid option '--bootstrap-servers': the demo runs its own broker (choose its"
                            + " port with --kafka-port); to use another Kafka, run the job itself");
        }
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", HOST + ":" + kafkaPort));
        if (!given("--parallelism")) args.addAll(List.of("--parallelism", "2"));
        // sessions become visible to read_committed readers at each checkpoint
        if (!given("--checkpoint-interval")) args.addAll(List.of("--checkpoint-interval", "2s"));
        args.addAll(jobArgs);
        return args;
    }

    private boolean given(String option) {
        return jobArgs.stream().anyMatch(a -> a.equals(option) || a.startsWith(option + "="));
    }

    /**
     * Completes {@link #stopRequested} on the signal. sun.misc.Signal is the JDK's only way to act
     * on Ctrl-C without shutdown hooks (they would run under the running job); it is reached by
     * reflection because javac warns about it with no way to suppress the warning, and the build
     * allows no warnings.
     */
    private void onSignal(String name, String reason) throws ReflectiveOperationException {
        Class<?> signal = Class.forName("sun.misc.Signal");
        Class<?> handler = Class.forName("sun.misc.SignalHandler");
        Object complete =
                Proxy.newProxyInstance(
                        handler.getClassLoader(),
                        new Class<?>[] {handler},
                        (proxy, method, args) -> {
                            if (method.getName().equals("handle")) stopRequested.complete(reason);
                            return null;
                        });
        signal.getMethod("handle", signal, handler)
                .invoke(null, signal.getConstructor(String.class).newInstance(name), complete);
    }

    // HOST is a literal address: nothing is looked up
    @SuppressWarnings("AddressSelection")
    private static boolean portFree(int port, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException e) {
            System.err.println(
                    HOST
                            + ":"
                            + port
                            + " is in use ("
                            + e.getMessage()
                            + "); choose another port with "
                            + option
                            + " PORT");
            return false;
        }
    }

    private static void createTopics(KafkaSettings kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            admin.createTopics(
                            kafka.inputTopics.stream()
                                    .map(t -> new NewTopic(t, INPUT_PARTITIONS, (short) 1))
                                    .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        Topics.prepare(kafka, true);
    }

    private Configuration flinkConfig(JobOptions options, Path flinkState) {
        Configuration conf = new Configuration();
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                flinkState.resolve("checkpoints").toUri().toString());
        conf.set(RestOptions.ADDRESS, HOST);
        conf.set(RestOptions.BIND_ADDRESS, HOST);
        conf.set(RestOptions.PORT, webPort);
        // the local Flink's other servers (RPC, blob, data exchange) on loopback only, too
        conf.set(JobManagerOptions.BIND_HOST, HOST);
        conf.set(TaskManagerOptions.BIND_HOST, HOST);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, options.parallelism());
        // a job that keeps failing stops the demo instead of restarting forever
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(5));
        return conf;
    }

    private void printBanner(JobOptions options, KafkaSettings kafka, String ingestUrl) {
        String bootstrap = HOST + ":" + kafkaPort;
        out.println();
        out.println("sessionflow demo");
        out.println(
                "  Kafka        "
                        + bootstrap
                        + "   topics: "
                        + String.join(",", kafka.inputTopics)
                        + " ("
                        + INPUT_PARTITIONS
                        + " partitions) -> "
                        + kafka.sessionsTopic
                        + " (compacted), "
                        + kafka.deadLetterTopic
                        + ", "
                        + kafka.lateTopic
                        + ", "
                        + kafka.quarantineTopic
                        + ", "
                        + kafka.metricsTopic);
        out.println("  Flink web UI http://" + HOST + ":" + webPort);
        out.println(
                "  ingest       "
                        + ingestUrl
                        + "   Amplitude's HTTP V2 API (and /batch): an SDK's serverUrl, or curl");
        out.println(
                "  chart        http://"
                        + HOST
                        + ":"
                        + chartPort
                        + "   the User Sessions chart, live from "
                        + kafka.metricsTopic);
        out.println(
                "  sessions     end after "
                        + TopicWatcher.length(options.definition().gapMs())
                        + " without events; committed at "
                        + "each checkpoint, every "
                        + TopicWatcher.length(options.checkpointInterval().toMillis()));
        if (noSampleTraffic) {
            out.println("  traffic      none: send your own, e.g.");
            out.println(
                    "               curl -H 'Content-Type: application/json' -d"
                            + " '{\"api_key\":\"demo\",\"events\":[{\"user_id\":\"alice-1\","
                            + "\"event_type\":\"open\",\"time\":'$(date +%s%3N)'}]}' "
                            + ingestUrl);
            out.println(
                    "               echo"
                            + " '{\"user_id\":\"alice\",\"event_type\":\"open\",\"time\":'$(date"
                            + " +%s%3N)'}' | kcat -P -b "
                            + bootstrap
                            + " -t "
                            + kafka.inputTopics.get(0));
        } else {
            out.println(
                    "  traffic      "
                            + users
                            + " simulated users: the last "
                            + TopicWatcher.length(history.toMillis())
                            + " at full speed"
                            + (noLiveTraffic ? "" : ", then live")
                            + " (seed "
                            + seed
                            + ")");
        }
        out.println(
                "  read         kcat -C -b "
                        + bootstrap
                        + " -t "
                        + kafka.sessionsTopic
                        + " -f '%k %s\\n'");
        out.println(
                "Session records appear as checkpoints commit them (times UTC). Ctrl-C drains the"
                        + " job and stops.");
        out.println();
        out.println(
                String.format(
                        "%-10s %-36s %13s  %-8s  %8s  %10s  %-8s %s",
                        "record",
                        "owner",
                        "session_id",
                        "start",
                        "length",
                        "events",
                        "platform",
                        "revision"));
    }

    /** Ends the JVM if stopping hangs. */
    private static void startWatchdog() {
        Thread watchdog =
                daemon(
                        () -> {
                            try {
                                Thread.sleep(STOP_BUDGET.toMillis());
                            } catch (InterruptedException e) {
                                return;
                            }
                            System.err.println(
                                    "The demo did not stop within "
                                            + STOP_BUDGET.toSeconds()
                                            + " s: quitting.");
                            Runtime.getRuntime().halt(1);
                        },
                        "stop-watchdog");
        watchdog.start();
    }

    /**
     * Stop-with-savepoint advancing to the end of event time: every open session closes and is
     * committed.
     */
    private void drain(JobClient job, Path savepoints) {
        try {
            if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) return;
            out.println(
                    "Draining the job: stop-with-savepoint to the end of event time, so open"
                            + " sessions close and are committed ...");
            job.stopWithSavepoint(
                            true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            out.println("The drain failed (" + rootMessage(e) + "); cancelling the job.");
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception cancel) {
                out.println("Cancelling failed too: " + rootMessage(cancel));
            }
        }
    }

    private void printSummary(SampleTraffic traffic, TopicWatcher watcher) {
        out.println();
        out.println("Summary");
        out.println(
                "  produced      " + (traffic == null ? "no sample traffic" : traffic.summary()));
        out.println(
                "  sessions      "
                        + watcher.sessions()
                        + " ("
                        + watcher.sessionRecords()
                        + " records on the sessions topic: "
                        + watcher.revisions()
                        + " revisions, "
                        + watcher.tombstones()
                        + " tombstones)");
        int deadLetters = watcher.deadLetters().values().stream().mapToInt(Integer::intValue).sum();
        out.println(
                "  dead letters  "
                        + deadLetters
                        + (deadLetters == 0
                                ? ""
                                : ": "
                                        + watcher.deadLetters().entrySet().stream()
                                                .map(e -> e.getKey() + " " + e.getValue())
                                                .collect(Collectors.joining(", "))));
        out.println("  late events   " + watcher.lateEvents() + " (beyond the allowed lateness)");
        if (!watcher.latestMetrics().isEmpty()) {
            out.println();
            out.println("User Sessions chart, from the session-metrics topic");
            out.println(ChartText.render(watcher.latestMetrics().values()));
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    private void closeWithin(EmbeddedKafka broker, Duration limit) throws InterruptedException {
        out.println("Stopping Kafka ...");
        Thread closing =
                daemon(
                        () -> {
                            try {
                                broker.close();
                            } catch (Exception e) {
                                System.err.println("Kafka did not close cleanly: " + e);
                            }
                        },
                        "kafka-close");
        closing.start();
        closing.join(limit.toMillis());
    }

    private static String rootMessage(Throwable t) {
        Throwable root = ExceptionUtils.stripCompletionException(t);
        while (root.getCause() != null) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
