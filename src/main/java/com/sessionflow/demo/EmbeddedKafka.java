package com.sessionflow.demo;

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

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts a broker.
     *
     * @param port the port clients connect to on 127.0.0.1, or 0 for any free port
     */
    public static EmbeddedKafka start(int port) throws Exception {
        Path dir = Files.createTempDirectory("sessionflow-kafka");
        TestKitNodes.Builder nodeBuilder = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dir);
        if (port != 0) {
            nodeBuilder.setPerServerProperties(Map.of(0, Map.of(
                    "listeners", "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:0")));
        }
        TestKitNodes nodes = nodeBuilder.build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // events are often old (replays, tests): never delete records for their timestamps
                .setConfigProp("log.retention.ms", "-1")
                .setConfigProp("auto.create.topics.enable", "false")
                .setDeleteOnClose(true)
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
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
