package com.sessionflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Starts the {@link LocalCluster} by hand (what {@code bin/local-cluster} runs): a Kafka broker, a
 * JobManager with its web UI and TaskManagers, each a process of its own, until Ctrl-C or {@code
 * stop}. Commands on standard input inject the faults the *ITCase tests inject: {@code status},
 * {@code kill-tm <id>}, {@code start-tm}, {@code kill-broker}, {@code start-broker}, {@code cancel
 * <job id>}, {@code stop}.
 */
public final class RunLocalCluster {

    private static final String USAGE =
            """
            Usage: bin/local-cluster [options] [-- job options]
              --kafka-port N      broker port on 127.0.0.1 (default 9092; 0: any free port)
              --rest-port N       Flink REST / web UI port (default 8081; 0: any free port)
              --task-managers N   TaskManagers to start (default 2, 2 slots each)
              --submit            create the input topic (2 partitions) if missing and run the job jar with
                                  --bootstrap-servers <broker> and the job options after --
              --job-jar FILE      the shaded job jar (default: the build folder's sessionflow-*.jar)
              --dir DIR           the cluster's folder, emptied at start (default <build folder>/cluster/local)
            Commands while it runs: status, kill-tm <id>, start-tm, kill-broker, start-broker, cancel <job id>, stop\
            """;

    private RunLocalCluster() {}

    public static void main(String[] args) throws Exception {
        int kafkaPort = 9092;
        int restPort = 8081;
        int taskManagers = 2;
        boolean submit = false;
        Path jobJar = null;
        Path dir = null;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kafka-port" -> kafkaPort = Integer.parseInt(args[++i]);
                case "--rest-port" -> restPort = Integer.parseInt(args[++i]);
                case "--task-managers" -> taskManagers = Integer.parseInt(args[++i]);
                case "--submit" -> submit = true;
                case "--job-jar" -> jobJar = Path.of(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--" -> {
                    jobArgs.addAll(List.of(args).subList(i + 1, args.length));
                    i = args.length;
                }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }

        LocalCluster.Builder b =
                LocalCluster.builder("local")
                        .kafkaPort(kafkaPort)
                        .restPort(restPort)
                        .taskManagers(taskManagers);
        if (dir != null) b.dir(dir);
        if (jobJar != null) b.jobJar(jobJar);
        else if (System.getProperty(LocalCluster.JOB_JAR_PROPERTY) == null)
            defaultJobJar().ifPresent(b::jobJar);
        System.out.println(
                "Starting a Kafka broker, a JobManager and " + taskManagers + " TaskManagers ...");
        LocalCluster cluster = b.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    cluster.close();
                                    stopped.countDown();
                                }));
        printStatus(cluster);
        System.out.println("  folder       " + cluster.dir() + " (logs in log/)");
        System.out.println(
                "  stop         Ctrl-C or 'stop'; other commands: status, kill-tm <id>, start-tm,"
                        + " kill-broker, start-broker, cancel <job id>");

        if (submit) {
            String topics = inputTopics(jobArgs);
            createTopics(cluster, topics);
            List<String> run =
                    new ArrayList<>(List.of("--bootstrap-servers", cluster.bootstrapServers()));
            run.addAll(jobArgs);
            String jobId = cluster.submitJob(run, null, null);
            System.out.println("  job          " + jobId + " running (input " + topics + ")");
        }

        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split("\\s+", -1);
            try {
                switch (cmd[0]) {
                    case "" -> {}
                    case "status" -> printStatus(cluster);
                    case "kill-tm" -> {
                        String id =
                                cmd.length > 1
                                        ? cmd[1]
                                        : cluster.taskManagers().keySet().iterator().next();
                        long pid = cluster.taskManagers().get(id).pid();
                        cluster.killTaskManager(id);
                        System.out.println("killed " + id + " (kill -9 " + pid + ")");
                    }
                    case "start-tm" -> System.out.println("started " + cluster.startTaskManager());
                    case "kill-broker" -> {
                        long pid = cluster.broker().pid();
                        cluster.broker().kill();
                        System.out.println("killed the broker (kill -9 " + pid + ")");
                    }
                    case "start-broker" -> {
                        cluster.broker().start();
                        System.out.println("broker running again, pid " + cluster.broker().pid());
                    }
                    case "cancel" -> {
                        cluster.cancelJob(cmd[1]);
                        System.out.println("cancelled " + cmd[1]);
                    }
                    case "stop", "quit", "exit" -> {
                        cluster.close();
                        System.out.println("Stopped.");
                        return;
                    }
                    default -> System.out.println("unknown command: " + line.trim());
                }
            } catch (RuntimeException e) {
                System.out.println("failed: " + e.getMessage());
            }
        }
        // standard input closed (e.g. started in the background): run until killed
        stopped.await(365, TimeUnit.DAYS);
    }

    private static void printStatus(LocalCluster cluster) {
        KafkaBrokerProcess broker = cluster.broker();
        System.out.println(
                "  Kafka        "
                        + broker.bootstrapServers()
                        + (broker.isRunning() ? " (pid " + broker.pid() + ")" : " (not running)"));
        System.out.println(
                "  Flink web UI "
                        + cluster.webUrl()
                        + " (JobManager pid "
                        + cluster.jobManager().pid()
                        + ")");
        cluster.taskManagers()
                .forEach(
                        (id, p) ->
                                System.out.println(
                                        "  TaskManager  " + id + " (pid " + p.pid() + ")"));
        // the processes run, but is the job? (RUNNING, RESTARTING, FAILED, ...)
        try {
            for (JsonNode job : cluster.rest().jobsOverview().path("jobs"))
                System.out.println(
                        "  job          "
                                + job.path("jid").asText()
                                + " "
                                + job.path("state").asText()
                                + " ("
                                + job.path("name").asText()
                                + ")");
        } catch (FlinkRest.RestException e) {
            System.out.println(
                    "  jobs         unknown: the JobManager does not answer (" + e + ")");
        }
    }

    private static String inputTopics(List<String> jobArgs) {
        for (int i = 0; i < jobArgs.size(); i++) {
            if (jobArgs.get(i).equals("--input-topics") && i + 1 < jobArgs.size())
                return jobArgs.get(i + 1);
            if (jobArgs.get(i).startsWith("--input-topics="))
                return jobArgs.get(i).substring("--input-topics=".length());
        }
        return "events";
    }

    private static void createTopics(LocalCluster cluster, String topics) throws Exception {
        try (Admin admin = Admin.create(cluster.broker().clientProperties())) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            for (String t : topics.split(",", -1)) {
                if (!t.isBlank() && !existing.contains(t.trim()))
                    create.add(new NewTopic(t.trim(), Optional.of(2), Optional.empty()));
            }
            if (!create.isEmpty()) admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The build folder's shaded job jar, if it has been built. */
    static Optional<Path> defaultJobJar() throws Exception {
        try (var files = java.nio.file.Files.list(LocalCluster.buildDir())) {
            return files.filter(
                            f -> {
                                String n = f.getFileName().toString();
                                return n.startsWith("sessionflow-") && n.endsWith(".jar");
                            })
                    .findFirst();
        }
    }
}
