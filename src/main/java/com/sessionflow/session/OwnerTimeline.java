package com.sessionflow.session;

import com.sessionflow.event.Event;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The session rules for one owner's timeline, in plain Java: where an event goes, when a session is
 * complete, when it may be forgotten. The Flink operator only stores the list and sets timers.
 *
 * <p>Times, with {@code G} the largest configured gap ({@link SessionDefinition#maxGapMs()}: the
 * platform of the next event is unknown), for a session whose latest event is at {@code end}:
 *
 * <ul>
 *   <li>close time {@code end + G - 1}: once the watermark reaches it no event can extend the
 *       session (an event {@code G} or more later starts a new one), so it is emitted. A session
 *       whose last event is an end event is complete at once: its close time is {@code end};
 *   <li>purge time {@code end + G - 1 + G + allowedLateness}: until then a late event can still
 *       change it. The extra gap matters: an event accepted as not too late (below) may touch any
 *       session still held, so no accepted event can need a session that was already forgotten. An
 *       SDK session (under {@code client}) is held {@code allowedLateness} longer, as an event of
 *       its id joins it from up to {@code G + allowedLateness} away.
 * </ul>
 *
 * An event at {@code t} is too late when even a session of its own would be past its lateness:
 * {@code t + G - 1 + allowedLateness < watermark}. With per-platform gaps, sessions of short-gap
 * platforms are therefore emitted, and forgotten, as late as those of the longest gap: that is the
 * cost of being exact.
 *
 * <p>Two ways to keep sessions:
 *
 * <ul>
 *   <li>Summaries (default {@code gap}, {@code client}, {@code property:NAME}): a session is
 *       summarized, summaries merge, state per session is constant. An event joins every session of
 *       its group less than a gap away (or, under {@code client}, the session of its SDK id).
 *   <li>Facts (per-platform gaps or start/end events configured): an event can split a session (a
 *       late start event, or an event whose short platform gap separates it from the events before
 *       it), which a summary cannot do. Each session then keeps a few facts of each event ({@link
 *       Fact}) and the sessions an event can touch are recomputed from their facts by the batch
 *       rule: sort, walk, cut. State per session grows with its events.
 * </ul>
 *
 * Split at the maximum length ({@link SessionDefinition#splitOverLimit()}, facts): a late event
 * before a chain of sessions cut by the maximum length moves every later cut of the chain, so the
 * sessions recomputed for an event are the whole chain of its group's sessions linked by distances
 * below the largest gap (next start minus previous end) around those it touches. The chain's first
 * retained session is the anchor: any earlier one was purged and is final (an event before it would
 * be too late), and a session start is a cut of the batch rule whatever came before it.
 */
public final class OwnerTimeline implements Serializable {

    private static final long serialVersionUID = 1L;

    private final SessionDefinition definition;
    private final long allowedLatenessMs;

    /** The largest gap. */
    private final long gapMs;

    private final boolean plainGap;

    public OwnerTimeline(SessionDefinition definition, long allowedLatenessMs) {
        this.definition = definition;
        this.allowedLatenessMs = allowedLatenessMs;
        this.gapMs = definition.maxGapMs();
        this.plainGap = definition.kind() == SessionDefinition.Kind.GAP && !definition.keepsFacts();
    }

    public SessionDefinition definition() {
        return definition;
    }

    public long allowedLatenessMs() {
        return allowedLatenessMs;
    }

    public boolean isTooLate(long eventTime, long watermark) {
        return placementDeadline(eventTime) < watermark;
    }

    /** The last watermark at which an event of this time can still be placed. */
    public long placementDeadline(long eventTime) {
        return eventTime + gapMs - 1 + allowedLatenessMs;
    }

    /** How long after its time an accepted event can still meet a duplicate that matters. */
    public long placementWindowMs() {
        return gapMs + allowedLatenessMs;
    }

    public long closeTime(Session s) {
        return s.endsWithEndEvent ? s.endTime : s.endTime + gapMs - 1;
    }

    public long purgeTime(Session s) {
        return purgeTime(s.endTime, s.sdkSessionId != Event.NO_SESSION_ID);
    }

    /** When the sessionizer forgets the version it emitted as {@code r}. */
    public long purgeTime(SessionRecord r) {
        return purgeTime(r.endTime, r.isSdkSession());
    }

    /** When the sessionizer forgets a session that ends at {@code endTime}. */
    public long purgeTime(long endTime, boolean sdkSession) {
        long purge = endTime + gapMs - 1 + gapMs + allowedLatenessMs;
        // an SDK session takes events of its id from further away than a gap (its SDK keeps the id
        // alive, out-of-session events too): an event less than gap + lateness after its end,
        // accepted up to that + gap - 1 + lateness, must still find it
        return sdkSession ? purge + allowedLatenessMs : purge;
    }

    /**
     * Puts an in-session event into the owner's sessions (sorted by start, changed in place).
     *
     * @return the session that now holds the event
     */
    public Session place(List<Session> sessions, Event event) {
        if (plainGap) return placeByGap(sessions, event);
        if (definition.keepsFacts())
            return placeByFacts(sessions, Session.of(event, definition), event.time);
        return placeInGroup(sessions, event);
    }

    /**
     * Merges a session of the owner that was built under another owner (a device's own, until a
     * login showed whose it was) into the owner's sessions, as if its events had come here. A
     * summary joins every session of its group (or SDK id) it comes less than a gap near, judged by
     * its own span: its events are less than a gap apart, so that is exactly where one of them
     * would join. Facts are placed one by one.
     */
    public void adopt(List<Session> sessions, Session claimed) {
        if (definition.keepsFacts()) {
            for (Fact f : claimed.facts) {
                Session single =
                        Session.ofFacts(
                                claimed.owner, claimed.group, claimed.sdkSessionId, new Fact[] {f});
                single.overRate = claimed.overRate;
                placeByFacts(sessions, single, f.time);
            }
            return;
        }
        List<Session> joined = new ArrayList<>(2);
        for (int i = 0; i < sessions.size(); ) {
            Session s = sessions.get(i);
            if (joinsSpan(s, claimed)) {
                joined.add(s);
                sessions.remove(i);
            } else {
                i++;
            }
        }
        for (Session s : joined) claimed.absorb(s);
        insertSorted(sessions, claimed);
    }

    private boolean joinsSpan(Session s, Session claimed) {
        if (s.sdkSessionId != claimed.sdkSessionId) return false;
        if (claimed.sdkSessionId != Event.NO_SESSION_ID) return true;
        return Objects.equals(s.group, claimed.group)
                && claimed.startTime < s.endTime + gapMs
                && claimed.endTime > s.startTime - gapMs
                && !definition.crossesMidnight(claimed.startTime, s.startTime);
    }

    /** Retracts every key a session was emitted under: it leaves its owner. */
    public void retract(Session s, Consumer<SessionChange> out) {
        for (long id : s.emittedIds) out.accept(SessionChange.retraction(s.owner, id, s.group));
    }

    /**
     * The default definition: it joins, extends or bridges every session less than a gap away, or
     * starts a new one.
     */
    private Session placeByGap(List<Session> sessions, Event event) {
        Session placed = Session.of(event, definition.isMarker(event));
        long gap = gapMs;
        int insertAt = 0;
        for (int i = 0; i < sessions.size(); ) {
            Session s = sessions.get(i);
            // strictly less than a gap away on either side: a gap of exactly `gap` separates
            // a session lies within one local day: its start tells the day
            if (event.time > s.startTime - gap
                    && event.time < s.endTime + gap
                    && !definition.crossesMidnight(event.time, s.startTime)) {
                placed.absorb(s);
                sessions.remove(i);
            } else {
                if (s.startTime < event.time) insertAt = i + 1;
                i++;
            }
        }
        sessions.add(insertAt, placed);
        return placed;
    }

    /**
     * Summaries with groups: the session of its SDK id ({@code client}), else those of its group
     * less than a gap away.
     */
    private Session placeInGroup(List<Session> sessions, Event event) {
        Session placed = Session.of(event, definition);
        // judged by the event itself, not by what it has absorbed so far (that would miss a bridge)
        for (Session s : removeJoining(sessions, placed, event.time)) placed.absorb(s);
        insertSorted(sessions, placed);
        return placed;
    }

    /**
     * Takes out of {@code sessions}, in order, those the event at {@code t} (as {@code placed})
     * joins.
     */
    private List<Session> removeJoining(List<Session> sessions, Session placed, long t) {
        List<Session> joined = new ArrayList<>(2);
        for (int i = 0; i < sessions.size(); ) {
            Session s = sessions.get(i);
            if (joins(s, placed, t)) {
                joined.add(s);
                sessions.remove(i);
            } else {
                i++;
            }
        }
        return joined;
    }

    private boolean joins(Session s, Session placed, long t) {
        if (s.sdkSessionId != placed.sdkSessionId) return false;
        if (placed.sdkSessionId != Event.NO_SESSION_ID) return true;
        return Objects.equals(s.group, placed.group)
                && t > s.startTime - gapMs
                && t < s.endTime + gapMs
                && !definition.crossesMidnight(t, s.startTime);
    }

    /**
     * Recomputes the sessions the event can touch (those of its group within the largest gap, or of
     * its SDK id) from their facts and the event's, by the batch rule, and hands the results the
     * old sessions' revisions and emitted keys.
     */
    // the touched sessions are told apart by identity, as two of them may be equal in value
    @SuppressWarnings("ReferenceEquality")
    private Session placeByFacts(List<Session> sessions, Session single, long t) {
        Fact fresh = single.facts[0];
        boolean split = single.sdkSessionId == Event.NO_SESSION_ID;
        boolean maxLength = split && definition.splitOverLimit();
        List<Session> touched;
        if (maxLength) {
            touched = chainOf(sessions, single, t);
            sessions.removeAll(touched);
        } else {
            touched = removeJoining(sessions, single, t);
        }
        IdentityHashMap<Fact, Session> origin = new IdentityHashMap<>();
        List<Fact> all = new ArrayList<>();
        for (Session s : touched) {
            for (Fact f : s.facts) {
                origin.put(f, s);
                all.add(f);
            }
        }
        all.add(fresh);
        all.sort(Fact::compare);
        List<Session> rebuilt = new ArrayList<>(2);
        long maxLengthMs = definition.maxLengthMs();
        int from = 0;
        for (int i = 1; i <= all.size(); i++) {
            boolean byRule =
                    i < all.size()
                            && split
                            && (cutsBefore(all.get(i - 1), all.get(i))
                                    || definition.crossesMidnight(
                                            all.get(i - 1).time, all.get(i).time));
            boolean byLength =
                    i < all.size()
                            && maxLength
                            && all.get(i).time - all.get(from).time >= maxLengthMs;
            if (i == all.size() || byRule || byLength) {
                Session n =
                        Session.ofFacts(
                                single.owner,
                                single.group,
                                single.sdkSessionId,
                                all.subList(from, i).toArray(new Fact[0]));
                n.cutByMaxLength = byLength && !byRule;
                for (Fact f : n.facts) n.conversion |= definition.isConversion(f.eventType);
                rebuilt.add(n);
                from = i;
            }
        }
        Session placed = null;
        for (int k = 0; k < rebuilt.size(); k++) {
            Session n = rebuilt.get(k);
            Session only = null;
            boolean changed = false;
            for (Fact f : n.facts) {
                Session o = origin.get(f);
                if (o == null || (only != null && o != only)) changed = true;
                if (o != null) {
                    only = only == null ? o : only;
                    n.revision = Math.max(n.revision, o.revision);
                    // a re-split keeps the flag on every part of a flagged session
                    n.overRate |= o.overRate;
                }
            }
            if (!changed
                    && only != null
                    && only.facts.length == n.facts.length
                    && only.cutByMaxLength == n.cutByMaxLength
                    && only.overRate == n.overRate) {
                rebuilt.set(k, only); // untouched: keeps its revision, emitted keys and clean state
                n = only;
            }
            if (Arrays.asList(n.facts).contains(fresh)) placed = n;
        }
        // every key still visible downstream goes to the session now named by it, else to the
        // session holding the first event of the session that wrote it: when that one is
        // written, the key it no longer has is retracted
        for (Session o : touched) {
            if (rebuilt.stream().anyMatch(n -> n == o)) continue;
            Session heir = null;
            for (Session n : rebuilt) {
                if (Arrays.asList(n.facts).contains(o.facts[0])) heir = n;
            }
            for (long id : o.emittedIds) {
                Session to = heir;
                for (Session n : rebuilt) {
                    if (n.sessionId == id) to = n;
                }
                to.emittedIds = union(to.emittedIds, id);
            }
        }
        for (Session n : rebuilt) insertSorted(sessions, n);
        return placed;
    }

    /**
     * The sessions of the event's group (sorted by start) that a split at the maximum length may
     * recompute: those it joins, and every session linked to them by a chain of distances below the
     * largest gap (a session's start minus the latest end before it), before and after.
     */
    private List<Session> chainOf(List<Session> sessions, Session single, long t) {
        List<Session> chain = new ArrayList<>();
        long end = Long.MIN_VALUE; // the latest end of the chain so far
        boolean hasEvent = false;
        for (Session s : sessions) {
            if (s.sdkSessionId != single.sdkSessionId || !Objects.equals(s.group, single.group))
                continue;
            if (!hasEvent && t <= s.startTime) {
                // the event in its place, as a session of its own at t
                if (!chain.isEmpty() && t - end >= gapMs) chain.clear();
                hasEvent = true;
                end = Math.max(end, t);
            }
            if (!chain.isEmpty() || hasEvent) {
                if (s.startTime - end >= gapMs) {
                    if (hasEvent) return chain;
                    chain.clear();
                }
            }
            chain.add(s);
            end = chain.size() == 1 && !hasEvent ? s.endTime : Math.max(end, s.endTime);
        }
        if (!hasEvent && !chain.isEmpty() && t - end >= gapMs) chain.clear();
        return chain;
    }

    /** The batch rule between two consecutive in-session events of a group. */
    static boolean cutsBefore(Fact previous, Fact next) {
        if (next.time == previous.time) return false; // one millisecond is never cut
        return next.isStart() || previous.isEnd() || next.time - previous.time >= next.gapMs;
    }

    private static void insertSorted(List<Session> sessions, Session s) {
        int at = 0;
        while (at < sessions.size() && sessions.get(at).startTime <= s.startTime) at++;
        sessions.add(at, s);
    }

    private static long[] union(long[] ids, long id) {
        for (long i : ids) {
            if (i == id) return ids;
        }
        long[] all = Arrays.copyOf(ids, ids.length + 1);
        all[ids.length] = id;
        Arrays.sort(all);
        return all;
    }

    /**
     * Emits every changed session whose close time the watermark has reached (retracting the ids it
     * no longer has) and forgets the sessions past their purge time.
     */
    public void advance(List<Session> sessions, long watermark, Consumer<SessionChange> out) {
        CloseReason reason =
                watermark == Long.MAX_VALUE ? CloseReason.END_OF_INPUT : CloseReason.GAP;
        for (int i = 0; i < sessions.size(); ) {
            Session s = sessions.get(i);
            if (s.dirty && closeTime(s) <= watermark) {
                emit(
                        s,
                        s.endsWithEndEvent
                                ? CloseReason.END_EVENT
                                : s.cutByMaxLength ? CloseReason.MAX_LENGTH : reason,
                        out);
            }
            if (purgeTime(s) <= watermark) {
                sessions.remove(i);
            } else {
                i++;
            }
        }
    }

    private static void emit(Session s, CloseReason reason, Consumer<SessionChange> out) {
        for (long id : s.emittedIds) {
            if (id != s.sessionId) out.accept(SessionChange.retraction(s.owner, id, s.group));
        }
        out.accept(SessionChange.update(s.emitted(reason)));
    }
}
