package com.sessionflow.postgres;

import com.sessionflow.job.InvalidOptionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;

/**
 * Where the tables are. {@link #open} turns a connection that fails into a start-up error naming
 * the option to fix; the password is never part of a message or {@link #toString()}.
 */
public final class PostgresConnection implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final String DRIVER = "org.postgresql.Driver";

    /** Seconds to wait for the server at start-up, so a wrong host fails fast. */
    private static final int CONNECT_TIMEOUT_S = 10;

    private final String url;
    private final String user;
    private final String password;

    PostgresConnection(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Opens a connection, or fails with a message naming the option that is wrong. */
    public Connection open() {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_S));
        p.setProperty("ApplicationName", "sessionflow-postgres");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw new InvalidOptionException(cannotConnect(e));
        }
    }

    private String cannotConnect(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // 28xxx: authentication; 3D000: no such database; 08xxx: no connection at all
        String option =
                state.startsWith("28")
                        ? "--jdbc-user' or '--jdbc-password-file"
                        : state.equals("3D000") || state.startsWith("08") ? "--jdbc-url" : null;
        return (option == null
                        ? "Cannot connect to PostgreSQL"
                        : "Invalid value for option '" + option + "': PostgreSQL refused")
                + " ("
                + this
                + "): "
                + e.getMessage();
    }

    /**
     * Creates what is missing of the tables, indexes and views ({@code schema.sql}); every
     * statement can run again over what it made. One transaction, under an advisory lock, so two
     * jobs starting together do not interleave.
     */
    public void applySchema() throws SQLException {
        try (Connection c = open();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT pg_advisory_xact_lock(" + "sessionflow".hashCode() + ")");
            s.execute(resource("schema.sql"));
            c.commit();
        }
    }

    /** The connector's options for its sink: the same URL, user and password. */
    JdbcConnectionOptions sinkOptions() {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder b =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(url)
                        .withDriverName(DRIVER)
                        .withUsername(user)
                        .withConnectionCheckTimeoutSeconds(CONNECT_TIMEOUT_S);
        if (password != null) b.withPassword(password);
        return b.build();
    }

    /** A SQL file of this package, as text. */
    static String resource(String name) {
        try (InputStream in = PostgresConnection.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    @Override
    public String toString() {
        // the URL's parameters may carry a password too: only the server and database are shown
        return url.replaceFirst("\\?.*", "?...")
                + " as "
                + user
                + (password == null ? " (no password)" : " (password from file)");
    }
}
