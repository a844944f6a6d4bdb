package com.sessionflow.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.sessionflow.demo.Demo;
import com.sessionflow.ingest.IngestOptions;
import com.sessionflow.inspect.Inspect;
import com.sessionflow.job.JobOptions;
import com.sessionflow.postgres.PostgresOptions;
import com.sessionflow.replay.ExportReplay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/options.md is generated where it lists options, as Flink generates its configuration tables:
 * between the markers {@code <!-- options: NAME -->} and {@code <!-- end of options: NAME -->}
 * stands the command's picocli usage, so the manual cannot drift from the code. The text around the
 * markers is written by hand and kept on regeneration.
 */
class OptionsDocTest {

    static final Path OPTIONS_PAGE = Path.of("docs", "options.md");

    /** One command: rewrites the page's generated blocks. */
    static final String REGENERATE = "mvn -q test -Dtest=OptionsDocTest -Ddocs.regenerate=true";

    /**
     * Every command of the jar with options, by the name its markers carry: its --help, from the
     * code that prints it (so defaults a command fills in itself show as they are).
     */
    static Map<String, Supplier<String>> helps() {
        Map<String, Supplier<String>> helps = new LinkedHashMap<>();
        helps.put("job", JobOptions::usage);
        helps.put("demo", () -> printed(() -> JobOptions.execute(new Demo(), "--help")));
        helps.put("export-replay", ExportReplay::usage);
        helps.put("postgres", PostgresOptions::usage);
        helps.put("inspect", () -> printed(() -> JobOptions.execute(new Inspect(), "--help")));
        helps.put("ingest", IngestOptions::usage);
        return helps;
    }

    /**
     * Where a command's help goes on with the job's options (JobOptions.execute, ExportReplay's
     * usage): on the page, those stand once, under "The job".
     */
    private static final Pattern JOB_OPTIONS_FOLLOW =
            Pattern.compile("^Options of the job.*", Pattern.MULTILINE | Pattern.DOTALL);

    private static final Pattern USAGE = Pattern.compile("Usage: (\\S+) ");

    private static final Pattern COLOUR = Pattern.compile("\\u001B\\[[0-9;]*m");

    @Test
    @Timeout(60)
    void theOptionsPageListsWhatEachCommandsHelpPrints() throws Exception {
        String page = Files.readString(OPTIONS_PAGE, StandardCharsets.UTF_8);
        String generated = generate(page);
        if (Boolean.getBoolean("docs.regenerate")) {
            Files.writeString(OPTIONS_PAGE, generated, StandardCharsets.UTF_8);
            return;
        }
        if (!page.equals(generated)) {
            fail(
                    OPTIONS_PAGE
                            + " no longer lists what the commands' --help prints (an option was"
                            + " added, removed or changed). Regenerate its generated blocks with:\n"
                            + "  "
                            + REGENERATE
                            + "\nthen review the diff and the hand-written text around them.\n"
                            + firstDifference(page, generated));
        }
    }

    @Test
    @Timeout(60)
    void aChangedOptionIsFound() throws Exception {
        String page = generate(Files.readString(OPTIONS_PAGE, StandardCharsets.UTF_8));
        String stale = page.replace("--idle-timeout=", "--quiet-timeout=");
        assertThat(stale).isNotEqualTo(page);
        assertThat(generate(stale)).isEqualTo(page);
    }

    @Test
    @Timeout(60)
    void aMissingBlockIsAnError() {
        assertThatThrownBy(() -> generate("# Options\n<!-- options: job -->\n"))
                .hasMessageContaining("<!-- end of options: job -->");
        assertThatThrownBy(() -> generate("<!-- options: job -->\n<!-- end of options: job -->\n"))
                .hasMessageContaining("<!-- options: demo -->");
    }

    /** Where the page first differs from what it should be, for the failure message. */
    static String firstDifference(String page, String generated) {
        List<String> is = page.lines().toList();
        List<String> shouldBe = generated.lines().toList();
        for (int i = 0; i < Math.max(is.size(), shouldBe.size()); i++) {
            String a = i < is.size() ? is.get(i) : "(end of file)";
            String b = i < shouldBe.size() ? shouldBe.get(i) : "(end of file)";
            if (!a.equals(b))
                return "First difference, line "
                        + (i + 1)
                        + ":\n  is:        "
                        + a
                        + "\n  should be: "
                        + b;
        }
        return "The pages differ in line endings.";
    }

    /** The page with each command's block replaced by its usage as it is now. */
    static String generate(String page) {
        String result = page;
        for (Map.Entry<String, Supplier<String>> command : helps().entrySet()) {
            String start = "<!-- options: " + command.getKey() + " -->";
            String end = "<!-- end of options: " + command.getKey() + " -->";
            int from = result.indexOf(start);
            int to = result.indexOf(end, Math.max(from, 0));
            if (from < 0 || to < 0)
                throw new IllegalStateException(
                        OPTIONS_PAGE + " needs the markers " + start + " and " + end);
            result =
                    result.substring(0, from + start.length())
                            + "\n```text\n"
                            + block(command.getValue().get())
                            + "\n```\n"
                            + result.substring(to);
        }
        return result;
    }

    /**
     * A command's help as the page shows it: the synopsis shortened to {@code [OPTIONS]} (the
     * options follow one by one), without colours or trailing blanks.
     */
    static String block(String help) {
        String own =
                JOB_OPTIONS_FOLLOW
                        .matcher(COLOUR.matcher(help).replaceAll(""))
                        .replaceFirst(
                                "Options of the job: as listed under \"The job\" on this page.");
        List<String> lines = own.lines().map(String::stripTrailing).toList();
        Matcher usage = USAGE.matcher(lines.get(0));
        if (!usage.lookingAt())
            throw new IllegalStateException("a help that does not start with Usage: " + own);
        // the synopsis goes on in lines indented to just after "Usage: NAME "
        String indent = " ".repeat(usage.end());
        int next = 1;
        while (next < lines.size()
                && lines.get(next).startsWith(indent)
                && !lines.get(next).startsWith(indent + " ")) next++;
        return ("Usage: "
                        + usage.group(1)
                        + " [OPTIONS]\n"
                        + String.join("\n", lines.subList(next, lines.size())))
                .strip();
    }

    /** What {@code command} prints to standard output. */
    private static String printed(Runnable command) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
