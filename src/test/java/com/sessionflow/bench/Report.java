package com.sessionflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The results as markdown tables, with the ratios the targets are about. */
final class Report {

    private Report() {}

    static String oneLine(JsonNode r) {
        String s = r.path("scenario").asText();
        if (r.has("eventsPerCpuSec")) {
            return String.format(
                    "%s: %,d events, %,d ev/s wall, %,d ev/CPU-s, %,d session records, %d ms",
                    s,
                    r.path("events").asLong(),
                    r.path("eventsPerSec").asLong(),
                    r.path("eventsPerCpuSec").asLong(),
                    r.path("counters").path("out.records").asLong(),
                    r.path("wallMs").asLong());
        }
        return s + ": " + r;
    }

    static String markdown(List<ObjectNode> results, Benchmarks.Options o) {
        StringBuilder b = new StringBuilder();
        Map<String, List<JsonNode>> by = new LinkedHashMap<>();
        for (ObjectNode r : results)
            by.computeIfAbsent(r.path("scenario").asText(), k -> new ArrayList<>()).add(r);

        b.append("### Processing only (in-memory input, parallelism 1)\n\n");
        b.append(
                "| scenario | events | runs | events/CPU-s median (min-max) | events/s wall median"
                        + " (min-max) | session records | late | vs floor |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        double floor = median(by.get("floor"), "eventsPerCpuSec");
        for (String s : Benchmarks.PROCESSING) {
            List<JsonNode> rs = by.get(s);
            if (rs == null) continue;
            JsonNode c = rs.get(0).path("counters");
            double m = median(rs, "eventsPerCpuSec");
            b.append(
                    String.format(
                            "| %s | %,d | %d | %,.0f (%,.0f-%,.0f) | %,.0f (%,.0f-%,.0f) | %s | %,d"
                                    + " | %s |\n",
                            s,
                            rs.get(0).path("events").asLong(),
                            rs.size(),
                            m,
                            min(rs, "eventsPerCpuSec"),
                            max(rs, "eventsPerCpuSec"),
                            median(rs, "eventsPerSec"),
                            min(rs, "eventsPerSec"),
                            max(rs, "eventsPerSec"),
                            s.equals("floor") || s.equals("raw")
                                    ? "-"
                                    : String.format("%,d", c.path("out.first").asLong())
                                            + sessionsDetail(c),
                            c.path("late.records").asLong(),
                            floor > 0 ? String.format("%.2fx", m / floor) : "?"));
        }
        b.append("\nRatios (events per CPU-second, medians):\n\n");
        b.append("| ratio | value | target |\n|---|---:|---:|\n");
        ratio(b, by, "sessionize-heap", "floor", ">= 0.60x");
        ratio(b, by, "sessionize-rocksdb", "floor", ">= 0.35x");
        ratio(b, by, "sessionize-merged-heap", "sessionize-heap", "-");
        ratio(b, by, "sessionize-merged-rocksdb", "sessionize-rocksdb", "-");
        ratio(b, by, "sessionize-heap", "kstreams-inmemory", ">= 3x");
        ratio(b, by, "sessionize-rocksdb", "kstreams-rocksdb", ">= 3x");
        ratio(b, by, "sessionize-heap", "windows-heap", ">= 1.5x");
        ratio(b, by, "sessionize-rocksdb", "windows-rocksdb", ">= 1.5x");
        ratio(b, by, "sessionize-heap", "sql-session-heap", ">= 2x");
        ratio(b, by, "sessionize-rocksdb", "sql-session-rocksdb", ">= 2x");
        ratio(b, by, "floor", "raw", "what Flink costs");

        List<JsonNode> scale = new ArrayList<>();
        by.forEach(
                (k, v) -> {
                    if (k.startsWith("scale-")) scale.addAll(v);
                });
        if (!scale.isEmpty()) {
            b.append("\n### Sessionization as concurrent owners grow\n\n");
            b.append(
                    "| backend | users | owners seen | events | events/CPU-s (all) | events/CPU-s"
                            + " (2nd half) | events/s wall (2nd half) |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (JsonNode r : scale) {
                b.append(
                        String.format(
                                "| %s | %,d | %,d | %,d | %,d | %,d | %,d |\n",
                                r.path("scenario").asText().substring(6),
                                r.path("users").asLong(),
                                r.path("owners").asLong(),
                                r.path("events").asLong(),
                                r.path("eventsPerCpuSec").asLong(),
                                r.path("secondHalfEventsPerCpuSec").asLong(),
                                r.path("secondHalfEventsPerSec").asLong()));
            }
        }
        for (JsonNode r : by.getOrDefault("state", List.of())) {
            b.append("\n### State per session\n\n");
            b.append(
                    "| backend | measure | sessions held | open sessions | owners | bytes |"
                            + " bytes/session held | bytes/open session | insert ids held |"
                            + " bytes/insert id |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            List<JsonNode> rows = new ArrayList<>();
            for (JsonNode m : r.path("measures")) {
                rows.add(m);
                m.path("more").forEach(rows::add);
            }
            for (JsonNode m : rows) {
                b.append(
                        String.format(
                                "| %s | %s | %,d | %,d | %,d | %,d | %,.0f | %,.0f | %,d | %s |\n",
                                m.path("backend").asText(),
                                m.path("measure").asText(),
                                m.path("sessions").asLong(),
                                m.path("openSessions").asLong(),
                                m.path("owners").asLong(),
                                m.path("bytes").asLong(),
                                m.path("bytesPerSession").asDouble(),
                                m.path("bytesPerOpenSession").asDouble(),
                                m.path("insertIds").asLong(),
                                m.has("bytesPerInsertId")
                                        ? String.format(
                                                "%.1f", m.path("bytesPerInsertId").asDouble())
                                        : "-"));
            }
        }
        for (JsonNode r : by.getOrDefault("hot-owner", List.of())) {
            b.append(
                    String.format(
                            "\n### Hot owners (%,d events, %,d ordinary owners, harness)\n\n",
                            r.path("events").asLong(), r.path("ordinaryOwners").asLong()));
            b.append(
                    "| backend | hot owners | ordinary event µs | hot event µs | hot / ordinary"
                            + " (target ≤ 1.5) |\n|---|---:|---:|---:|---:|\n");
            for (JsonNode m : r.path("measures")) {
                b.append(
                        String.format(
                                "| %s | %d | %.2f | %.2f | %s |\n",
                                m.path("backend").asText(),
                                m.path("hotOwners").asInt(),
                                m.path("ordinaryEventMicros").asDouble(),
                                m.path("hotEventMicros").asDouble(),
                                m.path("hotOverOrdinary").isNull()
                                        ? "-"
                                        : String.format(
                                                "%.2fx", m.path("hotOverOrdinary").asDouble())));
            }
        }
        List<JsonNode> e2e = new ArrayList<>();
        by.forEach(
                (k, v) -> {
                    if (k.startsWith("e2e-")) e2e.addAll(v);
                });
        if (!e2e.isEmpty()) {
            b.append(
                    "\n"
                        + "### End to end through Kafka (input topic produced first; start to all"
                        + " output committed; the broker in its own process)\n\n");
            b.append(
                    "| scenario | run | events | wall ms | events/s | CPU ms | events/CPU-s |"
                            + " broker CPU ms | events/CPU-s with the broker's | output records |\n"
                            + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (JsonNode r : e2e) {
                b.append(
                        String.format(
                                "| %s | %d | %,d | %,d | %,d | %,d | %,d | %,d | %,d | %,d |\n",
                                r.path("scenario").asText(),
                                r.path("run").asInt(),
                                r.path("events").asLong(),
                                r.path("wallMs").asLong(),
                                r.path("eventsPerSec").asLong(),
                                r.path("cpuMs").asLong(),
                                r.path("eventsPerCpuSec").asLong(),
                                r.path("brokerCpuMs").asLong(),
                                r.path("eventsPerCpuSecWithBroker").asLong(),
                                outputRecords(r)));
            }
            b.append("\nEnd to end, ratios of medians:\n\n");
            b.append(
                    "| ratio | per CPU-second | per CPU-second with the broker's | per wall-second"
                            + " |\n"
                            + "|---|---:|---:|---:|\n");
            for (String[] pair :
                    new String[][] {
                        {"e2e-job", "e2e-floor"},
                        {"e2e-job", "e2e-sql-session"},
                        {"e2e-job", "e2e-sql-user"},
                        {"e2e-job", "e2e-sql-passthrough"},
                        {"e2e-job", "e2e-kstreams-inmemory"},
                        {"e2e-job", "e2e-kstreams-rocksdb"}
                    }) {
                double cpu =
                        median(by.get(pair[0]), "eventsPerCpuSec")
                                / median(by.get(pair[1]), "eventsPerCpuSec");
                double withBroker =
                        median(by.get(pair[0]), "eventsPerCpuSecWithBroker")
                                / median(by.get(pair[1]), "eventsPerCpuSecWithBroker");
                double wall =
                        median(by.get(pair[0]), "eventsPerSec")
                                / median(by.get(pair[1]), "eventsPerSec");
                if (cpu > 0 && Double.isFinite(cpu)) {
                    b.append(
                            String.format(
                                    "| %s / %s | %.2fx | %.2fx | %.2fx |\n",
                                    pair[0], pair[1], cpu, withBroker, wall));
                }
            }
        }
        for (JsonNode r : by.getOrDefault("latency", List.of())) {
            b.append(
                    "\n"
                        + "### Latency: gap expiry to the session record readable (read_committed)"
                        + " in Kafka\n\n");
            b.append(
                    "| phase | sessions | after the watermark could pass (gap expiry +"
                        + " out-of-orderness) p50 / p99 / max ms | from event-time gap expiry p50 /"
                        + " p99 / max ms |\n"
                        + "|---|---:|---:|---:|\n");
            for (JsonNode p : r.path("phases")) {
                if (p.path("sessions").asLong() == 0) {
                    b.append(String.format("| %s | 0 | - | - |\n", p.path("phase").asText()));
                    continue;
                }
                b.append(
                        String.format(
                                "| %s | %,d | %,d / %,d / %,d | %,d / %,d / %,d |\n",
                                p.path("phase").asText(),
                                p.path("sessions").asLong(),
                                p.path("p50").asLong(),
                                p.path("p99").asLong(),
                                p.path("max").asLong(),
                                p.path("gapP50").asLong(),
                                p.path("gapP99").asLong(),
                                p.path("gapMax").asLong()));
            }
            b.append("\n").append(r.path("settings").asText()).append("\n");
        }
        return b.toString();
    }

    private static String sessionsDetail(JsonNode c) {
        long rev = c.path("out.revisions").asLong();
        long ret = c.path("out.retractions").asLong();
        return rev + ret == 0 ? "" : String.format(" (+%,d revisions, %,d retractions)", rev, ret);
    }

    private static void ratio(
            StringBuilder b, Map<String, List<JsonNode>> by, String a, String over, String target) {
        double x = median(by.get(a), "eventsPerCpuSec");
        double y = median(by.get(over), "eventsPerCpuSec");
        if (x <= 0 || y <= 0) return;
        double min = Double.MAX_VALUE;
        double max = 0;
        // spread: the ratios of the runs taken in the same repetition
        List<JsonNode> as = by.get(a);
        List<JsonNode> os = by.get(over);
        for (int i = 0; i < Math.min(as.size(), os.size()); i++) {
            double r =
                    as.get(i).path("eventsPerCpuSec").asDouble()
                            / os.get(i).path("eventsPerCpuSec").asDouble();
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        b.append(
                String.format(
                        "| %s / %s | %.2fx (runs %.2f-%.2f) | %s |\n",
                        a, over, x / y, min, max, target));
    }

    /**
     * What an end-to-end run wrote: the job's session records, or a peer's rows (a session or a
     * copied event each) in its output topic, the first it counts.
     */
    private static long outputRecords(JsonNode r) {
        JsonNode committed = r.path("committed");
        return committed.has("sessions")
                ? committed.path("sessions").asLong()
                : committed.elements().hasNext() ? committed.elements().next().asLong() : 0;
    }

    static double median(List<JsonNode> rs, String field) {
        if (rs == null || rs.isEmpty()) return 0;
        double[] v = rs.stream().mapToDouble(r -> r.path(field).asDouble()).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<JsonNode> rs, String f) {
        return rs.stream().mapToDouble(r -> r.path(f).asDouble()).min().orElse(0);
    }

    private static double max(List<JsonNode> rs, String f) {
        return rs.stream().mapToDouble(r -> r.path(f).asDouble()).max().orElse(0);
    }
}
