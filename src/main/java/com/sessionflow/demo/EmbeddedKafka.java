package com.sessionflow.demo;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, for the
 * demo and the tests. Not for production: one node, replication factor 1, data in a temp folder.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final String FIXED_LISTENER = "FIXED";

    private final KafkaClusterTestKit cluster;

    /** The fixed-port listener's address, or null when clients use the test kit's own listener. */
    private final String fixedBootstrap;

    private EmbeddedKafka(KafkaClusterTestKit cluster, String fixedBootstrap) {
        this.cluster = cluster;
        this.fixedBootstrap = fixedBootstrap;
    }

    /**
     * Starts a broker.
     *
     * @param port the port clients connect to on 127.0.0.1, or 0 for any free port
     */
    public static EmbeddedKafka start(int port) throws Exception {
        Path dir = Files.createTempDirectory("sessionflow-kafka");
        TestKitNodes.Builder nodeBuilder =
                new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(dir);
        if (port != 0) {
            // The test kit binds its own listeners to pre-allocated random ports, whatever port the
            // config names; an extra listener of another name binds the port asked for.
            nodeBuilder.setPerServerProperties(
                    Map.of(
                            0,
                            Map.of(
                                    "listeners",
                                            "EXTERNAL://localhost:0,CONTROLLER://localhost:0,"
                                                    + FIXED_LISTENER
                                                    + "://"
                                                    + HOST
                                                    + ":"
                                                    + port,
                                    "listener.security.protocol.map",
                                            "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,"
                                                    + FIXED_LISTENER
                                                    + ":PLAINTEXT")));
        }
        TestKitNodes nodes = nodeBuilder.build();
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        // events are often old (replays, tests): never delete records for their
                        // timestamps
                        .setConfigProp("log.retention.ms", "-1")
                        .setConfigProp("auto.create.topics.enable", "false")
                        .setDeleteOnClose(true)
                        .build();
        try {
            PrintStream stdout = System.out;
            // the test kit's storage formatter reports to stdout, which is the demo's output
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster, port == 0 ? null : HOST + ":" + port);
    }

    public String bootstrapServers() {
        return fixedBootstrap != null ? fixedBootstrap : cluster.bootstrapServers();
    }

    /** Properties a client needs to reach this broker. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        return p;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
