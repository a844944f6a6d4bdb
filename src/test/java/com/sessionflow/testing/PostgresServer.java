package com.sessionflow.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway PostgreSQL server per test class, from the machine's PostgreSQL binaries (Debian's
 * {@code postgresql} package; {@code .ci/run} installs it): {@code initdb} into a fresh folder, a
 * superuser with a password (password authentication, as a real server has), {@code pg_ctl} on
 * 127.0.0.1 and a free port, stopped and deleted afterwards. As root it runs the server as the
 * package's {@code postgres} user, since PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

    public static final String USER = "sessionflow";

    private Path dir;
    private Path bin;
    private Path passwordFile;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        bin = binaries();
        // as root the server runs as postgres, which must reach its folder: a checkout may sit in
        // a folder only root can enter (mktemp -d makes one), so then it goes under /tmp
        dir =
                isRoot()
                        ? Files.createTempDirectory(Path.of("/tmp"), "sessionflow-postgres-")
                        : TestDirs.newDir("postgres-");
        passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, UUID.randomUUID() + "\n");
        if (isRoot()) run(List.of("chown", "-R", "postgres", dir.toString()));
        asServerUser(
                bin.resolve("initdb").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-U",
                USER,
                "--pwfile=" + passwordFile,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale");
        port = FreePorts.next();
        asServerUser(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                // a test server: nothing survives it, so no fsync
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start");
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (dir == null) return;
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                asServerUser(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-m",
                        "immediate",
                        "-w",
                        "-t",
                        "30",
                        "stop");
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** The superuser's password, in a file as {@code --jdbc-password-file} reads it. */
    public Path passwordFile() {
        return passwordFile;
    }

    /** Creates an empty database and returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl(name);
    }

    public Connection connect(String database) throws SQLException {
        try {
            return DriverManager.getConnection(
                    jdbcUrl(database), USER, Files.readString(passwordFile).strip());
        } catch (IOException e) {
            throw new SQLException("cannot read the password file", e);
        }
    }

    /** The newest PostgreSQL server binaries under Debian's layout. */
    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var newest =
                        versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                                .max(
                                        Comparator.comparingInt(
                                                v -> Integer.parseInt(v.getFileName().toString())));
                if (newest.isPresent()) return newest.get().resolve("bin");
            }
        }
        throw new IllegalStateException(
                "no PostgreSQL server under "
                        + root
                        + ": install Debian's postgresql package (.ci/run does:"
                        + " apt-get install postgresql)");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void asServerUser(String... command) throws Exception {
        List<String> c = new ArrayList<>();
        if (isRoot()) c.addAll(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(List.of(command));
        run(c);
    }

    private void run(List<String> command) throws Exception {
        Path log = Files.createTempFile(TestDirs.tmp(), "postgres-command-", ".log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "timed out after 2 minutes: " + command + "\n" + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                String server =
                        dir != null && Files.isReadable(dir.resolve("server.log"))
                                ? "\nserver log:\n" + Files.readString(dir.resolve("server.log"))
                                : "";
                throw new IllegalStateException(
                        "exit code "
                                + p.exitValue()
                                + ": "
                                + command
                                + "\n"
                                + Files.readString(log)
                                + server);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
