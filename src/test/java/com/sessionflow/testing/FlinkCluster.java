package com.sessionflow.testing;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Flink MiniCluster per test class: one TaskManager with enough slots for parallelism 2, a
 * bounded restart strategy (a broken job fails the test instead of restarting forever), the REST
 * endpoint on a random port, and scratch folders under the build folder. Usable from
 * {@code @BeforeAll} (unlike flink-test-utils' MiniClusterExtension, whose context environment only
 * exists per test). Register it with {@code @RegisterExtension static final FlinkCluster FLINK =
 * new FlinkCluster();}
 */
public final class FlinkCluster implements BeforeAllCallback, AfterAllCallback {

    public static final int PARALLELISM = 2;

    private final int slots;
    private MiniCluster cluster;

    public FlinkCluster() {
        this(PARALLELISM);
    }

    /** A cluster whose one TaskManager has {@code slots} slots: jobs may run at up to that. */
    public FlinkCluster(int slots) {
        this.slots = slots;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(configuration())
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .withRandomPorts()
                                .build());
        cluster.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) cluster.closeAsync().get();
    }

    /** A fresh environment that submits to this cluster, with {@link #configuration()}. */
    public StreamExecutionEnvironment env() {
        return env(new Configuration());
    }

    /** A fresh environment with {@link #configuration()} and {@code extra} on top. */
    public StreamExecutionEnvironment env(Configuration extra) {
        Configuration conf = configuration();
        conf.addAll(extra);
        return new TestStreamEnvironment(cluster, conf, PARALLELISM, List.of(), List.of());
    }

    /** Settings of the cluster and of every test job. */
    public static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        conf.set(CoreOptions.TMP_DIRS, TestDirs.tmp().toString());
        // as on a cluster: the job refuses the JobManager's in-memory checkpoint storage
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                TestDirs.tmp().resolve("checkpoints").toUri().toString());
        conf.set(WebOptions.UPLOAD_DIR, TestDirs.tmp().resolve("flink-web-upload").toString());
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("64m"));
        return conf;
    }
}
