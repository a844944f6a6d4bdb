package com.sessionflow.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.event.Event;
import com.sessionflow.inspect.Inspect;
import com.sessionflow.job.JobOptions;
import com.sessionflow.reference.ReferenceSessionizer.ExpectedSession;
import com.sessionflow.replay.ReplayEquivalenceITCase.Generated;
import com.sessionflow.testing.TestDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect --input} on export files gives each owner the sessions the independent reference
 * gives, and calls each retried upload a duplicate, whatever the order of the lines in the files.
 */
class InspectExportFilesTest {

    @Test
    void eachOwnersSessionsAreTheReferencesAndRetriesAreDuplicates() throws Exception {
        List<Generated> events =
                ReplayEquivalenceITCase.generate(42, ReplayEquivalenceITCase.BASE, 30);
        Map<String, ExpectedSession> expected = ReplayEquivalenceITCase.reference(events);
        List<String> lines = new ArrayList<>(events.stream().map(Generated::line).toList());
        Collections.shuffle(lines, new Random(5));
        lines.add(3, ReplayEquivalenceITCase.BAD_LINE);
        Path dir = TestDirs.newDir("inspect-export-");
        int half = lines.size() / 2;
        ReplaySupport.writeGzip(
                dir.resolve("in/1/1_2024-03-01_9#0.json.gz"), lines.subList(0, half));
        ReplaySupport.writeGzip(
                dir.resolve("in/1/1_2024-03-01_10#0.json.gz"), lines.subList(half, lines.size()));

        for (String owner : List.of("user-1", "user-2", "dev-3", "dev-4")) {
            String printed =
                    inspect(
                            "--owner",
                            owner,
                            "--input",
                            dir.resolve("in").toString(),
                            "--gap",
                            "1m");
            Map<String, Long> sessions = new TreeMap<>();
            int duplicates = 0;
            boolean inSessions = false;
            for (String line : printed.lines().toList()) {
                if (line.equals("sessions")) inSessions = true;
                else if (inSessions && !line.isBlank()) {
                    String key = line.substring(0, line.indexOf("  "));
                    long count = Long.parseLong(line.replaceAll(".* (\\d+) events .*", "$1"));
                    sessions.put(key, count);
                } else if (line.contains("duplicate: its insert_id was seen")) duplicates++;
            }
            Map<String, Long> reference = new TreeMap<>();
            expected.values().stream()
                    .filter(s -> s.owner().equals(owner))
                    .forEach(s -> reference.put(s.key(), s.eventCount()));
            List<Event> ofOwner =
                    events.stream()
                            .map(Generated::event)
                            .filter(e -> e.owner.equals(owner))
                            .toList();
            long retries =
                    ofOwner.size() - ofOwner.stream().map(e -> e.insertId).distinct().count();

            assertThat(reference).as(owner + " has sessions").isNotEmpty();
            assertThat(sessions).as(owner + "\n" + printed).isEqualTo(reference);
            assertThat(duplicates).as(owner + "'s retried uploads").isEqualTo(retries);
        }
        assertThat(events.size() - events.stream().map(g -> g.event().insertId).distinct().count())
                .as("the traffic has retried uploads")
                .isPositive();
    }

    /** The worked FAQ examples of docs/inspect.md: each block is what its command prints today. */
    @Test
    void theWorkedExamplesAreWhatInspectPrints() throws Exception {
        String page = Files.readString(Path.of("docs", "inspect.md"));
        Matcher example =
                Pattern.compile("<!-- inspect: (.*?) -->\n```text\n(.*?)\n```", Pattern.DOTALL)
                        .matcher(page);
        int examples = 0;
        while (example.find()) {
            examples++;
            String printed = inspect(example.group(1).split(" "));
            // the first line repeats the definition, the second is blank
            String shown = printed.lines().skip(2).collect(Collectors.joining("\n")).strip();
            assertThat(example.group(2).strip()).as(example.group(1)).isEqualTo(shown);
        }
        assertThat(examples).as("one example per FAQ question").isEqualTo(4);
    }

    private static String inspect(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(JobOptions.execute(new Inspect(), args)).isZero();
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
