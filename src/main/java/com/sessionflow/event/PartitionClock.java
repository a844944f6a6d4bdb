package com.sessionflow.event;

/**
 * What one Kafka partition's watermark remembers: the latest event time read from it and the
 * watermark it has reached. The source keeps it in the partition's split state, so that a restored
 * or rescaled job goes on from it instead of treating the partition as one that never had an event
 * (which Flink's watermark generators would otherwise do: they are not checkpointed).
 */
public class PartitionClock {

    /** Latest event time read from the partition; {@link Long#MIN_VALUE} before the first. */
    public long maxEventTime = Long.MIN_VALUE;

    /** Highest watermark the partition has reached; {@link Long#MIN_VALUE} before the first. */
    public long watermark = Long.MIN_VALUE;

    public PartitionClock() {}

    public PartitionClock(long maxEventTime, long watermark) {
        this.maxEventTime = maxEventTime;
        this.watermark = watermark;
    }

    public boolean hadEvents() {
        return maxEventTime != Long.MIN_VALUE;
    }

    /** Takes the later of both memories, field by field: a clock never goes back. */
    public void advanceTo(PartitionClock other) {
        maxEventTime = Math.max(maxEventTime, other.maxEventTime);
        watermark = Math.max(watermark, other.watermark);
    }

    @Override
    public String toString() {
        return "PartitionClock{maxEventTime=" + maxEventTime + ", watermark=" + watermark + "}";
    }
}
