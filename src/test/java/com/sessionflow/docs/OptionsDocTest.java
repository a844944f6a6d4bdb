package com.sessionflow.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.sessionflow.demo.Demo;
import com.sessionflow.inspect.Inspect;
import com.sessionflow.job.JobOptions;
import com.sessionflow.postgres.PostgresOptions;
import com.sessionflow.replay.ExportReplay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

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

    /** Every command of the jar with options, by the name its markers carry. */
    static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("job", JobOptions::new);
        commands.put("demo", Demo::new);
        commands.put("export-replay", ExportReplay::new);
        commands.put("postgres", PostgresOptions::new);
        commands.put("inspect", Inspect::new);
        return commands;
    }

    /**
     * The commands whose --help ends with the job's options (JobOptions.execute, ExportReplay's
     * usage): on the page, those stand once, under "The job".
     */
    static final Set<String> ENDS_WITH_JOB_OPTIONS = Set.of("demo", "export-replay", "inspect");

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
        for (Map.Entry<String, Supplier<Object>> command : commands().entrySet()) {
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
                            + usage(
                                    command.getValue().get(),
                                    ENDS_WITH_JOB_OPTIONS.contains(command.getKey()))
                            + "\n```\n"
                            + result.substring(to);
        }
        return result;
    }

    /** What {@code --help} prints, with the synopsis shortened and without colours. */
    static String usage(Object command, boolean endsWithJobOptions) {
        CommandLine cl = new CommandLine(command);
        cl.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        if (endsWithJobOptions)
            cl.getCommandSpec()
                    .usageMessage()
                    .footer("%nOptions of the job: as listed under \"The job\" on this page.");
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF)
                .lines()
                .map(String::stripTrailing)
                .collect(Collectors.joining("\n"))
                .strip();
    }
}
