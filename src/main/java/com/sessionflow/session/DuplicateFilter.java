package com.sessionflow.session;

/**
 * How savepoints written before insert ids had an entry each kept an owner's insert ids: one array
 * of hashes and one of event times, inside the owner's value. Read only, so that such a savepoint
 * still restores: the sessionizer moves its entries into the per-id state the first time it sees
 * the owner. A Flink POJO.
 */
public class DuplicateFilter {

    public long[] hashes = new long[0];
    public long[] times = new long[0];

    public DuplicateFilter() {}
}
