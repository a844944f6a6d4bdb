package com.sessionflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.sessionflow.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A real Flink standalone session cluster and a Kafka broker on 127.0.0.1, each in a {@code java}
 * process of its own, as in production but without flink-dist: one JobManager ({@code
 * StandaloneSessionClusterEntrypoint}), TaskManagers ({@code TaskManagerRunner}) and one KRaft
 * broker, run on the jars of Maven's test classpath.
 *
 * <p>The Flink configuration is the repository's {@code flink-conf/config.yaml} with only
 * addresses, ports and folders changed (all under {@code <build folder>/cluster/<name>}), short
 * heartbeats, a bounded restart strategy and test-sized memory; see {@link #overrides}. Logs go to
 * {@code <build folder>/cluster/<name>/log}.
 *
 * <p>Jobs are submitted as a user would: the shaded job jar ({@code sessionflow.job.jar}, set by
 * Failsafe) uploaded and run through the REST API. Faults: {@link #killTaskManager}, {@link
 * #startTaskManager}, {@link KafkaBrokerProcess#kill()} and {@link KafkaBrokerProcess#restart()}.
 *
 * <p>{@link #close()} kills every process; a JVM shutdown hook does too ({@link ChildProcess}).
 */
public final class LocalCluster implements AutoCloseable {

    /** The job's entry point in the job jar. */
    public static final String JOB_ENTRY_CLASS = "com.sessionflow.job.SessionJob";

    public static final String JOB_JAR_PROPERTY = "sessionflow.job.jar";

    private static final String HOST = "127.0.0.1";
    private static final Duration JOB_MANAGER_START = Duration.ofSeconds(90);
    private static final Duration TASK_MANAGER_START = Duration.ofSeconds(90);
    private static final Duration JOB_START = Duration.ofSeconds(90);
    private static final Duration JOB_END = Duration.ofSeconds(90);

    private final Builder settings;
    private final Path dir;
    private final Path confDir;
    private final Path logDir;
    private final Path pidFile;
    private final List<String> flinkClasspath;
    private final Map<String, String> environment;
    private final int rpcPort;
    private final int restPort;
    private final FlinkRest rest;
    private final KafkaBrokerProcess broker;
    private final ZooKeeperProcess zooKeeper;
    private final Map<String, ChildProcess> taskManagers = new LinkedHashMap<>();
    private volatile ChildProcess jobManager;
    private List<String> jobManagerJvm;
    private List<String> taskManagerJvm;
    private List<String> jobManagerArgs;
    private List<String> taskManagerArgs;
    private int taskManagerCount;
    private int jobManagerStarts;
    private int defaultParallelism = 1;
    private String jarId;
    private boolean closed;

    private LocalCluster(Builder b) {
        this.settings = b;
        Path build = b.buildDir != null ? b.buildDir : buildDir();
        this.dir =
                (b.dir != null ? b.dir : build.resolve("cluster").resolve(b.name)).toAbsolutePath();
        this.confDir = dir.resolve("conf");
        this.logDir = dir.resolve("log");
        this.pidFile = dir.resolve("pids.txt");
        ChildProcess.reapStale(pidFile, dir.toString());
        deleteRecursively(dir);
        mkdirs(dir, logDir, confDir);
        this.flinkClasspath = Classpaths.flinkJars(build);
        this.environment = Map.of("FLINK_CONF_DIR", confDir.toString());
        this.rpcPort = FreePorts.next();
        this.restPort = b.restPort != 0 ? b.restPort : FreePorts.next();
        this.rest = new FlinkRest("http://" + HOST + ":" + restPort);
        this.broker =
                b.kafka
                        ? new KafkaBrokerProcess(
                                dir.resolve("kafka"),
                                Classpaths.kafkaJars(build),
                                b.kafkaPort != 0 ? b.kafkaPort : FreePorts.next(),
                                FreePorts.next(),
                                pidFile)
                        : null;
        this.zooKeeper =
                b.zooKeeperHa
                        ? new ZooKeeperProcess(
                                dir.resolve("zookeeper"), flinkClasspath, FreePorts.next(), pidFile)
                        : null;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** How to start a cluster; {@link #start()} starts it. */
    public static final class Builder {
        private final String name;
        private int taskManagers = 2;
        private boolean kafka = true;
        private int kafkaPort;
        private int restPort;
        private Path dir;
        private Path buildDir;
        private Path flinkConf;
        private Path jobJar;
        private boolean zooKeeperHa;
        private Duration zooKeeperSessionTimeout = Duration.ofSeconds(8);
        private final Map<String, String> config = new LinkedHashMap<>();

        private Builder(String name) {
            if (!name.matches("[A-Za-z0-9._-]+"))
                throw new IllegalArgumentException("a cluster name is a folder name: " + name);
            this.name = name;
        }

        public Builder taskManagers(int n) {
            this.taskManagers = n;
            return this;
        }

        /** Whether to start a Kafka broker too (default true). */
        public Builder kafka(boolean kafka) {
            this.kafka = kafka;
            return this;
        }

        /** The broker's port on 127.0.0.1 (default: a free port). */
        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        /** The REST and web UI port on 127.0.0.1 (default: a free port). */
        public Builder restPort(int port) {
            this.restPort = port;
            return this;
        }

        /**
         * The cluster's folder (default {@code <build folder>/cluster/<name>}); emptied at start.
         */
        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        /** The folder of the Flink configuration to start from (default: {@code flink-conf}). */
        public Builder flinkConf(Path dir) {
            this.flinkConf = dir;
            return this;
        }

        /** The shaded job jar (default: the system property {@value #JOB_JAR_PROPERTY}). */
        public Builder jobJar(Path jar) {
            this.jobJar = jar;
            return this;
        }

        /**
         * JobManager high availability with ZooKeeper: starts a ZooKeeper server too (one more
         * process, see {@link ZooKeeperProcess}) and sets {@code high-availability.type:
         * zookeeper}, its quorum, a {@code high-availability.storageDir} under the cluster folder
         * and {@code high-availability.cluster-id} (see {@link #overrides}). A killed JobManager
         * can then be replaced ({@link #startJobManager()}) and recovers the running jobs from
         * their latest checkpoints.
         */
        public Builder zooKeeperHa() {
            this.zooKeeperHa = true;
            return this;
        }

        /**
         * The JobManager's ZooKeeper session timeout with {@link #zooKeeperHa()} (default 8 s;
         * Flink's default is 60 s): a killed JobManager's leadership ends only when its session
         * expires, so this bounds how long a replacement waits before it takes over. ZooKeeper
         * allows 2 to 20 ticks of {@value ZooKeeperProcess#TICK_MS} ms.
         */
        public Builder zooKeeperSessionTimeout(Duration timeout) {
            this.zooKeeperSessionTimeout = timeout;
            return this;
        }

        /** One more Flink setting, on top of {@code config.yaml} and the cluster's overrides. */
        public Builder config(String key, String value) {
            config.put(key, value);
            return this;
        }

        public LocalCluster start() {
            LocalCluster c = new LocalCluster(this);
            try {
                c.startAll();
                return c;
            } catch (RuntimeException | Error e) {
                try {
                    c.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private void startAll() {
        long t0 = System.nanoTime();
        writeFlinkConfig();
        CompletableFuture<Void> kafka =
                broker == null
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.runAsync(broker::start);
        CompletableFuture<Void> zk =
                zooKeeper == null
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.runAsync(zooKeeper::start);
        CompletableFuture<List<String>> jm =
                CompletableFuture.supplyAsync(() -> bashJavaUtils("GET_JM_RESOURCE_PARAMS"));
        List<String> tm = bashJavaUtils("GET_TM_RESOURCE_PARAMS");
        taskManagerJvm = split(tm.get(0));
        taskManagerArgs = split(tm.get(1));
        List<String> jmParams = join(jm);
        jobManagerJvm = split(jmParams.get(0));
        jobManagerArgs = jmParams.size() > 1 ? split(jmParams.get(1)) : List.of();
        // the JobManager finds its leadership and the TaskManagers their JobManager in ZooKeeper
        join(zk);
        launchJobManager();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < settings.taskManagers; i++) ids.add(launchTaskManager());
        awaitJobManager();
        for (String id : ids) awaitTaskManager(id);
        join(kafka);
        System.out.printf(
                "local cluster %s: up in %.1f s (%s)%n",
                settings.name, (System.nanoTime() - t0) / 1e9, describe());
    }

    // ---------------------------------------------------------------- configuration

    /**
     * What the test cluster changes in {@code config.yaml}: addresses, ports and folders, short
     * heartbeats (a dead TaskManager is noticed in seconds), a bounded restart strategy (a broken
     * job fails instead of restarting for ever) and test-sized memory (the file sizes a TaskManager
     * for a whole machine).
     */
    Map<String, String> overrides() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("jobmanager.rpc.address", HOST);
        o.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        o.put("jobmanager.bind-host", HOST);
        o.put("taskmanager.bind-host", HOST);
        o.put("taskmanager.host", HOST);
        o.put("rest.address", HOST);
        o.put("rest.bind-address", HOST);
        o.put("rest.port", String.valueOf(restPort));
        o.put("blob.server.port", String.valueOf(FreePorts.next()));
        o.put("metrics.reporter.prom.port", prometheusPorts(10));
        o.put("io.tmp.dirs", mkdirs(dir.resolve("tmp")).toString());
        o.put("web.tmpdir", mkdirs(dir.resolve("web")).toString());
        o.put("web.upload.dir", mkdirs(dir.resolve("upload")).toString());
        o.put("blob.storage.directory", mkdirs(dir.resolve("blob")).toString());
        o.put("execution.checkpointing.dir", "file://" + checkpointsDir());
        o.put("execution.checkpointing.savepoint-dir", "file://" + savepointsDir());
        o.put("heartbeat.interval", "1 s");
        o.put("heartbeat.timeout", "5 s");
        o.put("restart-strategy.type", "fixed-delay");
        o.put("restart-strategy.fixed-delay.attempts", "20");
        o.put("restart-strategy.fixed-delay.delay", "1 s");
        o.put("jobmanager.memory.process.size", "1024m");
        o.put("taskmanager.memory.process.size", "1536m");
        if (zooKeeper != null) {
            // with ZooKeeper HA the JobManager's RPC port is high-availability.jobmanager.port
            // (default 0: any free port; jobmanager.rpc.port is ignored). The TaskManagers and the
            // REST endpoint look the leader's address up in ZooKeeper, so a replacement JobManager
            // may use another one. rest.port and blob.server.port above stay fixed: a restarted
            // JobManager reads the same config.yaml, and clients (this test, the web UI, flink
            // run) know the REST address only from it.
            o.put("high-availability.type", "zookeeper");
            o.put("high-availability.zookeeper.quorum", zooKeeper.quorum());
            o.put("high-availability.storageDir", "file://" + haStorageDir());
            o.put("high-availability.cluster-id", "/" + settings.name);
            o.put(
                    "high-availability.zookeeper.client.session-timeout",
                    settings.zooKeeperSessionTimeout.toMillis() + " ms");
        }
        o.putAll(settings.config);
        return o;
    }

    private void writeFlinkConfig() {
        Path source = settings.flinkConf != null ? settings.flinkConf : flinkConfDir();
        Configuration conf = GlobalConfiguration.loadConfiguration(source.toString());
        if (!conf.containsKey("execution.checkpointing.externalized-checkpoint-retention")) {
            // cancel-and-resume needs the last checkpoint kept on cancellation
            conf.setString(
                    "execution.checkpointing.externalized-checkpoint-retention",
                    "RETAIN_ON_CANCELLATION");
        }
        Map<String, String> overrides = overrides();
        overrides.forEach(conf::setString);
        defaultParallelism = Integer.parseInt(conf.getString("parallelism.default", "1"));
        mkdirs(checkpointsDir(), savepointsDir());
        if (zooKeeper != null) mkdirs(haStorageDir());
        try {
            Files.write(
                    confDir.resolve("config.yaml"),
                    ConfigurationUtils.convertConfigToWritableLines(conf, false),
                    StandardCharsets.UTF_8);
            try (Stream<Path> files = Files.list(source)) {
                for (Path f :
                        files.filter(f -> f.getFileName().toString().startsWith("log4j")).toList())
                    Files.copy(f, confDir.resolve(f.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // what Flink reads back must be what was meant
        Configuration check = GlobalConfiguration.loadConfiguration(confDir.toString());
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey();
            String read = check.getString(key, null);
            if (!e.getValue().equals(read))
                throw new ClusterException(
                        "config.yaml written to " + confDir + " reads " + key + "=" + read);
        }
    }

    private List<String> jvmOptions(String role) {
        Configuration conf = GlobalConfiguration.loadConfiguration(confDir.toString());
        List<String> opts = new ArrayList<>();
        for (String key :
                List.of(
                        "env.java.default-opts.all",
                        "env.java.default-opts." + role,
                        "env.java.opts.all",
                        "env.java.opts." + role)) {
            opts.addAll(split(conf.getString(key, "")));
        }
        if (opts.stream().noneMatch(o -> o.startsWith("--add-opens")))
            opts.addAll(Classpaths.moduleFlags());
        return opts;
    }

    private List<String> bashJavaUtils(String command) {
        Path out =
                logDir.resolve(
                        "bash-java-utils-"
                                + command.toLowerCase(Locale.ROOT).replace('_', '-')
                                + ".out");
        List<String> cmd = new ArrayList<>();
        cmd.add(KafkaBrokerProcess.javaBin());
        cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j-console.properties").toUri());
        cmd.add("-Dlog.file=" + logDir.resolve("bash-java-utils.log"));
        cmd.addAll(List.of("-cp", Classpaths.join(flinkClasspath)));
        cmd.addAll(
                List.of(
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        command,
                        "--configDir",
                        confDir.toString()));
        ChildProcess p =
                ChildProcess.start(
                        "BashJavaUtils " + command, cmd, dir, out, List.of(), environment, null);
        Deadline.await(
                "BashJavaUtils " + command,
                Duration.ofSeconds(60),
                Duration.ofMillis(100),
                () -> !p.isAlive(),
                () -> p.tail(40));
        try {
            List<String> results = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                    results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
            }
            if (p.exitCode() != 0 || results.size() < 2)
                throw new ClusterException(
                        "BashJavaUtils "
                                + command
                                + " ended with "
                                + p.exitCode()
                                + " and "
                                + results.size()
                                + " result lines\n"
                                + p.tail(60));
            // the last two lines: JVM flags, then dynamic configuration
            return results.subList(results.size() - 2, results.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- processes

    private List<String> flinkCommand(
            String role, String logName, List<String> jvm, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(KafkaBrokerProcess.javaBin());
        cmd.addAll(jvm);
        cmd.addAll(jvmOptions(role));
        cmd.add("-Djava.io.tmpdir=" + mkdirs(dir.resolve("tmp")));
        cmd.add("-Dlog.file=" + logDir.resolve(logName + ".log"));
        cmd.add("-Dlog4j.configuration=" + confDir.resolve("log4j.properties").toUri());
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        cmd.add("-Dlogback.configurationFile=" + confDir.resolve("logback.xml").toUri());
        cmd.addAll(List.of("-cp", Classpaths.join(flinkClasspath)));
        cmd.add(mainClass);
        cmd.addAll(List.of("--configDir", confDir.toString()));
        cmd.addAll(args);
        return cmd;
    }

    private synchronized void launchJobManager() {
        if (jobManager != null && jobManager.isAlive())
            throw new IllegalStateException("the JobManager runs already: " + jobManager);
        String name = ++jobManagerStarts == 1 ? "jobmanager" : "jobmanager-" + jobManagerStarts;
        jobManager =
                ChildProcess.start(
                        name,
                        flinkCommand(
                                "jobmanager",
                                name,
                                jobManagerJvm,
                                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                                jobManagerArgs),
                        dir,
                        logDir.resolve(name + ".out"),
                        List.of(logDir.resolve(name + ".log")),
                        environment,
                        pidFile);
    }

    /**
     * {@code kill -9} of the JobManager; returns once the process is gone. Without {@link
     * Builder#zooKeeperHa()} its jobs are lost with it.
     */
    public synchronized void killJobManager() {
        if (jobManager == null || !jobManager.isAlive())
            throw new IllegalStateException("no running JobManager");
        jobManager.kill();
    }

    /**
     * Starts a new JobManager process on the same configuration (after {@link #killJobManager()})
     * and waits until its REST endpoint answers. With {@link Builder#zooKeeperHa()} it takes over
     * leadership once the killed one's ZooKeeper session has expired and recovers the jobs; wait
     * for them with {@link #awaitJobRunning}.
     */
    public void startJobManager() {
        launchJobManager();
        awaitJobManager();
    }

    private void awaitJobManager() {
        Deadline.await(
                "the JobManager's REST endpoint " + rest.baseUrl(),
                JOB_MANAGER_START,
                Duration.ofMillis(250),
                () -> {
                    jobManager.checkAlive();
                    rest.overview();
                    return true;
                },
                () -> jobManager.tail(60));
    }

    /** Starts one more TaskManager and waits until it has registered; returns its resource id. */
    public synchronized String startTaskManager() {
        String id = launchTaskManager();
        awaitTaskManager(id);
        return id;
    }

    private synchronized String launchTaskManager() {
        String id = "tm-" + ++taskManagerCount;
        List<String> args = new ArrayList<>(taskManagerArgs);
        args.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        ChildProcess p =
                ChildProcess.start(
                        "taskmanager " + id,
                        flinkCommand(
                                "taskmanager",
                                "taskmanager-" + id,
                                taskManagerJvm,
                                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                                args),
                        dir,
                        logDir.resolve("taskmanager-" + id + ".out"),
                        List.of(logDir.resolve("taskmanager-" + id + ".log")),
                        environment,
                        pidFile);
        taskManagers.put(id, p);
        return id;
    }

    private void awaitTaskManager(String id) {
        ChildProcess p = taskManagers.get(id);
        Deadline.await(
                "TaskManager " + id + " to register with the JobManager",
                TASK_MANAGER_START,
                Duration.ofMillis(250),
                () -> {
                    p.checkAlive();
                    return rest.taskManagerIds().contains(id);
                },
                () -> p.tail(60) + jobManager.tail(20));
    }

    /** {@code kill -9} of a TaskManager; returns once the process is gone. */
    public synchronized void killTaskManager(String id) {
        ChildProcess p = taskManagers.remove(id);
        if (p == null)
            throw new IllegalArgumentException(
                    "no running TaskManager " + id + " (" + taskManagers.keySet() + ")");
        p.kill();
    }

    /** Waits until the JobManager no longer lists a (killed) TaskManager. */
    public void awaitTaskManagerGone(String id, Duration timeout) {
        Deadline.await(
                "the JobManager to notice that TaskManager " + id + " is gone",
                timeout,
                Duration.ofMillis(200),
                () -> !rest.taskManagerIds().contains(id),
                () -> jobManager.tail(30));
    }

    /** The running TaskManagers by resource id. */
    public synchronized Map<String, ChildProcess> taskManagers() {
        return new LinkedHashMap<>(taskManagers);
    }

    public synchronized ChildProcess jobManager() {
        return jobManager;
    }

    /** The ZooKeeper server; throws if the cluster was started without {@code zooKeeperHa()}. */
    public ZooKeeperProcess zooKeeper() {
        if (zooKeeper == null)
            throw new IllegalStateException("this cluster has no ZooKeeper (zooKeeperHa())");
        return zooKeeper;
    }

    /** Where the JobManager keeps job graphs, jars and checkpoint pointers with HA. */
    public Path haStorageDir() {
        return dir.resolve("ha");
    }

    /** The broker; throws if the cluster was started without one. */
    public KafkaBrokerProcess broker() {
        if (broker == null) throw new IllegalStateException("this cluster has no Kafka broker");
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    public FlinkRest rest() {
        return rest;
    }

    public String webUrl() {
        return rest.baseUrl();
    }

    public Path dir() {
        return dir;
    }

    public Path logDir() {
        return logDir;
    }

    public Path checkpointsDir() {
        return dir.resolve("checkpoints");
    }

    public Path savepointsDir() {
        return dir.resolve("savepoints");
    }

    // ---------------------------------------------------------------- jobs

    /** The job jar: {@link Builder#jobJar}, else the system property {@value #JOB_JAR_PROPERTY}. */
    public Path jobJar() {
        if (settings.jobJar != null) return settings.jobJar;
        String p = System.getProperty(JOB_JAR_PROPERTY);
        if (p == null || p.isBlank())
            throw new ClusterException(
                    "no job jar: set -D"
                            + JOB_JAR_PROPERTY
                            + "=<shaded jar> (Failsafe sets it; build it with mvn package)");
        Path jar = Path.of(p);
        if (!Files.isRegularFile(jar))
            throw new ClusterException(
                    "the job jar "
                            + jar
                            + " does not exist: build it first (mvn -DskipTests package)");
        return jar;
    }

    /** Uploads the job jar once; returns its id on the cluster. */
    public synchronized String uploadJobJar() {
        if (jarId == null) jarId = rest.uploadJar(jobJar());
        return jarId;
    }

    /**
     * Runs the job (the jar's {@value #JOB_ENTRY_CLASS}) and waits until all of its tasks run.
     *
     * @param parallelism the run's parallelism, or null for the cluster's {@code
     *     parallelism.default} (a REST run without one would run at 1)
     * @param savepointPath a savepoint or retained checkpoint to start from, or null
     * @return the job id
     */
    public String submitJob(List<String> programArgs, Integer parallelism, String savepointPath) {
        String jar = uploadJobJar();
        String jobId;
        try {
            jobId =
                    rest.runJar(
                            jar,
                            new FlinkRest.RunRequest(
                                    JOB_ENTRY_CLASS,
                                    programArgs,
                                    parallelism != null ? parallelism : defaultParallelism,
                                    savepointPath));
        } catch (RuntimeException e) {
            throw new ClusterException(
                    "the job did not start: " + e.getMessage() + "\n" + jobManager.tail(40), e);
        }
        awaitJobRunning(jobId, JOB_START);
        return jobId;
    }

    /** Waits until the job is RUNNING with every vertex RUNNING (all tasks deployed). */
    public void awaitJobRunning(String jobId, Duration timeout) {
        Deadline.await(
                "job " + jobId + " to run with all of its tasks",
                timeout,
                Duration.ofMillis(250),
                () -> {
                    jobManager.checkAlive();
                    JsonNode job = rest.job(jobId);
                    String state = job.path("state").asText();
                    if (List.of("FAILED", "CANCELED", "FINISHED").contains(state))
                        throw new ClusterException(
                                "job "
                                        + jobId
                                        + " is "
                                        + state
                                        + "\n"
                                        + rest.exceptions(jobId)
                                        + jobManager.tail(40));
                    if (!"RUNNING".equals(state)) return false;
                    for (JsonNode v : job.path("vertices"))
                        if (!"RUNNING".equals(v.path("status").asText())) return false;
                    return true;
                },
                () ->
                        "job state: "
                                + safe(() -> rest.jobState(jobId))
                                + "\n"
                                + safe(() -> rest.exceptions(jobId))
                                + jobManager.tail(40));
    }

    /** Waits until the job has reached {@code state} (FINISHED, CANCELED, ...). */
    public void awaitJobState(String jobId, String state, Duration timeout) {
        Deadline.await(
                "job " + jobId + " to be " + state,
                timeout,
                Duration.ofMillis(200),
                () -> state.equals(rest.jobState(jobId)),
                () ->
                        "job state: "
                                + safe(() -> rest.jobState(jobId))
                                + "\n"
                                + jobManager.tail(40));
    }

    /** Stop with a savepoint (no drain: open sessions stay in the savepoint); returns its path. */
    public String stopWithSavepoint(String jobId) {
        String path = rest.stopWithSavepoint(jobId, "file://" + savepointsDir(), JOB_END);
        awaitJobState(jobId, "FINISHED", JOB_END);
        return path;
    }

    /** Cancels the job and waits until it is CANCELED. */
    public void cancelJob(String jobId) {
        rest.cancel(jobId);
        awaitJobState(jobId, "CANCELED", JOB_END);
    }

    /** The job's latest completed checkpoint, if any. */
    public Optional<String> latestCheckpoint(String jobId) {
        return rest.latestCompletedCheckpoint(jobId);
    }

    /** Waits until the job has completed {@code count} more checkpoints than it has now. */
    public void awaitCheckpoints(String jobId, int count, Duration timeout) {
        long target = rest.completedCheckpoints(jobId) + count;
        Deadline.await(
                count + " more completed checkpoint(s) of job " + jobId,
                timeout,
                Duration.ofMillis(200),
                () -> rest.completedCheckpoints(jobId) >= target,
                () -> safe(() -> rest.exceptions(jobId)) + jobManager.tail(30));
    }

    // ---------------------------------------------------------------- reporting, closing

    /** Where every process runs: "kafka pid 1 on 127.0.0.1:9092, jobmanager pid 2 ...". */
    public synchronized String describe() {
        List<String> parts = new ArrayList<>();
        if (broker != null && broker.isRunning())
            parts.add("kafka " + broker.bootstrapServers() + " pid " + broker.pid());
        if (zooKeeper != null && zooKeeper.isRunning())
            parts.add("zookeeper " + zooKeeper.quorum() + " pid " + zooKeeper.process().pid());
        if (jobManager != null)
            parts.add("jobmanager " + rest.baseUrl() + " pid " + jobManager.pid());
        taskManagers.forEach((id, p) -> parts.add(id + " pid " + p.pid()));
        return String.join(", ", parts);
    }

    /** The tails of every process's log, for a failure message. */
    public synchronized String diagnostics(int lines) {
        StringBuilder sb = new StringBuilder();
        if (jobManager != null) sb.append(jobManager.tail(lines));
        for (ChildProcess p : taskManagers.values()) sb.append(p.tail(lines));
        if (broker != null && broker.isRunning()) sb.append(broker.process().tail(lines));
        if (zooKeeper != null && zooKeeper.isRunning()) sb.append(zooKeeper.process().tail(lines));
        return sb.toString();
    }

    /** Kills every process of the cluster (also after a failure); never throws for one of them. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        List<Runnable> kills = new ArrayList<>();
        for (ChildProcess p : taskManagers.values()) kills.add(p::kill);
        if (jobManager != null) kills.add(jobManager::kill);
        if (broker != null) kills.add(broker::close);
        if (zooKeeper != null) kills.add(zooKeeper::close);
        for (Runnable k : kills) {
            try {
                k.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        taskManagers.clear();
        if (first != null) throw first;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The build folder: where this class was compiled to ({@code <build>/test-classes}), up one.
     */
    static Path buildDir() {
        try {
            Path classes =
                    Path.of(
                            LocalCluster.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            return classes.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The repository's {@code flink-conf}: next to the build folder, or in the working directory.
     */
    static Path flinkConfDir() {
        for (Path base : List.of(buildDir().getParent(), Path.of("").toAbsolutePath())) {
            Path conf = base.resolve("flink-conf");
            if (Files.isRegularFile(conf.resolve("config.yaml"))) return conf;
        }
        throw new ClusterException("cannot find flink-conf/config.yaml next to " + buildDir());
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw e;
        }
    }

    private static List<String> split(String s) {
        if (s == null || s.isBlank()) return List.of();
        return Arrays.stream(s.trim().split("\\s+")).toList();
    }

    private interface Text {
        String get() throws Exception;
    }

    private static String safe(Text t) {
        try {
            return t.get();
        } catch (Exception e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path... dirs) {
        for (Path d : dirs) mkdirs(d);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }

    /** A range "a-b" for the Prometheus reporter, which takes one port of it per process. */
    private static String prometheusPorts(int n) {
        int start = FreePorts.range(n);
        return start + "-" + (start + n - 1);
    }

    static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted", e);
        }
    }
}
