package com.sessionflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.PartitionClock;
import java.lang.reflect.Modifier;
import java.util.HexFormat;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplitSerializer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * What {@link ClockKeepingKafkaSource} relies on in the Kafka connector's classes marked
 * {@code @Internal}, pinned so that a connector upgrade that changes any of it fails here, with the
 * reason, instead of in a restore: a split class it can extend, whose subclass is equal to the
 * plain split and has its id, and a split format and version that checkpoints taken with the pinned
 * connector ({@code flink.kafka.version} in the POM) still read.
 */
class ConnectorPinTest {

    /**
     * A split of partition events-1 at offset 42 with clock (1000, 900), as this job checkpoints it
     * with connector 5.0.0-2.2: the connector's version and bytes, then the clock. Taken from that
     * connector's output; a later one must still read it.
     */
    static final String CHECKPOINTED_SPLIT =
            // version 0, 28 bytes: topic, partition, offset, no stopping offset (Long.MIN_VALUE)
            "00000000"
                    + "0000001c"
                    + "00066576656e7473"
                    + "00000001"
                    + "000000000000002a"
                    + "8000000000000000"
                    // the clock: max event time, watermark
                    + "00000000000003e8"
                    + "0000000000000384";

    final KafkaPartitionSplitSerializer connector = new KafkaPartitionSplitSerializer();
    final ClockedSplitSerializer serializer = new ClockedSplitSerializer(connector);
    final KafkaPartitionSplit split = new KafkaPartitionSplit(new TopicPartition("events", 1), 42);

    @Test
    void theSplitClassCanStillBeExtendedAndItsSubclassIsTheSameSplit() {
        assertThat(Modifier.isFinal(KafkaPartitionSplit.class.getModifiers())).isFalse();
        ClockedSplit clocked = new ClockedSplit(split, new PartitionClock(1_000, 900));
        assertThat(clocked).isEqualTo(split);
        assertThat(clocked.splitId()).isEqualTo(split.splitId());
    }

    @Test
    void theConnectorsSplitVersionIsTheOnePinnedAndNeverOurs() {
        assertThat(connector.getVersion())
                .as("the connector's split format changed: check ClockedSplitSerializer")
                .isZero()
                .isNotEqualTo(ClockedSplitSerializer.VERSION);
    }

    @Test
    void aSplitCheckpointedWithThePinnedConnectorStillReads() throws Exception {
        KafkaPartitionSplit read =
                serializer.deserialize(
                        ClockedSplitSerializer.VERSION,
                        HexFormat.of().parseHex(CHECKPOINTED_SPLIT));
        assertThat(read.getTopicPartition()).isEqualTo(new TopicPartition("events", 1));
        assertThat(read.getStartingOffset()).isEqualTo(42);
        assertThat(read.getStoppingOffset()).isEmpty();
        assertThat(((ClockedSplit) read).clock.maxEventTime).isEqualTo(1_000);
        assertThat(((ClockedSplit) read).clock.watermark).isEqualTo(900);
    }

    @Test
    void theConnectorStillWritesSplitsInThePinnedFormat() throws Exception {
        assertThat(
                        HexFormat.of()
                                .formatHex(
                                        serializer.serialize(
                                                new ClockedSplit(
                                                        split, new PartitionClock(1_000, 900)))))
                .as("a changed split format: check that older checkpoints still restore")
                .isEqualTo(CHECKPOINTED_SPLIT);
    }
}
