package com.sessionflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.testing.FreePorts;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaITCase {

    @Test
    void aFixedPortServesClients() throws Exception {
        int port = FreePorts.next();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(nodesAfterCreatingATopic(kafka))
                    .extracting(Node::port)
                    .containsExactly(port);
        }
    }

    @Test
    void portZeroTakesAFreePort() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            assertThat(nodesAfterCreatingATopic(kafka)).hasSize(1);
        }
    }

    private static List<Node> nodesAfterCreatingATopic(EmbeddedKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(List.of(new NewTopic("events", 3, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            // createTopics completes when the controller has the topic; the broker that answers
            // listTopics learns of it a moment later (seen in CI: an empty list right after)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("events")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("events");
            return List.copyOf(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
        }
    }
}
