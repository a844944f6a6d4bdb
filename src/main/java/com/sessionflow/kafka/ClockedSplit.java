package com.sessionflow.kafka;

import com.sessionflow.event.PartitionClock;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;

/**
 * A Kafka partition's split as the job checkpoints it: its offsets and its {@link PartitionClock}.
 */
final class ClockedSplit extends KafkaPartitionSplit {

    final PartitionClock clock;

    ClockedSplit(KafkaPartitionSplit split, PartitionClock clock) {
        super(
                split.getTopicPartition(),
                split.getStartingOffset(),
                split.getStoppingOffset().orElse(NO_STOPPING_OFFSET));
        this.clock = clock;
    }

    @Override
    public String toString() {
        return super.toString() + " " + clock;
    }
}
