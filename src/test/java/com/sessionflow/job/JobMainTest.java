package com.sessionflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.sessionflow.postgres.PostgresJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The jobs' {@code main} as {@code flink run} starts it, in a JVM of its own: a bad or missing
 * option stops start-up with exit code 2 and a message naming it; {@code --help} prints the usage.
 */
@Timeout(120) // the output is read to its end before waitFor: a hung start fails here
class JobMainTest {

    static Stream<Arguments> starts() {
        return Stream.of(
                Arguments.of(SessionJob.class, List.of("--gap", "soon"), 2, "--gap"),
                Arguments.of(SessionJob.class, List.of("--help"), 0, "--split-at-midnight"),
                Arguments.of(PostgresJob.class, List.of(), 2, "--jdbc-url"),
                Arguments.of(PostgresJob.class, List.of("--help"), 0, "--jdbc-password-file"));
    }

    @ParameterizedTest
    @MethodSource("starts")
    void startUpEndsWithItsExitCodeAndSaysWhy(
            Class<?> job, List<String> args, int exitCode, String named) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                job.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the process ends").isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(exitCode);
        assertThat(output).contains(named);
    }
}
