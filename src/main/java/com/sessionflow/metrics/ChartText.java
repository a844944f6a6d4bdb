package com.sessionflow.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Amplitude's User Sessions chart as text, from the latest metrics record of each key ({@code
 * <bucket_start>/<platform>}) of the metrics topic. Per platform ({@code all} first): the length
 * distribution as bars (bins summed over the buckets: exact), average length over all buckets (time
 * spent / sessions with a length), sessions per user (sessions / users, users counted per bucket as
 * the chart does per interval), then one line per bucket.
 *
 * <pre>{@code String chart = ChartText.render(latestRecordPerKey.values());}</pre>
 */
public final class ChartText {

    private static final int BAR_WIDTH = 40;
    private static final int MAX_BUCKET_LINES = 24;

    private ChartText() {}

    public static String render(Collection<? extends JsonNode> latestRecords) {
        Map<String, List<JsonNode>> byPlatform =
                new TreeMap<>(
                        (a, b) -> {
                            if (a.equals(b)) return 0;
                            if (a.equals(MetricsDelta.ALL)) return -1;
                            if (b.equals(MetricsDelta.ALL)) return 1;
                            return a.compareTo(b);
                        });
        for (JsonNode r : latestRecords) {
            if (r == null || r.isNull() || !r.has("platform")) continue;
            byPlatform.computeIfAbsent(r.get("platform").asText(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder out = new StringBuilder();
        if (byPlatform.isEmpty()) return "User Sessions: no metrics records yet\n";
        for (Map.Entry<String, List<JsonNode>> e : byPlatform.entrySet()) {
            renderPlatform(out, e.getKey(), e.getValue());
        }
        return out.toString();
    }

    private static void renderPlatform(StringBuilder out, String platform, List<JsonNode> records) {
        records.sort(
                (a, b) ->
                        Long.compare(
                                a.path("bucket_start").asLong(), b.path("bucket_start").asLong()));
        long sessions = 0,
                lengthSessions = 0,
                timeSpent = 0,
                userBuckets = 0,
                events = 0,
                finals = 0;
        Map<String, Long> bins = new LinkedHashMap<>();
        for (JsonNode r : records) {
            sessions += r.path("sessions").asLong();
            lengthSessions += r.path("length_sessions").asLong();
            timeSpent += r.path("time_spent_ms").asLong();
            userBuckets += r.path("distinct_users").asLong();
            events += r.path("events").asLong();
            if (r.path("final").asBoolean()) finals++;
            for (JsonNode b : r.path("length_distribution")) {
                String label =
                        "["
                                + duration(b.path("from_ms").asDouble())
                                + ", "
                                + duration(b.path("to_ms").asDouble())
                                + ")";
                bins.merge(label, b.path("sessions").asLong(), Long::sum);
            }
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "User Sessions: %s (%d bucket%s, %d final)%n",
                        platform,
                        records.size(),
                        records.size() == 1 ? "" : "s",
                        finals));
        out.append(
                String.format(
                        Locale.ROOT,
                        "  sessions %d, average length %s, sessions per user %s, events per session"
                                + " %s%n",
                        sessions,
                        lengthSessions == 0 ? "-" : duration(timeSpent / (double) lengthSessions),
                        userBuckets == 0
                                ? "-"
                                : String.format(
                                        Locale.ROOT, "%.2f", sessions / (double) userBuckets),
                        sessions == 0
                                ? "-"
                                : String.format(Locale.ROOT, "%.2f", events / (double) sessions)));
        long most = bins.values().stream().mapToLong(Long::longValue).max().orElse(0);
        int labelWidth = bins.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, Long> b : bins.entrySet()) {
            int width = most == 0 ? 0 : (int) Math.round(BAR_WIDTH * b.getValue() / (double) most);
            if (width == 0 && b.getValue() > 0) width = 1;
            out.append(
                    String.format(
                            Locale.ROOT,
                            "  %-" + labelWidth + "s %s %d%n",
                            b.getKey(),
                            "#".repeat(width),
                            b.getValue()));
        }
        int from = Math.max(0, records.size() - MAX_BUCKET_LINES);
        if (from > 0) out.append("  ... ").append(from).append(" earlier buckets\n");
        for (JsonNode r : records.subList(from, records.size())) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "  %s  sessions %d  avg %s  p50 %s  p90 %s  per user %s%s%n",
                            Instant.ofEpochMilli(r.path("bucket_start").asLong()),
                            r.path("sessions").asLong(),
                            r.path("average_length_ms").isNumber()
                                    ? duration(r.path("average_length_ms").asDouble())
                                    : "-",
                            r.path("p50_length_ms").isNumber()
                                    ? duration(r.path("p50_length_ms").asDouble())
                                    : "-",
                            r.path("p90_length_ms").isNumber()
                                    ? duration(r.path("p90_length_ms").asDouble())
                                    : "-",
                            r.path("sessions_per_user").isNumber()
                                    ? String.format(
                                            Locale.ROOT,
                                            "%.2f",
                                            r.path("sessions_per_user").asDouble())
                                    : "-",
                            r.path("final").asBoolean() ? "  final" : ""));
        }
        out.append('\n');
    }

    /** 0s, 3s, 1m, 1h, 1d; with fractions: 2m05s, 1.5s. */
    static String duration(double ms) {
        if (ms < 1_000)
            return ms == Math.rint(ms)
                    ? (long) ms + "ms"
                    : String.format(Locale.ROOT, "%.1fms", ms);
        if (ms < 60_000) return trim(String.format(Locale.ROOT, "%.1f", ms / 1_000)) + "s";
        long s = Math.round(ms / 1_000);
        if (s % 86_400 == 0) return s / 86_400 + "d";
        if (s % 3_600 == 0) return s / 3_600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        if (s < 3_600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3_600, (s % 3_600) / 60, s % 60);
    }

    private static String trim(String number) {
        return number.endsWith(".0") ? number.substring(0, number.length() - 2) : number;
    }
}
