package com.sessionflow.kafka;

import com.sessionflow.event.PartitionClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes a split as the connector does, followed by its partition's clock. Splits written by the
 * connector's own serializer (savepoints taken before the clock existed, and the enumerator's
 * assignments) still read: they restore with an empty clock, as every split did before.
 */
final class ClockedSplitSerializer implements SimpleVersionedSerializer<KafkaPartitionSplit> {

    /** Far from the connector's own versions (0 today), so the two can never be confused. */
    static final int VERSION = 1_000_001;

    private final SimpleVersionedSerializer<KafkaPartitionSplit> kafka;

    ClockedSplitSerializer(SimpleVersionedSerializer<KafkaPartitionSplit> kafka) {
        this.kafka = kafka;
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(KafkaPartitionSplit split) throws IOException {
        PartitionClock clock =
                split instanceof ClockedSplit clocked ? clocked.clock : new PartitionClock();
        byte[] inner = kafka.serialize(split);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(inner.length + 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(kafka.getVersion());
            out.writeInt(inner.length);
            out.write(inner);
            out.writeLong(clock.maxEventTime);
            out.writeLong(clock.watermark);
        }
        return bytes.toByteArray();
    }

    @Override
    public KafkaPartitionSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) return kafka.deserialize(version, serialized);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int innerVersion = in.readInt();
            byte[] inner = new byte[in.readInt()];
            in.readFully(inner);
            KafkaPartitionSplit split = kafka.deserialize(innerVersion, inner);
            return new ClockedSplit(split, new PartitionClock(in.readLong(), in.readLong()));
        }
    }
}
