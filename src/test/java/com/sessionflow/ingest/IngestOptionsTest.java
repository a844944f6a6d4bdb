package com.sessionflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sessionflow.job.InvalidOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A bad option stops start-up with a message naming it and what it allows. */
@Timeout(30)
class IngestOptionsTest {

    @TempDir Path dir;

    private static void rejects(String option, String... args) {
        assertThatThrownBy(() -> IngestOptions.parse(args))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("'" + option + "'");
    }

    @Test
    void defaultsAreAmplitudesLimits() {
        IngestOptions o = IngestOptions.parse();
        assertThat(o.maxEvents).isEqualTo(2000);
        assertThat(o.httpApiMaxBytes).isEqualTo(1 << 20);
        assertThat(o.batchMaxBytes).isEqualTo(20 << 20);
        assertThat(o.minIdLength).isEqualTo(5);
        assertThat(o.topic).isEqualTo("events");
        assertThat(o.apiKeys()).isEmpty();
        assertThat(o.corsOrigins).containsExactly("*");
    }

    @Test
    void badValuesNameTheirOption() throws Exception {
        rejects("--port", "--port", "65536");
        rejects("--port", "--port", "eighty");
        rejects("--max-events", "--max-events", "0");
        rejects("--httpapi-max-bytes", "--httpapi-max-bytes", "0");
        rejects("--min-id-length", "--min-id-length", "0");
        rejects("--send-timeout", "--send-timeout", "10ms");
        rejects("--send-timeout", "--send-timeout", "soon");
        rejects("--topic", "--topic", " ");
        rejects("--tls-key", "--tls-cert", dir.resolve("cert.pem").toString());
        Path key = Files.writeString(dir.resolve("key.pem"), "k");
        rejects(
                "--tls-cert",
                "--tls-cert",
                dir.resolve("missing.pem").toString(),
                "--tls-key",
                key.toString());
        rejects("--api-keys-file", "--api-keys-file", dir.resolve("none").toString());
        Path comments = Files.writeString(dir.resolve("keys"), "# no key here\n");
        rejects("--api-keys-file", "--api-keys-file", comments.toString());
        rejects("--unknown", "--unknown");
    }

    @Test
    void theKeysFileHoldsOneKeyALine() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "# site\nkey-one\n\n  key-two  \n");
        assertThat(IngestOptions.parse("--api-keys-file", keys.toString()).apiKeys())
                .containsExactly("key-one", "key-two");
    }
}
