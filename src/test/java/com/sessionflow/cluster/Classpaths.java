package com.sessionflow.cluster;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The classpaths of the child processes, taken from this JVM's own (Maven's test classpath, so the
 * versions are the pom's): jars only, never the project's classes.
 */
final class Classpaths {

    private Classpaths() {}

    /**
     * The jars of this JVM's classpath, without anything under the build folder (the project's
     * classes, test classes and its job jar, which Failsafe puts there instead of the classes).
     */
    static List<String> jars(Path buildDir) {
        Path build = buildDir.toAbsolutePath().normalize();
        Set<String> out = new LinkedHashSet<>();
        for (String entry : entries()) {
            if (entry.isBlank() || !entry.endsWith(".jar")) continue;
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (p.startsWith(build) || !Files.isRegularFile(p)) continue;
            out.add(p.toString());
        }
        if (out.isEmpty()) {
            throw new ClusterException(
                    "no jars on this JVM's classpath (java.class.path="
                            + System.getProperty("java.class.path")
                            + "): run it through Maven (mvn verify, bin/local-cluster)");
        }
        return new ArrayList<>(out);
    }

    /**
     * The jars of the JobManager and the TaskManagers: Flink and its dependencies. Left out: the
     * job's own connector (flink-connector-kafka is in the job jar; on the cluster's classpath it
     * would be loaded parent-first, as all org.apache.flink classes are, next to the job jar's
     * kafka-clients, which is loaded child-first: a LinkageError) and test jars (their service
     * files register test factories).
     */
    static List<String> flinkJars(Path buildDir) {
        List<String> jars = new ArrayList<>();
        for (String jar : jars(buildDir)) {
            String file = Path.of(jar).getFileName().toString();
            if (file.startsWith("flink-connector-kafka") || file.endsWith("-tests.jar")) continue;
            jars.add(jar);
        }
        requireJar(jars, "flink-runtime-", "org.apache.flink:flink-runtime");
        requireJar(jars, "flink-rpc-akka-loader-", "org.apache.flink:flink-rpc-akka-loader");
        return jars;
    }

    /** The jars of the broker: Kafka's (kafka_2.13 and its dependencies) are among them. */
    static List<String> kafkaJars(Path buildDir) {
        List<String> jars = new ArrayList<>();
        for (String jar : jars(buildDir)) {
            if (!Path.of(jar).getFileName().toString().endsWith("-tests.jar")) jars.add(jar);
        }
        requireJar(jars, "kafka_2.13-", "org.apache.kafka:kafka_2.13");
        return jars;
    }

    static String join(List<String> jars) {
        return String.join(File.pathSeparator, jars);
    }

    /** This JVM's {@code --add-opens}/{@code --add-exports} flags (Surefire's argLine has them). */
    static List<String> moduleFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) flags.add(arg);
        }
        return flags;
    }

    private static List<String> entries() {
        // Surefire and Failsafe name the test classpath here even when they start the JVM with a
        // manifest-only jar
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path", "");
        return List.of(cp.split(File.pathSeparator));
    }

    private static void requireJar(List<String> jars, String prefix, String artifact) {
        boolean found =
                jars.stream().anyMatch(j -> Path.of(j).getFileName().toString().startsWith(prefix));
        if (!found)
            throw new ClusterException(
                    artifact
                            + " is not on the classpath; the local cluster needs it (see pom.xml)");
    }
}
