package com.sessionflow.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Files that options point to; a file that cannot be read stops start-up naming the option. */
public final class OptionFiles {

    private OptionFiles() {}

    public static Properties readProperties(Path file, String option) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw cannotRead(file, option, e);
        }
        return p;
    }

    /**
     * A secret kept in a file of its own, so it is never on a command line (where {@code ps} and
     * Flink's web UI show it): the file's text without the line break an editor adds.
     */
    public static String readSecret(Path file, String option) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw cannotRead(file, option, e);
        }
        if (text.isEmpty()) {
            throw new InvalidOptionException(
                    "Invalid value for option '" + option + "': " + file + " is empty");
        }
        return text;
    }

    private static InvalidOptionException cannotRead(Path file, String option, IOException e) {
        return new InvalidOptionException(
                "Invalid value for option '"
                        + option
                        + "': cannot read "
                        + file
                        + ": "
                        + e.getMessage());
    }
}
