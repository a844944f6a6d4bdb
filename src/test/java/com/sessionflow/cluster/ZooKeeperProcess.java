package com.sessionflow.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A standalone ZooKeeper 3.7 server in a {@code java} process of its own, for Flink's ZooKeeper
 * high availability: {@code ZooKeeperServerMain} from {@code flink-shaded-zookeeper-3} (the jar
 * flink-runtime depends on, so it is on the cluster's classpath already), listening on 127.0.0.1
 * only, its data under the cluster folder. No admin server; the {@code ruok} four-letter word tells
 * when it is ready.
 */
public final class ZooKeeperProcess implements AutoCloseable {

    static final String MAIN =
            "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.server.ZooKeeperServerMain";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** ZooKeeper's time unit; sessions may last 2 to 20 ticks. */
    static final int TICK_MS = 1000;

    private final Path dir;
    private final List<String> classpath;
    private final int port;
    private final Path pidFile;
    private ChildProcess process;

    ZooKeeperProcess(Path dir, List<String> classpath, int port, Path pidFile) {
        this.dir = dir.toAbsolutePath();
        this.classpath = classpath;
        this.port = port;
        this.pidFile = pidFile;
    }

    /** The connect string for clients: {@code 127.0.0.1:<port>}. */
    public String quorum() {
        return "127.0.0.1:" + port;
    }

    public ChildProcess process() {
        if (process == null) throw new IllegalStateException("ZooKeeper was never started");
        return process;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server and waits until it answers {@code ruok} with {@code imok}. */
    public synchronized void start() {
        if (isRunning()) throw new IllegalStateException("ZooKeeper is already running");
        try {
            Path data = Files.createDirectories(dir.resolve("data"));
            Path config = dir.resolve("zoo.cfg");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "# written by com.sessionflow.cluster.ZooKeeperProcess",
                            "tickTime=" + TICK_MS,
                            "dataDir=" + data,
                            "clientPort=" + port,
                            "clientPortAddress=127.0.0.1",
                            "maxClientCnxns=0",
                            "admin.enableServer=false",
                            "4lw.commands.whitelist=ruok,srvr,stat",
                            "autopurge.purgeInterval=1",
                            ""),
                    StandardCharsets.UTF_8);
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, ChildProcess.CONSOLE_LOG4J, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>();
            cmd.add(KafkaBrokerProcess.javaBin());
            cmd.addAll(
                    List.of(
                            "-Xms64m",
                            "-Xmx256m",
                            "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1",
                            "-Djava.awt.headless=true",
                            "-Dlog4j2.configurationFile=" + log4j.toUri(),
                            "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                            "-cp",
                            Classpaths.join(classpath),
                            MAIN,
                            config.toString()));
            process =
                    ChildProcess.start(
                            "zookeeper",
                            cmd,
                            dir,
                            dir.resolve("zookeeper.log"),
                            List.of(),
                            Map.of(),
                            pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Deadline.await(
                "ZooKeeper on " + quorum(),
                START_TIMEOUT,
                Duration.ofMillis(200),
                () -> {
                    process.checkAlive();
                    return "imok".equals(fourLetterWord("ruok"));
                },
                () -> process.tail(40));
    }

    /** Sends a four-letter word ({@code ruok}, {@code srvr}, {@code stat}); returns the answer. */
    // a literal address: nothing is looked up
    @SuppressWarnings("AddressSelection")
    public String fourLetterWord(String word) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(3_000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** {@code kill -9} of the server. */
    public synchronized void kill() {
        process().kill();
    }

    @Override
    public synchronized void close() {
        if (isRunning()) process.kill();
    }
}
