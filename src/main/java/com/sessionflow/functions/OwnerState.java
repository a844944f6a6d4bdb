package com.sessionflow.functions;

import com.sessionflow.session.DuplicateFilter;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What the sessionizer keeps for one owner in one keyed value, read and written once per event (on
 * RocksDB every state access is a JNI call with (de)serialization): its sessions, a few insert ids,
 * its event rate, its timer. An owner that sends many insert ids has them in buckets of their own
 * ({@link InsertIdStore}), so its value stays small. Written by {@link OwnerStateSerializer}.
 */
public class OwnerState {

    /** No timer pending. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** The owner's sessions still held: open ones and closed ones kept for late events. */
    Session[] sessions = new Session[0];

    /**
     * The owner's insert ids while it has few ({@link InsertIds#inlineCapacity()}); null when none.
     */
    DuplicateFilter seen;

    /**
     * While the owner's insert ids are in buckets of their own: the watermark at which the expired
     * ones are next swept; {@link InsertIds#NONE} while they are inline.
     */
    long insertIdSweep = InsertIds.NONE;

    /**
     * While the owner's insert ids are in buckets: how many bits of an id's hash pick its bucket
     * ({@link InsertIds#bucketOf}), or {@link InsertIds#OLDER_LAYOUT} for an owner restored with
     * one entry per id (the default, so that a value of format 2 has it).
     */
    int insertIdBits = InsertIds.OLDER_LAYOUT;

    /**
     * While the owner's insert ids are in buckets: how many have split at {@link #insertIdBits}.
     */
    int insertIdSplit;

    /** While the owner's insert ids are in buckets: how many ids they hold. */
    long bucketedInsertIds;

    /**
     * The owner's event rate while the guard is on ({@link OwnerRateLimit}); kept only along with
     * something else, so {@link #isEmpty} ignores it.
     */
    EventRate rate;

    /** The owner's one pending event-time timer, or {@link #NO_TIMER}. */
    long pendingTimer = NO_TIMER;

    public OwnerState() {}

    /** The sessions as a list the rules can change; give it back with {@link #keep}. */
    public List<Session> sessionList() {
        return new ArrayList<>(Arrays.asList(sessions));
    }

    public void keep(List<Session> owned) {
        sessions = owned.toArray(new Session[0]);
    }

    /** The sessions held, to read. */
    public List<Session> heldSessions() {
        return Collections.unmodifiableList(Arrays.asList(sessions));
    }

    /** How many insert ids the owner keeps in its value. */
    public int inlineInsertIds() {
        return seen == null ? 0 : seen.size();
    }

    /** Whether the owner's insert ids are in buckets of their own ({@link InsertIdStore}). */
    boolean hasBuckets() {
        return insertIdSweep != InsertIds.NONE;
    }

    /** True when nothing is left to keep, so the owner's state can be cleared. */
    public boolean isEmpty() {
        return sessions.length == 0
                && seen == null
                && insertIdSweep == InsertIds.NONE
                && pendingTimer == NO_TIMER;
    }
}
