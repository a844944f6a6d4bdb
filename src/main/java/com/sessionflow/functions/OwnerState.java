package com.sessionflow.functions;

import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the sessionizer keeps for one owner, in one keyed value: on RocksDB every state access
 * is a JNI call with (de)serialization, so an event costs one read and one write instead of one of
 * each per kind of state. A Flink POJO.
 */
public class OwnerState {

    /** No timer pending. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** The owner's sessions still held: open ones and closed ones kept for late events. */
    public Session[] sessions = new Session[0];

    /** Insert ids seen within the dedup horizon; null when there are none. */
    public DuplicateFilter seen;

    /** The owner's one pending event-time timer, or {@link #NO_TIMER}. */
    public long pendingTimer = NO_TIMER;

    public OwnerState() {}

    /** The sessions as a list the rules can change; give it back with {@link #keep}. */
    public List<Session> sessionList() {
        return new ArrayList<>(Arrays.asList(sessions));
    }

    public void keep(List<Session> owned) {
        sessions = owned.toArray(new Session[0]);
    }

    /** True when nothing is left to keep, so the owner's state can be cleared. */
    public boolean isEmpty() {
        return sessions.length == 0
                && (seen == null || seen.hashes.length == 0)
                && pendingTimer == NO_TIMER;
    }
}
