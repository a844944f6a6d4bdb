package com.sessionflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.PartitionClock;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplitSerializer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Split state: offsets as the connector writes them, plus the partition's clock. */
class ClockedSplitSerializerTest {

    final KafkaPartitionSplitSerializer connector = new KafkaPartitionSplitSerializer();
    final ClockedSplitSerializer serializer = new ClockedSplitSerializer(connector);
    final KafkaPartitionSplit split = new KafkaPartitionSplit(new TopicPartition("events", 1), 42);

    @Test
    void keepsOffsetsAndClock() throws Exception {
        ClockedSplit clocked = new ClockedSplit(split, new PartitionClock(1_000, 900));
        KafkaPartitionSplit read =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(clocked));
        assertThat(read).isEqualTo(split);
        assertThat(read.getStartingOffset()).isEqualTo(42);
        assertThat(((ClockedSplit) read).clock.maxEventTime).isEqualTo(1_000);
        assertThat(((ClockedSplit) read).clock.watermark).isEqualTo(900);
    }

    @Test
    void aPlainSplitGetsAnEmptyClock() throws Exception {
        KafkaPartitionSplit read =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));
        assertThat(((ClockedSplit) read).clock.hadEvents()).isFalse();
    }

    @Test
    void readsSplitsTheConnectorWroteBeforeTheClockExisted() throws Exception {
        KafkaPartitionSplit read =
                serializer.deserialize(connector.getVersion(), connector.serialize(split));
        assertThat(read).isEqualTo(split);
        assertThat(read.getStartingOffset()).isEqualTo(42);
    }
}
