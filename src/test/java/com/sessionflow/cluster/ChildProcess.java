package com.sessionflow.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java} child process of the local cluster (a broker, the JobManager, a TaskManager),
 * its standard output and error in a file, its log files known for {@link #tail}.
 *
 * <p>Every live child is in one registry: a JVM shutdown hook kills whatever is left, so a failed
 * or interrupted test never leaves a broker or a TaskManager behind. The pid of each child is also
 * appended to a pid file of its cluster folder, so that the next start of the same cluster kills
 * the children of a test JVM that was itself killed (no shutdown hook runs then).
 */
public final class ChildProcess {

    /** log4j2 properties for a child JVM: INFO and up to its stdout, which goes to its log. */
    static final String CONSOLE_LOG4J =
            """
            status = warn
            appender.out.type = Console
            appender.out.name = out
            appender.out.layout.type = PatternLayout
            appender.out.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.out.ref = out
            """;

    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    for (ChildProcess p : LIVE) p.process.destroyForcibly();
                                },
                                "local-cluster-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path output;
    private final List<Path> logs;

    private ChildProcess(String name, Process process, Path output, List<Path> logs) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.logs = logs;
    }

    /**
     * Starts {@code command}; standard output and error go to {@code output} (appended).
     *
     * @param logs further files its logger writes, shown by {@link #tail}
     * @param pidFile where to append "{@code pid name}", or null
     */
    public static ChildProcess start(
            String name,
            List<String> command,
            Path workDir,
            Path output,
            List<Path> logs,
            Map<String, String> environment,
            Path pidFile) {
        try {
            Files.createDirectories(output.getParent());
            ProcessBuilder pb =
                    new ProcessBuilder(command)
                            .directory(workDir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            pb.environment().putAll(environment);
            Process p = pb.start();
            ChildProcess child = new ChildProcess(name, p, output, List.copyOf(logs));
            LIVE.add(child);
            if (pidFile != null) {
                Files.writeString(
                        pidFile,
                        p.pid() + " " + name + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return child;
        } catch (IOException e) {
            throw new ClusterException("cannot start " + name + ": " + e, e);
        }
    }

    /**
     * Kills the processes listed in {@code pidFile} that are still alive and whose command line
     * contains {@code marker} (the cluster folder): children of an earlier test JVM that was
     * killed. Deletes the file.
     */
    public static void reapStale(Path pidFile, String marker) {
        if (!Files.exists(pidFile)) return;
        try {
            for (String line : Files.readAllLines(pidFile, StandardCharsets.UTF_8)) {
                String[] parts = line.trim().split(" ", 2);
                if (parts[0].isEmpty()) continue;
                long pid = Long.parseLong(parts[0]);
                ProcessHandle.of(pid)
                        .filter(ProcessHandle::isAlive)
                        .filter(
                                h ->
                                        h.info()
                                                .commandLine()
                                                .map(c -> c.contains(marker))
                                                .orElse(false))
                        .ifPresent(
                                h -> {
                                    System.err.println(
                                            "local cluster: killing "
                                                    + line.trim()
                                                    + ", left over from an earlier run");
                                    h.destroyForcibly();
                                    h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
                                });
            }
            Files.delete(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or null while it runs. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    public Path output() {
        return output;
    }

    /** {@code kill -9}: SIGKILL, no shutdown of any kind; returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(10);
        LIVE.remove(this);
    }

    /** SIGTERM, then SIGKILL if it has not ended after {@code graceSeconds}. */
    public void stop(int graceSeconds) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        awaitExit(10);
        LIVE.remove(this);
    }

    private void awaitExit(int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new ClusterException(
                        name + " (pid " + pid() + ") did not end " + seconds + " s after the kill");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for " + name + " to end", e);
        }
    }

    /** Fails at once with the log's tail if the process has ended (for use inside waits). */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new ClusterException(
                    name
                            + " (pid "
                            + pid()
                            + ") ended with exit code "
                            + process.exitValue()
                            + "\n"
                            + tail(60));
        }
    }

    /** The last {@code lines} lines of the process's output and of each of its logs. */
    public String tail(int lines) {
        StringBuilder sb = new StringBuilder();
        List<Path> files = new ArrayList<>(logs);
        files.add(output);
        for (Path f : files) {
            sb.append("---- last lines of ").append(f).append(" (").append(name).append(")\n");
            sb.append(tailOf(f, lines));
        }
        return sb.toString();
    }

    static String tailOf(Path file, int lines) {
        if (!Files.exists(file)) return "  (no such file)\n";
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            // the last 256 KiB are plenty for the last lines, even of a large log
            long from = Math.max(0, f.length() - 256 * 1024);
            byte[] buf = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(buf);
            String[] all = new String(buf, StandardCharsets.UTF_8).split("\n", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = Math.max(0, all.length - 1 - lines); i < all.length; i++) {
                if (i == all.length - 1 && all[i].isEmpty()) break;
                sb.append("  ").append(all[i]).append('\n');
            }
            return sb.toString();
        } catch (IOException e) {
            return "  (cannot read: " + e + ")\n";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + (isAlive() ? ")" : ", ended)");
    }
}
