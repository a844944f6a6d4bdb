package com.sessionflow.kafka;

import com.sessionflow.event.ParsedRecord;
import com.sessionflow.event.PartitionClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * The connector's reader, plus one {@link PartitionClock} per split: handed to the split's
 * watermark generator before the split's first record, and checkpointed with the split's offsets.
 * Everything runs in the source task's thread, so generator and reader share the clock safely.
 */
final class ClockKeepingReader implements SourceReader<ParsedRecord, KafkaPartitionSplit> {

    private final SourceReader<ParsedRecord, KafkaPartitionSplit> kafka;
    private final Map<String, PartitionClock> clocks = new HashMap<>();
    private final List<String> toHandOver = new ArrayList<>();

    ClockKeepingReader(SourceReader<ParsedRecord, KafkaPartitionSplit> kafka) {
        this.kafka = kafka;
    }

    @Override
    public void start() {
        kafka.start();
    }

    @Override
    public void addSplits(List<KafkaPartitionSplit> splits) {
        for (KafkaPartitionSplit split : splits) {
            PartitionClock clock =
                    split instanceof ClockedSplit clocked ? clocked.clock : new PartitionClock();
            clocks.put(split.splitId(), clock);
            toHandOver.add(split.splitId());
        }
        kafka.addSplits(splits);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<ParsedRecord> output) throws Exception {
        if (!toHandOver.isEmpty()) {
            // Flink has created the split's output (and its generator) by now; the clock goes
            // first, before any record the split reads
            for (String splitId : toHandOver) {
                output.createOutputForSplit(splitId).collect(ParsedRecord.of(clocks.get(splitId)));
            }
            toHandOver.clear();
        }
        return kafka.pollNext(output);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        // a restored partition may stay quiet: its clock must reach the generator all the same,
        // or its watermark would never move and no session would close
        return toHandOver.isEmpty() ? kafka.isAvailable() : CompletableFuture.completedFuture(null);
    }

    @Override
    public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
        List<KafkaPartitionSplit> splits = new ArrayList<>();
        for (KafkaPartitionSplit split : kafka.snapshotState(checkpointId)) {
            PartitionClock clock = clocks.getOrDefault(split.splitId(), new PartitionClock());
            splits.add(
                    new ClockedSplit(
                            split, new PartitionClock(clock.maxEventTime, clock.watermark)));
        }
        return splits;
    }

    @Override
    public void notifyNoMoreSplits() {
        kafka.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
        kafka.handleSourceEvents(sourceEvent);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        kafka.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        kafka.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void pauseOrResumeSplits(
            java.util.Collection<String> splitsToPause,
            java.util.Collection<String> splitsToResume) {
        kafka.pauseOrResumeSplits(splitsToPause, splitsToResume);
    }

    @Override
    public void close() throws Exception {
        kafka.close();
    }
}
