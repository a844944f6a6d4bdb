package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.amplitude.Amplitude;
import com.amplitude.AmplitudeCallbacks;
import com.amplitude.AmplitudeLog;
import com.amplitude.Event;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.testing.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real Amplitude SDKs as clients: the Node and Browser SDKs through the scripts in src/test/sdk
 * (installed by {@code npm ci} there, as .ci/run does), the Java SDK in this JVM. Each reports
 * every track() it made with the SDK's own verdict, as JSON objects.
 */
final class SdkClients {

    static final Path SDK_DIR = Path.of("src", "test", "sdk").toAbsolutePath();

    private SdkClients() {}

    /** A started node script: its results come with {@link #results}. */
    static final class NodeRun {
        private final Process process;
        private final Path out;
        private final Path err;
        private final String script;

        private NodeRun(Process process, Path out, Path err, String script) {
            this.process = process;
            this.out = out;
            this.err = err;
            this.script = script;
        }

        /** Waits for the script to end and returns one object per track(). */
        List<JsonNode> results(Duration timeout) throws Exception {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(script + " did not end in " + timeout + ": " + log());
            }
            assertThat(process.exitValue()).as("%s failed: %s", script, log()).isZero();
            List<JsonNode> results = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) results.add(Upload.JSON.readTree(line));
            }
            return results;
        }

        private String log() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }
    }

    /** Starts {@code node SCRIPT ARGS} in src/test/sdk. */
    static NodeRun node(String script, String... args) throws IOException {
        if (!Files.isDirectory(SDK_DIR.resolve("node_modules"))) {
            throw new AssertionError(
                    "the SDKs are not installed: run `npm ci` in src/test/sdk (.ci/run does)");
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(TestDirs.tmp(), "sdk-", ".out");
        Path err = Files.createTempFile(TestDirs.tmp(), "sdk-", ".err");
        Process p =
                new ProcessBuilder(command)
                        .directory(SDK_DIR.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        return new NodeRun(p, out, err, script);
    }

    /**
     * Amplitude's Java SDK logging {@code events} events for each of {@code devices} devices (each
     * with a user), then flushing; returns one object per logEvent() once every callback came.
     */
    static List<JsonNode> javaSdk(String serverUrl, String prefix, int devices, int events)
            throws Exception {
        ConcurrentLinkedQueue<JsonNode> results = new ConcurrentLinkedQueue<>();
        CountDownLatch answered = new CountDownLatch(devices * events);
        Amplitude amplitude = Amplitude.getInstance(prefix);
        amplitude.init("sessionflow-test");
        amplitude.setServerUrl(serverUrl);
        amplitude.setLogMode(AmplitudeLog.LogMode.ERROR);
        amplitude.setEventUploadThreshold(10);
        amplitude.setEventUploadPeriodMillis(200);
        amplitude.setCallbacks(
                new AmplitudeCallbacks() {
                    @Override
                    public void onLogEventServerResponse(Event event, int status, String message) {
                        ObjectNode r = Upload.JSON.createObjectNode();
                        r.put("code", status);
                        r.put("message", message);
                        r.put("insert_id", event.insertId);
                        r.put("device_id", event.deviceId);
                        r.put("user_id", event.userId);
                        r.put("event_type", event.eventType);
                        r.put("time", event.timestamp);
                        results.add(r);
                        answered.countDown();
                    }
                });
        // the Java SDK sends session_id -1 unless told: out of session, in Amplitude and the job
        // alike. A server app that wants sessions sets it, here to the visit's start
        long sessionId = System.currentTimeMillis();
        for (int i = 0; i < events; i++) {
            for (int d = 0; d < devices; d++) {
                Event e =
                        new Event(
                                prefix + "_event_" + (i % 4),
                                prefix + "-user-" + d,
                                prefix + "-device-" + d);
                e.sessionId = sessionId;
                amplitude.logEvent(e);
            }
            Thread.sleep(50);
        }
        amplitude.flushEvents();
        assertThat(answered.await(60, TimeUnit.SECONDS))
                .as("the Java SDK answered %s of %s events", results.size(), devices * events)
                .isTrue();
        amplitude.shutdown();
        return new ArrayList<>(results);
    }

    /**
     * A self-signed certificate for IP 127.0.0.1 made by the JDK's keytool now (no key is kept in
     * the repository): its PEM files for the server, and an SSL socket factory that trusts it.
     */
    record Tls(Path certPem, Path keyPem, SSLSocketFactory trusting) {

        static Tls selfSigned() throws Exception {
            Path dir = TestDirs.newDir("tls-");
            Path store = dir.resolve("server.p12");
            char[] password = "sessionflow".toCharArray();
            Process keytool =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "keytool")
                                            .toString(),
                                    "-genkeypair",
                                    "-alias",
                                    "ingest",
                                    "-keyalg",
                                    "RSA",
                                    "-keysize",
                                    "2048",
                                    "-validity",
                                    "2",
                                    "-dname",
                                    "CN=127.0.0.1",
                                    "-ext",
                                    "SAN=IP:127.0.0.1",
                                    "-storetype",
                                    "PKCS12",
                                    "-keystore",
                                    store.toString(),
                                    "-storepass",
                                    new String(password))
                            .redirectErrorStream(true)
                            .start();
            String output =
                    new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(keytool.exitValue()).as(output).isZero();

            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("ingest").getEncoded()));
            Files.writeString(key, pem("PRIVATE KEY", ks.getKey("ingest", password).getEncoded()));

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ingest", ks.getCertificate("ingest"));
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return new Tls(cert, key, ssl.getSocketFactory());
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN "
                    + type
                    + "-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(der)
                    + "\n-----END "
                    + type
                    + "-----\n";
        }

        /**
         * Makes HttpsURLConnection (the Java SDK's transport) trust the certificate; returns the
         * factory it replaced, to put back.
         */
        SSLSocketFactory trustForHttpsUrlConnection() {
            SSLSocketFactory previous = HttpsURLConnection.getDefaultSSLSocketFactory();
            HttpsURLConnection.setDefaultSSLSocketFactory(trusting);
            return previous;
        }
    }
}
