package com.sessionflow.bench;

import com.sessionflow.demo.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker ({@link EmbeddedKafka}) in a process of its own, so that the CPU time of a
 * scenario's JVM is the job's alone and the broker's is measured apart. The broker process ends
 * when its standard input closes.
 */
final class BrokerProcess implements AutoCloseable {

    private static final String READY = "bootstrap=";

    private final Process process;
    private final String bootstrap;

    private BrokerProcess(Process process, String bootstrap) {
        this.process = process;
        this.bootstrap = bootstrap;
    }

    static BrokerProcess start() throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xms1g",
                                "-Xmx1g",
                                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                                "-cp",
                                System.getProperty("java.class.path"),
                                BrokerProcess.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(READY)) return new BrokerProcess(p, line.substring(READY.length()));
        }
        p.destroyForcibly();
        throw new IOException(
                "the broker process ended before it was ready (exit code " + waitFor(p) + ")");
    }

    String bootstrapServers() {
        return bootstrap;
    }

    /** CPU time the broker process has used so far, all threads. */
    long cpuNanos() {
        return process.toHandle()
                .info()
                .totalCpuDuration()
                .map(Duration::toNanos)
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "this platform does not report a process's CPU time"));
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS))
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            System.out.println(READY + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() != -1) {
                // runs until the benchmark closes our standard input
            }
        }
    }
}
