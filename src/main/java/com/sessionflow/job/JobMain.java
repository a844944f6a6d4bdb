package com.sessionflow.job;

import com.sessionflow.kafka.TopicsException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What a job's {@code main} does around its own options and its run: a bad option, a missing topic
 * or a refused connection stops start-up with its message and exit code 2 (a cluster's {@code flink
 * run} shows both), and {@code --help} prints the usage instead of running.
 */
public final class JobMain {

    /** Builds the job for the options on the environment and runs it. */
    @FunctionalInterface
    public interface Run<O> {
        void run(StreamExecutionEnvironment env, O options) throws Exception;
    }

    private JobMain() {}

    public static <O> void launch(
            String[] args,
            Function<String[], O> parse,
            Predicate<O> helpRequested,
            Supplier<String> usage,
            Run<O> run)
            throws Exception {
        O options;
        try {
            options = parse.apply(args);
        } catch (InvalidOptionException e) {
            System.err.println(e.getMessage());
            System.err.println("Run with --help to list the options.");
            System.exit(2);
            return;
        }
        if (helpRequested.test(options)) {
            System.out.println(usage.get());
            return;
        }
        try {
            run.run(StreamExecutionEnvironment.getExecutionEnvironment(), options);
        } catch (TopicsException | InvalidOptionException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
