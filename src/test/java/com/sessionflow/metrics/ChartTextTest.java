package com.sessionflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartTextTest {

    static MetricsRecord record(
            long bucketStart,
            String platform,
            long sessions,
            long timeSpent,
            long users,
            long[] bins) {
        MetricsRecord r = new MetricsRecord();
        r.bucketStart = bucketStart;
        r.bucketEnd = bucketStart + 3_600_000;
        r.platform = platform;
        r.sessions = sessions;
        r.lengthSessions = sessions;
        r.timeSpentMs = timeSpent;
        r.distinctUsers = users;
        r.events = sessions * 4;
        r.binEdges = new long[] {0, 3_000, 60_000, 3_600_000};
        r.binCounts = bins;
        r.p50LengthMs = 5_000.0;
        r.finalRecord = true;
        r.definition = "gap";
        return r;
    }

    @Test
    void rendersBarsAveragesAndSessionsPerUserPerPlatform() {
        List<ObjectNode> records =
                List.of(
                        record(0, "iOS", 3, 30_000, 2, new long[] {1, 2, 0}).toJson(),
                        record(3_600_000, "iOS", 1, 90_000, 1, new long[] {0, 0, 1}).toJson(),
                        record(0, "all", 4, 40_000, 2, new long[] {1, 3, 0}).toJson());
        String text = ChartText.render(records);
        assertThat(text.indexOf("User Sessions: all"))
                .isLessThan(text.indexOf("User Sessions: iOS"));
        // iOS over both buckets: 4 sessions, 120 s over 4 sessions = 30 s each, 4 sessions / 3
        // user-buckets
        assertThat(text)
                .contains(
                        "sessions 4, average length 30s, sessions per user 1.33, events per session"
                                + " 4.00");
        assertThat(text).contains("[0ms, 3s) " + "#".repeat(20) + " 1");
        // labels padded to the widest; bars scaled to the largest bin (2 sessions = 40 marks)
        assertThat(text).contains("[3s, 1m)  " + "#".repeat(40) + " 2");
        assertThat(text).contains("[1m, 1h)  " + "#".repeat(20) + " 1");
        assertThat(text).contains("[1m, 1h)   0");
        assertThat(text).contains("1970-01-01T01:00:00Z  sessions 1  avg 1m30s  p50 5s");
        assertThat(ChartText.render(List.of())).contains("no metrics records");
    }
}
