package com.sessionflow.cluster;

import com.sessionflow.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka 4.2 broker in a {@code java} process of its own: KRaft, broker and controller in one
 * node, listeners on 127.0.0.1 only, replication factors 1, records never deleted for their age.
 * Its folder is formatted once ({@code kafka.tools.StorageTool format}); the broker ({@code
 * kafka.Kafka server.properties}) can then be killed and started again on the same folder and
 * ports, as a crashed broker is restarted in production.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final List<String> classpath;
    private final int port;
    private final int controllerPort;
    private final Path pidFile;
    private ChildProcess process;
    private int starts;

    /**
     * @param port the clients' port on 127.0.0.1 (the broker keeps it across restarts)
     */
    KafkaBrokerProcess(
            Path dir, List<String> classpath, int port, int controllerPort, Path pidFile) {
        this.dir = dir.toAbsolutePath();
        this.classpath = classpath;
        this.port = port;
        this.controllerPort = controllerPort;
        this.pidFile = pidFile;
    }

    /**
     * A broker of its own in {@code dir} on free ports, for tests outside a {@link LocalCluster}
     * (the ingest server's fault test); not started yet.
     */
    public static KafkaBrokerProcess standalone(Path dir) {
        return new KafkaBrokerProcess(
                dir,
                Classpaths.kafkaJars(LocalCluster.buildDir()),
                FreePorts.next(),
                FreePorts.next(),
                dir.resolve("pids.txt"));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** The running broker process (the last one started). */
    public ChildProcess process() {
        if (process == null) throw new IllegalStateException("the broker was never started");
        return process;
    }

    public long pid() {
        return process().pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts the broker (formatting its folder the first time) and waits until it answers and every
     * partition has a leader.
     */
    public synchronized void start() {
        if (isRunning()) throw new IllegalStateException("the broker is already running");
        try {
            Path config = writeConfig();
            if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) format(config);
            starts++;
            List<String> cmd = new ArrayList<>();
            cmd.add(javaBin());
            cmd.addAll(
                    List.of(
                            "-Xms256m",
                            "-Xmx768m",
                            "-XX:+UseG1GC",
                            "-XX:MaxGCPauseMillis=20",
                            "-Djava.awt.headless=true",
                            "-Dlog4j2.configurationFile=" + writeLogConfig().toUri(),
                            "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                            "-cp",
                            Classpaths.join(classpath),
                            "kafka.Kafka",
                            config.toString()));
            process =
                    ChildProcess.start(
                            "kafka-broker",
                            cmd,
                            dir,
                            dir.resolve("broker.log"),
                            List.of(),
                            Map.of(),
                            pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    /** {@code kill -9} of the broker process. */
    public synchronized void kill() {
        process().kill();
    }

    /** Kills the broker if it runs, then starts it again on the same folder and ports. */
    public synchronized void restart() {
        if (isRunning()) kill();
        start();
    }

    @Override
    public synchronized void close() {
        if (isRunning()) process.kill();
    }

    /** Client properties that reach this broker. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    private void awaitReady() {
        Properties p = clientProperties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        try (Admin admin = Admin.create(p)) {
            Deadline.await(
                    "the Kafka broker on " + bootstrapServers() + " (start " + starts + ")",
                    START_TIMEOUT,
                    Duration.ofMillis(300),
                    () -> {
                        process.checkAlive();
                        if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty())
                            return false;
                        Set<String> topics = admin.listTopics().names().get(5, TimeUnit.SECONDS);
                        if (topics.isEmpty()) return true;
                        for (TopicDescription d :
                                admin.describeTopics(topics)
                                        .allTopicNames()
                                        .get(5, TimeUnit.SECONDS)
                                        .values()) {
                            if (d.partitions().stream().anyMatch(x -> x.leader() == null))
                                return false;
                        }
                        return true;
                    },
                    () -> process.tail(40));
        }
    }

    private Path writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        String listeners =
                "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
        String config =
                String.join(
                        "\n",
                        "# written by com.sessionflow.cluster.KafkaBrokerProcess",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=" + listeners,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        // a restarted broker registers again only once the controller has
                        // expired the session of the killed one (default 9 s)
                        "broker.session.timeout.ms=4000",
                        "broker.heartbeat.interval.ms=1000",
                        // test records keep old event-time timestamps: never delete them for age
                        "log.retention.ms=-1",
                        "auto.create.topics.enable=false",
                        "");
        Path file = dir.resolve("server.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    private Path writeLogConfig() throws IOException {
        String config =
                ChildProcess.CONSOLE_LOG4J
                        + """
                        logger.request.name = kafka.request.logger
                        logger.request.level = WARN
                        logger.coordinator.name = org.apache.kafka.coordinator
                        logger.coordinator.level = WARN
                        logger.config.name = org.apache.kafka.common.config.AbstractConfig
                        logger.config.level = WARN
                        """;
        Path file = dir.resolve("log4j2.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    /** {@code kafka.tools.StorageTool format}, in this JVM (Kafka is on its classpath). */
    private void format(Path config) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            code =
                    kafka.tools.StorageTool.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                config.toString(),
                                "--ignore-formatted"
                            },
                            ps);
        }
        Files.writeString(dir.resolve("format.log"), out.toString(StandardCharsets.UTF_8));
        if (code != 0) {
            throw new ClusterException(
                    "kafka.tools.StorageTool format ended with "
                            + code
                            + ":\n"
                            + out.toString(StandardCharsets.UTF_8));
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
