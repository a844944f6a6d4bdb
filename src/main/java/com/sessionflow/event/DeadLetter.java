package com.sessionflow.event;

/** A rejected input record, with everything needed to find, understand and replay it. */
public class DeadLetter {

    public Rejection reason;

    /** What exactly was wrong, e.g. which field of which event of a batch. */
    public String detail;

    public byte[] originalKey;
    public byte[] originalValue;
    public String topic;
    public int partition;
    public long offset;

    /** The Kafka timestamp of the original record. */
    public long timestamp;

    public DeadLetter() {}

    public DeadLetter(Rejection reason, String detail, RecordOrigin origin) {
        this.reason = reason;
        this.detail = detail;
        this.originalKey = origin.key;
        this.originalValue = origin.value;
        this.topic = origin.topic;
        this.partition = origin.partition;
        this.offset = origin.offset;
        this.timestamp = origin.timestamp;
    }

    @Override
    public String toString() {
        return "DeadLetter{"
                + reason.code()
                + ": "
                + detail
                + " at "
                + topic
                + "/"
                + partition
                + "@"
                + offset
                + '}';
    }
}
