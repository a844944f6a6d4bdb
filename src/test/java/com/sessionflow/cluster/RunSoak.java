package com.sessionflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A soak run on the {@link LocalCluster} (what {@code bin/soak} runs; not part of the build): the
 * job at parallelism 2 on two TaskManagers, live traffic at a fixed mean rate for a chosen time
 * with 1 % hostile records ({@link Traffic#hostileEvery}), and a TaskManager killed ({@code kill
 * -9}) and replaced every few minutes. A status line every 30 s; at the end the traffic stops, the
 * sessions close and the output is checked against the reference as the fault tests do ({@link
 * FaultScenario#check}). Exit code 0 when nothing was lost, doubled or different, 1 otherwise.
 */
public final class RunSoak {

    private static final String USAGE =
            """
            Usage: bin/soak [options]
              --rate N          input records per second, on average (default 200)
              --minutes N       how long the traffic runs (default 10)
              --kill-every D    kill -9 a TaskManager and start a new one every D, e.g. 3m, 90s (default 3m; 0: never)
              --status-every D  a status line every D (default 30s)
              --hostile-every N every N-th record is hostile (default 100: 1 %)
              --seed N          the traffic's seed (default 1)
              --job-jar FILE    the shaded job jar (default: the build folder's sessionflow-*.jar)
            Logs, checkpoints: <build folder>/cluster/soak (emptied at every start).\
            """;

    private RunSoak() {}

    public static void main(String[] args) {
        double rate = 200;
        double minutes = 10;
        Duration killEvery = Duration.ofMinutes(3);
        Duration statusEvery = Duration.ofSeconds(30);
        int hostileEvery = 100;
        long seed = 1;
        Path jobJar = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rate" -> rate = Double.parseDouble(args[++i]);
                    case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                    case "--kill-every" -> killEvery = duration(args[++i]);
                    case "--status-every" -> statusEvery = duration(args[++i]);
                    case "--hostile-every" -> hostileEvery = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--job-jar" -> jobJar = Path.of(args[++i]);
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (rate <= 0 || minutes <= 0 || hostileEvery < 2 || statusEvery.isZero())
                throw new IllegalArgumentException("rate, minutes and intervals must be positive");
        } catch (RuntimeException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
        int code;
        try {
            code = run(rate, minutes, killEvery, statusEvery, hostileEvery, seed, jobJar);
        } catch (Exception | Error e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private static int run(
            double rate,
            double minutes,
            Duration killEvery,
            Duration statusEvery,
            int hostileEvery,
            long seed,
            Path jobJar)
            throws Exception {
        int owners = (int) Math.max(1, Math.round(rate / Traffic.RECORDS_PER_OWNER_PER_SECOND));
        System.out.printf(
                Locale.ROOT,
                "soak: %.0f records/s (%d owners) for %s min, 1 in %d hostile, TaskManager kill"
                        + " every %s%n",
                rate,
                owners,
                fmt(minutes),
                hostileEvery,
                killEvery.isZero() ? "never" : killEvery.toSeconds() + " s");
        LocalCluster.Builder b = LocalCluster.builder("soak");
        if (jobJar != null) b.jobJar(jobJar);
        else if (System.getProperty(LocalCluster.JOB_JAR_PROPERTY) == null)
            RunLocalCluster.defaultJobJar().ifPresent(b::jobJar);
        try (LocalCluster cluster = b.start();
                FaultScenario s = new FaultScenario(cluster, "Soak", seed, owners, hostileEvery)) {
            System.out.println("soak: web UI " + cluster.webUrl() + ", folder " + cluster.dir());
            String job = s.submit(2, null);
            Traffic traffic = s.traffic();
            traffic.start();
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            long nextStatus = start + statusEvery.toNanos();
            Status status = new Status(cluster, s, job, start);
            // the faults in a thread of their own: a replacement TaskManager takes seconds to
            // start, the status lines keep their pace meanwhile
            AtomicInteger killCount = new AtomicInteger();
            AtomicBoolean stopFaults = new AtomicBoolean();
            Thread faults =
                    new Thread(
                            () -> {
                                if (killEvery.isZero()) return;
                                long next = start + killEvery.toNanos();
                                while (!stopFaults.get()) {
                                    if (System.nanoTime() < next) {
                                        LocalCluster.sleep(100);
                                        continue;
                                    }
                                    killOne(cluster, job, killCount.incrementAndGet());
                                    next = System.nanoTime() + killEvery.toNanos();
                                }
                            },
                            "soak-faults");
            faults.setDaemon(true);
            faults.start();
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextStatus) {
                    status.print(killCount.get());
                    while (nextStatus <= System.nanoTime()) nextStatus += statusEvery.toNanos();
                } else {
                    LocalCluster.sleep(Math.max(50, (Math.min(nextStatus, end) - now) / 1_000_000));
                }
            }
            stopFaults.set(true);
            // a kill under way ends with its replacement TaskManager registered
            faults.join(Duration.ofMinutes(3).toMillis());
            int kills = killCount.get();
            status.print(kills);
            long restarts = status.restarts();
            System.out.println(
                    "soak: traffic stopped; waiting for the sessions to close and checking");
            FaultScenario.Report r = s.check(Duration.ofMinutes(3));
            status.print(kills);
            restarts = Math.max(restarts, status.restarts());
            String jobState = safe(() -> cluster.rest().jobState(job));
            System.out.println();
            System.out.println("SOAK SUMMARY");
            line("duration", fmt(minutes) + " min at " + fmt(rate) + " records/s target");
            line(
                    "input records",
                    traffic.recordsSent()
                            + String.format(
                                    Locale.ROOT,
                                    " (%.1f/s; %d events incl. duplicates, %d hostile)",
                                    traffic.recordsSent() / (minutes * 60),
                                    r.events(),
                                    r.hostileSent()));
            line(
                    "committed sessions",
                    r.committedSessions() + " (reference: " + r.expectedSessions() + ")");
            line("lost", r.missingSessions() + " sessions, " + r.lostEvents() + " events");
            line(
                    "duplicated",
                    r.unexpectedSessions()
                            + " sessions, "
                            + r.doubledEvents()
                            + " events, "
                            + r.conflictingRevisions()
                            + " conflicting revisions");
            line("different", r.differingSessions() + " sessions");
            line(
                    "dead letters",
                    r.deadLetters()
                            + " for "
                            + r.hostileSent()
                            + " hostile records ("
                            + r.hostileWithoutDeadLetter()
                            + " missing, "
                            + r.deadLettersNotHostile()
                            + " unexpected, "
                            + r.doubledDeadLetters()
                            + " doubled) "
                            + r.deadLettersByReason());
            line("late events", String.valueOf(r.lateEvents()));
            line("TaskManager kills", String.valueOf(kills));
            line("job restarts", restarts + " (numRestarts; job " + jobState + ")");
            line(
                    "matched reference",
                    r.matchSeconds() < 0
                            ? "no"
                            : String.format(
                                    Locale.ROOT,
                                    "%.1f s after the traffic stopped",
                                    r.matchSeconds()));
            boolean ok = r.clean() && "RUNNING".equals(jobState);
            if (!r.differences().isEmpty())
                System.out.println("differences (reference vs topic):\n" + r.differences());
            System.out.println("SOAK " + (ok ? "PASSED" : "FAILED"));
            return ok ? 0 : 1;
        }
    }

    /** Kills the TaskManager that runs the sessionizer (else any) and starts a replacement. */
    private static void killOne(LocalCluster cluster, String job, int n) {
        try {
            Set<String> running = cluster.rest().taskManagersRunning(job, "sessionize");
            List<String> ids = new ArrayList<>(running);
            ids.retainAll(cluster.taskManagers().keySet());
            String victim =
                    ids.isEmpty() ? cluster.taskManagers().keySet().iterator().next() : ids.get(0);
            long pid = cluster.taskManagers().get(victim).pid();
            cluster.killTaskManager(victim);
            System.out.printf("soak: kill #%d: kill -9 %d (TaskManager %s)%n", n, pid, victim);
            String replacement = cluster.startTaskManager();
            System.out.printf("soak: started TaskManager %s%n", replacement);
        } catch (RuntimeException e) {
            System.out.println("soak: kill #" + n + " failed: " + e.getMessage());
        }
    }

    /** The status line. */
    private static final class Status {
        private final LocalCluster cluster;
        private final FaultScenario scenario;
        private final String job;
        private final long start;
        private long restarts;
        private long lastRecords;
        private long lastAt;

        Status(LocalCluster cluster, FaultScenario scenario, String job, long start) {
            this.cluster = cluster;
            this.scenario = scenario;
            this.job = job;
            this.start = start;
            this.lastAt = start;
        }

        long restarts() {
            return restarts;
        }

        void print(int kills) {
            long now = System.nanoTime();
            long records = scenario.traffic().recordsSent();
            double rate = (records - lastRecords) / Math.max(1e-9, (now - lastAt) / 1e9);
            lastRecords = records;
            lastAt = now;
            String state = safe(() -> cluster.rest().jobState(job));
            try {
                restarts = Math.max(restarts, cluster.rest().numRestarts(job));
            } catch (RuntimeException e) {
                // the JobManager is busy: keep the last value
            }
            String checkpoint =
                    safe(
                            () -> {
                                Optional<JsonNode> c =
                                        cluster.rest().latestCompletedCheckpointStats(job);
                                if (c.isEmpty()) return "none";
                                JsonNode n = c.get();
                                return "#"
                                        + n.path("id").asLong()
                                        + " "
                                        + kib(n.path("state_size").asLong())
                                        + " (incr. "
                                        + kib(n.path("checkpointed_size").asLong())
                                        + ")";
                            });
            long elapsed = (now - start) / 1_000_000_000L;
            System.out.printf(
                    Locale.ROOT,
                    "[%3d:%02d] input=%d (%.0f/s) sessions=%d (records %d) restarts=%d"
                            + " checkpoint=%s lag=%d job=%s kills=%d%n",
                    elapsed / 60,
                    elapsed % 60,
                    records,
                    rate,
                    scenario.watcher().sessions(),
                    scenario.watcher().records(),
                    restarts,
                    checkpoint,
                    scenario.consumerLag(),
                    state,
                    kills);
        }
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    private static void line(String what, String value) {
        System.out.printf("  %-20s %s%n", what, value);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** "3m", "90s", "1h", "500ms", "0"; a plain number is seconds. */
    static Duration duration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) return Duration.ZERO;
        if (t.endsWith("ms"))
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        char unit = t.charAt(t.length() - 1);
        if (Character.isDigit(unit)) return Duration.ofSeconds(Long.parseLong(t));
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("not a duration: " + s);
        };
    }

    private interface Text {
        String get() throws Exception;
    }

    private static String safe(Text t) {
        try {
            return t.get();
        } catch (Exception e) {
            return "?";
        }
    }
}
