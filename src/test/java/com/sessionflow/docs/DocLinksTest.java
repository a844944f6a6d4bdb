package com.sessionflow.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in README.md and docs/ leads somewhere: the file or folder exists and, for a
 * link into a Markdown page, the {@code #anchor} is one of its headings as GitHub names them. Pages
 * move between README.md and docs/, so a link left behind fails here and not in a reader's browser.
 */
class DocLinksTest {

    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)[^)]*\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    @Test
    @Timeout(60)
    void everyRelativeLinkOfTheReadmeAndTheDocsResolves() {
        List<Path> pages = pages(Path.of("."));
        assertThat(pages).contains(Path.of("README.md"), Path.of("docs", "README.md"));
        assertThat(brokenLinks(pages)).as("links that lead nowhere").isEmpty();
    }

    @Test
    @Timeout(60)
    void aBrokenLinkOrAnchorIsFound(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(
                dir.resolve("README.md"),
                """
                # Start here

                [ok](docs/a.md#time-watermarks-and-lateness) [ok](#start-here) [web](https://x.org)
                [missing page](docs/b.md) [missing anchor](docs/a.md#time)
                `[in code](docs/c.md)`

                ```
                [in a block](docs/d.md)
                ```
                """);
        Files.writeString(
                dir.resolve("docs/a.md"),
                "# A\n\n## Time: watermarks, and lateness\n\n[back](../README.md#nowhere)\n");
        List<String> broken = brokenLinks(pages(dir));
        assertThat(broken)
                .hasSize(3)
                .anySatisfy(b -> assertThat(b).contains("README.md").contains("docs/b.md"))
                .anySatisfy(b -> assertThat(b).contains("docs/a.md#time"))
                .anySatisfy(b -> assertThat(b).contains("../README.md#nowhere"));
    }

    @Test
    @Timeout(60)
    void anchorsAreGitHubs() {
        assertThat(slug("Session records (`sessions`)")).isEqualTo("session-records-sessions");
        assertThat(slug("§7 Runaway owners (ours)")).isEqualTo("7-runaway-owners-ours");
        assertThat(slug("Run on a real Flink cluster (no Docker, no Flink download)"))
                .isEqualTo("run-on-a-real-flink-cluster-no-docker-no-flink-download");
        assertThat(slug("`inspect`: one owner's events")).isEqualTo("inspect-one-owners-events");
        assertThat(slug("See [Replay](replay.md) now")).isEqualTo("see-replay-now");
    }

    /** README.md and every Markdown page under docs/, relative to {@code root}. */
    static List<Path> pages(Path root) {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages.stream().map(Path::normalize).toList();
    }

    /** "page: target (why)" for each relative link of {@code pages} that leads nowhere. */
    static List<String> brokenLinks(List<Path> pages) {
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            for (String target : links(read(page))) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) continue; // https:, mailto:
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path to =
                        file.isEmpty()
                                ? page
                                : page.resolveSibling(
                                                URLDecoder.decode(file, StandardCharsets.UTF_8))
                                        .normalize();
                if (!Files.exists(to)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (anchor != null && to.toString().endsWith(".md")) {
                    Set<String> known = anchors.computeIfAbsent(to, p -> headingAnchors(read(p)));
                    if (!known.contains(anchor))
                        broken.add(page + ": " + target + " (no such heading in " + to + ")");
                }
            }
        }
        return broken;
    }

    /** The link targets of a page, outside code blocks and inline code. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        for (String line : prose(markdown)) {
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (m.find()) targets.add(m.group(1));
        }
        return targets;
    }

    /** The anchors GitHub gives a page's headings: a repeated heading gets -1, -2, ... */
    static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(markdown)) {
            Matcher m = HEADING.matcher(line);
            if (!m.matches()) continue;
            String slug = slug(m.group(1));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    /**
     * GitHub's anchor of a heading: the text of its links, lower case, without punctuation but
     * hyphens and underscores, spaces as hyphens.
     */
    static String slug(String heading) {
        return heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc}\\- ]", "")
                .replace(' ', '-');
    }

    /** The lines of a page outside fenced code blocks. */
    private static List<String> prose(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.stripLeading();
            if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) fenced = !fenced;
            else if (!fenced) lines.add(line);
        }
        return lines;
    }

    private static String read(Path page) {
        try {
            return Files.readString(page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
