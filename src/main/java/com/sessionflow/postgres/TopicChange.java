package com.sessionflow.postgres;

/**
 * One record of a compacted topic: its key and its JSON value, or a null value for a tombstone (the
 * key's row is deleted). A POJO, so Flink serializes it without Kryo.
 */
public class TopicChange {

    public String key;

    /** The record's JSON; null for a tombstone. */
    public String value;

    public TopicChange() {}

    public TopicChange(String key, String value) {
        this.key = key;
        this.value = value;
    }

    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public String toString() {
        return key + (isTombstone() ? " (tombstone)" : "");
    }
}
