package com.sessionflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the numbers come from, and the JVM flags every forked scenario gets. */
final class Machine {

    /** Flink's --add-opens list for Java 17 (the pom's flink.jvm.opens). */
    static final String[] FLINK_OPENS = {
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.text=ALL-UNNAMED",
                "--add-opens=java.base/java.time=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"
    };

    private Machine() {}

    static String describe() {
        return "cpus="
                + Runtime.getRuntime().availableProcessors()
                + ", cpu="
                + firstLine(Path.of("/proc/cpuinfo"), "model name")
                + ", memory="
                + firstLine(Path.of("/proc/meminfo"), "MemTotal")
                + ", jdk="
                + System.getProperty("java.vm.name")
                + " "
                + System.getProperty("java.runtime.version")
                + ", load="
                + firstLine(Path.of("/proc/loadavg"), "");
    }

    private static String firstLine(Path file, String prefix) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String l : lines) {
                if (l.startsWith(prefix)) {
                    int colon = prefix.isEmpty() ? -1 : l.indexOf(':');
                    return l.substring(colon + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it out
        }
        return "?";
    }
}
