package com.sessionflow.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Creates {@code java.io.tmpdir} before any test runs (registered in {@code META-INF/services}), so
 * every test, not only those using this package's fixtures, can create temp files in a clean build
 * folder.
 */
public final class CreateTmpDir implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        TestDirs.tmp();
    }
}
