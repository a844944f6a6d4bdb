package com.sessionflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test JVM's temporary folder. Surefire points {@code java.io.tmpdir} into the build folder (so
 * Flink's and Kafka's scratch files stay under {@code target/}), but does not create it: everything
 * that writes temp files calls {@link #tmp()} first.
 */
public final class TestDirs {

    private TestDirs() {}

    /** {@code java.io.tmpdir}, created if missing. */
    public static Path tmp() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create java.io.tmpdir " + dir, e);
        }
        return dir;
    }

    /** A fresh folder under {@link #tmp()}. */
    public static Path newDir(String prefix) {
        try {
            return Files.createTempDirectory(tmp(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
