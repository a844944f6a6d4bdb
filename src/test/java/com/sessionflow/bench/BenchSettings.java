package com.sessionflow.bench;

import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.SessionDefinition;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The job settings every scenario uses (the job's defaults unless a benchmark option says
 * otherwise).
 */
public final class BenchSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final long gapMs;
    public final long allowedLatenessMs;
    public final long outOfOrdernessMs;
    public final long idleTimeoutMs;
    public final long dedupHorizonMs;
    public final String managedMemory;

    /** Where RocksDB scenarios keep timers: ROCKSDB (Flink's default) or HEAP. */
    public final String rocksDbTimers;

    /** RocksDB bloom filters: most dedup lookups are misses, which a filter answers at once. */
    public final boolean rocksDbBloomFilter;

    /** Scratch folder of this run (RocksDB files, Flink and Kafka Streams temp files). */
    public final String tmpDir;

    public BenchSettings(
            long gapMs,
            long allowedLatenessMs,
            long outOfOrdernessMs,
            long idleTimeoutMs,
            long dedupHorizonMs,
            String managedMemory,
            String rocksDbTimers,
            boolean rocksDbBloomFilter,
            Path tmpDir) {
        this.gapMs = gapMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.dedupHorizonMs = dedupHorizonMs;
        this.managedMemory = managedMemory;
        this.rocksDbTimers = rocksDbTimers;
        this.rocksDbBloomFilter = rocksDbBloomFilter;
        this.tmpDir = tmpDir.toAbsolutePath().toString();
    }

    public SessionDefinition definition() {
        return SessionDefinition.builder().gap(Duration.ofMillis(gapMs)).build();
    }

    public OwnerTimeline timeline() {
        return new OwnerTimeline(definition(), allowedLatenessMs);
    }

    public Path tmp() {
        return Path.of(tmpDir);
    }
}
