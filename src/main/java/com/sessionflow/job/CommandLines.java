package com.sessionflow.job;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** What every command of the project does with its arguments before checking them. */
public final class CommandLines {

    private CommandLines() {}

    /**
     * Parses {@code args} into the command's options; picocli's complaint (an unknown option, a
     * value of the wrong type) becomes an {@link InvalidOptionException} naming the option.
     *
     * @return whether --help or --version was asked for: then print the usage and check nothing
     */
    public static boolean parse(CommandLine command, String... args) {
        try {
            command.parseArgs(args);
        } catch (ParameterException e) {
            throw new InvalidOptionException(e.getMessage());
        }
        return command.isUsageHelpRequested() || command.isVersionHelpRequested();
    }
}
