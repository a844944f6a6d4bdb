package com.sessionflow.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sessionflow.testing.AmplitudeJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Helpers of the replay tests: export files, and reading the files a replay wrote. */
final class ReplaySupport {

    private ReplaySupport() {}

    static void writeGzip(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            for (String line : lines) w.write(line + "\n");
        }
    }

    /**
     * Every line of every finished file below {@code dir} (FileSink's in-progress files start with
     * a dot).
     */
    static List<String> readNdjson(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(dir)) return lines;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                if (f.getFileName().toString().startsWith(".")) continue;
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) lines.add(line);
                }
            }
        }
        return lines;
    }

    /**
     * Session records by key ({@code owner/session_id}), without the fields a replay may set
     * differently.
     */
    static Map<String, JsonNode> comparable(Map<String, String> byKey) {
        Map<String, JsonNode> out = new TreeMap<>();
        byKey.forEach(
                (k, v) -> {
                    ObjectNode n = (ObjectNode) AmplitudeJson.parse(v);
                    n.remove("revision");
                    n.remove("close_reason");
                    out.put(k, n);
                });
        return out;
    }

    /** NDJSON session records keyed as the Kafka topic keys them; fails on a repeated key. */
    static Map<String, String> byKey(List<String> sessionLines) {
        Map<String, String> out = new TreeMap<>();
        for (String line : sessionLines) {
            JsonNode n = AmplitudeJson.parse(line);
            String key = n.get("owner").asText() + "/" + n.get("session_id").asLong();
            if (out.put(key, line) != null)
                throw new AssertionError("two session records with key " + key);
        }
        return out;
    }
}
