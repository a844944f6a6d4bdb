package com.sessionflow.cluster;

import java.time.Duration;
import java.util.function.Supplier;

/** Every wait of the cluster: a condition polled until it holds, or a clear failure. */
public final class Deadline {

    /** A condition; an exception counts as "not yet" and is reported if time runs out. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value that is not there yet while it returns null. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    private Deadline() {}

    /**
     * Polls {@code condition} every {@code poll} until it holds.
     *
     * @param what what is waited for, for the message ("the JobManager's REST endpoint")
     * @param diagnostics what to add to the failure (e.g. the tail of a log); called only then
     * @throws ClusterException when {@code timeout} has passed first
     */
    public static void await(
            String what,
            Duration timeout,
            Duration poll,
            Condition condition,
            Supplier<String> diagnostics) {
        awaitValue(what, timeout, poll, () -> condition.holds() ? Boolean.TRUE : null, diagnostics);
    }

    /** Polls {@code probe} until it returns a value other than null, and returns it. */
    public static <T> T awaitValue(
            String what,
            Duration timeout,
            Duration poll,
            Probe<T> probe,
            Supplier<String> diagnostics) {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null) return value;
            } catch (ClusterException e) {
                // a probe that knows it will never succeed (a process died) fails at once
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while waiting for " + what, e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > end) {
                String detail = diagnostics == null ? "" : diagnostics.get();
                throw new ClusterException(
                        "timed out after "
                                + timeout.toSeconds()
                                + " s waiting for "
                                + what
                                + (last == null ? "" : "; last error: " + last)
                                + (detail.isEmpty() ? "" : "\n" + detail),
                        last);
            }
            sleep(poll);
        }
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted", e);
        }
    }
}
