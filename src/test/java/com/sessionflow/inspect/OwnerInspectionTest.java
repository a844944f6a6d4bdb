package com.sessionflow.inspect;

import static com.sessionflow.reference.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.job.JobOptions;
import com.sessionflow.session.SessionChange;
import com.sessionflow.session.SessionRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inspect command's verdicts are the job's: one of each kind, for one owner among others. */
class OwnerInspectionTest {

    static final long MIN = 60_000;
    static final long T = 1_700_000_000_000L;

    @Test
    void everyEventOfTheOwnerSaysWhatTheJobMakesOfIt() throws Exception {
        JobOptions options = JobOptions.parse("--blocked-events", "debug_ping");
        OwnerInspection inspection =
                new OwnerInspection(
                        "u",
                        0,
                        Long.MAX_VALUE,
                        options.timeline(),
                        options.dedupHorizon().toMillis(),
                        options.rateLimit(),
                        options.outOfOrderness().toMillis());
        List<Event> arrival = new ArrayList<>();
        arrival.add(at("u", T).type("session_start").build());
        arrival.add(at("u", T + MIN).insertId("a").build());
        arrival.add(at("u", T + 2 * MIN).insertId("a").build());
        arrival.add(at("u", T + 3 * MIN).sessionId(-1).build());
        arrival.add(at("u", T + 4 * MIN).type("debug_ping").build());
        // another owner moves the watermark ten hours on: an old event of u is then too late
        arrival.add(at("v", T + 600 * MIN).build());
        arrival.add(at("u", T + 5 * MIN).insertId("b").build());
        arrival.add(at("u", T + 601 * MIN).build());
        for (Event e : arrival) inspection.add(ParsedRecord.of(e));

        OwnerInspection.Result result = inspection.finish();
        List<String> verdicts =
                result.lines().stream().map(l -> l.event().time - T + " " + l.verdict()).toList();
        String first = SessionChange.key("u", T, null);
        assertThat(verdicts)
                .containsExactly(
                        "0 marker in session " + first,
                        MIN + " session " + first,
                        2 * MIN + " duplicate: its insert_id was seen (dropped)",
                        3 * MIN + " out of session (session_id -1 or --inactive-events)",
                        4 * MIN + " blocked (--blocked-events)",
                        5 * MIN + " too late: after its session's allowed lateness (events-late)",
                        601 * MIN + " session " + SessionChange.key("u", T + 601 * MIN, null));
        assertThat(result.sessions())
                .extracting((SessionRecord s) -> s.eventCount)
                .containsExactly(2L, 1L);
    }

    /**
     * Under merged identity (the default) inspect judges persons as the job does: a device's visit
     * that a login claims is the user's, one that ended more than the allowed lateness before it
     * stays the device's.
     */
    @Test
    void underMergedIdentityAClaimedVisitIsTheUsers() throws Exception {
        JobOptions options = JobOptions.parse();
        List<Event> all =
                List.of(
                        anonymous("d", T - 180 * MIN),
                        anonymous("d", T),
                        anonymous("d", T + MIN),
                        at("ann", T + 2 * MIN).device("d").user("ann").build(),
                        anonymous("d", T + 3 * MIN),
                        anonymous("e", T));
        assertThat(sessionsOf("ann", options, all))
                .containsExactly(SessionChange.key("ann", T, null) + " 4 events");
        assertThat(sessionsOf("d", options, all))
                .containsExactly(SessionChange.key("d", T - 180 * MIN, null) + " 1 events");
        assertThat(sessionsOf("e", options, all))
                .containsExactly(SessionChange.key("e", T, null) + " 1 events");
    }

    private static Event anonymous(String device, long time) {
        return at(device, time).device(device).user(null).build();
    }

    private static List<String> sessionsOf(String person, JobOptions options, List<Event> all)
            throws Exception {
        MergedPersons persons = new MergedPersons(person, options.timeline());
        for (Event e : all) persons.findDevices(ParsedRecord.of(e.copy()));
        for (Event e : all) persons.learn(ParsedRecord.of(e.copy()));
        OwnerInspection inspection =
                new OwnerInspection(
                                person,
                                0,
                                Long.MAX_VALUE,
                                options.timeline(),
                                options.dedupHorizon().toMillis(),
                                options.rateLimit(),
                                options.outOfOrderness().toMillis())
                        .byPerson(persons::personOf);
        for (Event e : all) inspection.add(ParsedRecord.of(e.copy()));
        return inspection.finish().sessions().stream()
                .map(
                        s ->
                                SessionChange.key(s.owner, s.sessionId, s.group)
                                        + " "
                                        + s.eventCount
                                        + " events")
                .toList();
    }

    @Test
    void onlyTheTimeRangeIsShownButEveryEventCounts() throws Exception {
        JobOptions options = JobOptions.parse();
        OwnerInspection inspection =
                new OwnerInspection(
                        "u",
                        T + MIN,
                        T + 2 * MIN,
                        options.timeline(),
                        options.dedupHorizon().toMillis(),
                        options.rateLimit(),
                        options.outOfOrderness().toMillis());
        inspection.add(ParsedRecord.of(at("u", T).insertId("a").build()));
        inspection.add(ParsedRecord.of(at("u", T + MIN + 1).insertId("a").build()));
        OwnerInspection.Result result = inspection.finish();
        // the duplicate is shown, the earlier event it duplicates is not, yet it was remembered
        assertThat(result.lines()).hasSize(1);
        assertThat(result.lines().get(0).verdict()).startsWith("duplicate");
        // its only session, of the first event, ends before the range
        assertThat(result.sessions()).isEmpty();
    }

    @Test
    void exportFilesAreJudgedInTimeOrderAndNothingIsTooLate() throws Exception {
        JobOptions options = JobOptions.parse();
        OwnerInspection inspection =
                OwnerInspection.ofExportFiles(
                        "u",
                        0,
                        Long.MAX_VALUE,
                        options.timeline(),
                        options.dedupHorizon().toMillis(),
                        options.rateLimit());
        // file order: the later copy of "a" first, then an event ten hours older than it
        inspection.add(ParsedRecord.of(at("u", T + 600 * MIN).insertId("a").build()));
        inspection.add(ParsedRecord.of(at("v", T + 900 * MIN).build()));
        inspection.add(ParsedRecord.of(at("u", T + 599 * MIN).insertId("a").build()));
        inspection.add(ParsedRecord.of(at("u", T).build()));
        List<String> verdicts =
                inspection.finish().lines().stream()
                        .map(l -> l.event().time - T + " " + l.verdict())
                        .toList();
        assertThat(verdicts)
                .containsExactly(
                        "0 session " + SessionChange.key("u", T, null),
                        599 * MIN + " session " + SessionChange.key("u", T + 599 * MIN, null),
                        600 * MIN + " duplicate: its insert_id was seen (dropped)");
    }
}
