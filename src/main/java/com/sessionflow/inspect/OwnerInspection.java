package com.sessionflow.inspect;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.replay.ExportLineFormat;
import com.sessionflow.session.EventIntake;
import com.sessionflow.session.EventIntake.Judgement;
import com.sessionflow.session.EventRate;
import com.sessionflow.session.InsertIds;
import com.sessionflow.session.OwnerRateLimit;
import com.sessionflow.session.OwnerTimeline;
import com.sessionflow.session.Session;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionDefinition;
import com.sessionflow.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the job makes of one owner's events (Amplitude's Microscope for this job), with the job's
 * own rules: records go in in the order the job reads them, each event is judged as the sessionizer
 * judges it ({@link EventIntake}: too late, duplicate, held back, out of session, in a session) at
 * the watermark the job would have, and at the end every event the sessions hold is given the key
 * of its session. Plain Java: the same code as the job, without Flink.
 *
 * <p>The watermark is the job's: per partition the latest event time read minus the
 * out-of-orderness, the least of the partitions read so far. Partitions are read one after the
 * other here, not side by side as the job reads them, so "too late" is an estimate that can miss
 * lateness the job would see.
 *
 * <p>{@link #ofExportFiles} judges as the export-file replay does: Flink's BATCH mode sorts each
 * owner's events by time and its watermark moves only at the end, so nothing is too late and of two
 * events with one insert_id the earlier one counts, whatever the order of the files.
 */
public final class OwnerInspection {

    /** One line of the inspection: an event of the owner, or a dead letter that names it. */
    public record Line(Event event, DeadLetter deadLetter, String verdict, long watermark) {}

    private final String owner;
    private final long fromTime;
    private final long toTime;
    private final long outOfOrdernessMs;
    private final SessionDefinition definition;
    private final OwnerTimeline timeline;
    private final EventIntake intake;

    private final List<Session> sessions = new ArrayList<>();
    private final Map<Long, Long> remembered = new HashMap<>();
    private final EventRate rate = new EventRate();
    private final List<Line> lines = new ArrayList<>();
    private final List<Integer> inSession = new ArrayList<>();
    private final Map<String, Long> latestByPartition = new HashMap<>();

    /** The owner's events of export files, judged in time order at the end; null for Kafka. */
    private final List<Event> replayed;

    /**
     * Whose an event is: its owner, or under merged identity its person ({@link MergedPersons}).
     */
    private Function<Event, String> personOf = e -> e.owner;

    /**
     * @param owner the owner to inspect (its user_id, or device_id without one, as --identity)
     * @param fromTime events from this event time on (epoch ms) are shown
     * @param toTime and before this one
     */
    public OwnerInspection(
            String owner,
            long fromTime,
            long toTime,
            OwnerTimeline timeline,
            long dedupHorizonMs,
            OwnerRateLimit rateLimit,
            long outOfOrdernessMs) {
        this(owner, fromTime, toTime, timeline, dedupHorizonMs, rateLimit, outOfOrdernessMs, null);
    }

    /** An inspection of export files, as the export-file replay judges them (see above). */
    public static OwnerInspection ofExportFiles(
            String owner,
            long fromTime,
            long toTime,
            OwnerTimeline timeline,
            long dedupHorizonMs,
            OwnerRateLimit rateLimit) {
        return new OwnerInspection(
                owner, fromTime, toTime, timeline, dedupHorizonMs, rateLimit, 0, new ArrayList<>());
    }

    private OwnerInspection(
            String owner,
            long fromTime,
            long toTime,
            OwnerTimeline timeline,
            long dedupHorizonMs,
            OwnerRateLimit rateLimit,
            long outOfOrdernessMs,
            List<Event> replayed) {
        this.replayed = replayed;
        this.owner = owner;
        this.fromTime = fromTime;
        this.toTime = toTime;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.timeline = timeline;
        this.definition = timeline.definition();
        this.intake =
                new EventIntake(
                        timeline, InsertIds.forHorizon(dedupHorizonMs, timeline, 0), rateLimit);
    }

    /** Judges persons under merged identity: an event is the owner's when it is the person's. */
    public OwnerInspection byPerson(Function<Event, String> personOf) {
        this.personOf = personOf;
        return this;
    }

    /** The next record the job reads (every owner's: they all move the watermark). */
    public void add(ParsedRecord record) throws Exception {
        if (record.isDeadLetter()) {
            DeadLetter d = record.deadLetter;
            // a bad record has no owner; one whose bytes name the owner is likely the owner's
            if (d.originalValue != null
                    && new String(d.originalValue, StandardCharsets.UTF_8).contains(owner)) {
                lines.add(
                        new Line(
                                null,
                                d,
                                "dead letter "
                                        + d.reason.code()
                                        + " ("
                                        + where(d)
                                        + "): "
                                        + d.detail,
                                watermark()));
            }
            return;
        }
        if (!record.isEvent()) return;
        Event e = record.event;
        if (replayed != null) {
            if (owner.equals(personOf.apply(e))) replayed.add(e);
            return;
        }
        judge(e);
    }

    private void judge(Event e) throws Exception {
        long watermark = watermark();
        latestByPartition.merge(e.sourceTopic + "/" + e.sourcePartition, e.time, Math::max);
        if (!owner.equals(personOf.apply(e))) return;
        e.owner = owner;
        boolean shown = e.time >= fromTime && e.time < toTime;
        if (definition.isBlocked(e)) {
            if (shown) lines.add(new Line(e, null, "blocked (--blocked-events)", watermark));
            return;
        }
        Judgement j =
                intake.judge(
                        e,
                        watermark,
                        intake.rateLimit().applies() ? rate : null,
                        remembered::containsKey);
        if (j.remember()) remembered.put(j.insertIdHash(), e.time);
        if (j.overRate()) OwnerRateLimit.flag(sessions, e.time);
        String verdict =
                switch (j.verdict()) {
                    case TOO_LATE -> "too late: after its session's allowed lateness (events-late)";
                    case DUPLICATE -> "duplicate: its insert_id was seen (dropped)";
                    case HELD_BACK -> "over the owner's rate (--owner-rate-limit)";
                    case OUT_OF_SESSION -> "out of session (session_id -1 or --inactive-events)";
                    case IN_SESSION -> null;
                };
        if (j.verdict() == EventIntake.Verdict.IN_SESSION) {
            timeline.place(sessions, e);
            if (shown) inSession.add(lines.size());
        }
        if (shown) lines.add(new Line(e, null, verdict, watermark));
    }

    /** Where the bad record is: a topic's partition and offset, or a file's line. */
    private static String where(DeadLetter d) {
        return d.partition == ExportLineFormat.NO_PARTITION
                ? d.topic + " line " + d.offset
                : d.topic + "-" + d.partition + " offset " + d.offset;
    }

    private long watermark() {
        if (replayed != null || latestByPartition.isEmpty()) return Long.MIN_VALUE;
        long least = Long.MAX_VALUE;
        for (long latest : latestByPartition.values()) least = Math.min(least, latest);
        return least - outOfOrdernessMs - 1;
    }

    /** The inspection once every record is in: lines in event-time order, sessions closed. */
    public Result finish() throws Exception {
        if (replayed != null) {
            replayed.sort(Comparator.comparingLong((Event e) -> e.time));
            for (Event e : replayed) judge(e);
        }
        List<SessionChange> changes = new ArrayList<>();
        timeline.advance(sessions, Long.MAX_VALUE, changes::add);
        Map<String, SessionRecord> latest = new TreeMap<>();
        for (SessionChange c : changes) {
            if (c.isRetraction()) latest.remove(c.key());
            else latest.put(c.key(), c.session);
        }
        List<Line> out = new ArrayList<>(lines);
        for (int i : inSession) {
            Line l = lines.get(i);
            SessionRecord s = sessionOf(l.event(), latest);
            String role = definition.isMarker(l.event()) ? "marker in session " : "session ";
            out.set(
                    i,
                    new Line(
                            l.event(),
                            null,
                            s == null ? "in a session" : role + key(s),
                            l.watermark()));
        }
        out.sort(
                Comparator.comparingLong(
                        (Line l) -> l.event() != null ? l.event().time : l.deadLetter().timestamp));
        List<SessionRecord> shown = new ArrayList<>();
        for (SessionRecord s : latest.values()) {
            if (s.endTime >= fromTime && s.sessionId < toTime) shown.add(s);
        }
        return new Result(out, shown);
    }

    /** The session holding an event: same group (or SDK session id), and its time within. */
    private SessionRecord sessionOf(Event e, Map<String, SessionRecord> latest) {
        String group = definition.groupOf(e);
        long sdk = definition.sdkSessionIdOf(e);
        for (SessionRecord s : latest.values()) {
            boolean same =
                    sdk != Event.NO_SESSION_ID
                            ? s.sdkSessionId == sdk
                            : group == null ? s.group == null : group.equals(s.group);
            if (same && e.time >= s.startTime && e.time <= s.endTime) return s;
        }
        return null;
    }

    private static String key(SessionRecord s) {
        return SessionChange.key(s.owner, s.sessionId, s.group);
    }

    /** The owner's lines and its sessions in the time range. */
    public record Result(List<Line> lines, List<SessionRecord> sessions) {}
}
