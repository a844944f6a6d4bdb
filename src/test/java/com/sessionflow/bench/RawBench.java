package com.sessionflow.bench;

import com.sessionflow.event.EventParser;
import com.sessionflow.event.ParsedRecord;
import com.sessionflow.kafka.JsonRecords;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The "raw" scenario: the floor's work without Flink. The same pre-generated records are parsed by
 * the job's {@link EventParser} and every event (and dead letter) is serialized as the floor's sink
 * serializes it, in a plain loop on one thread: the floor minus this is what Flink itself costs
 * (its network stack between the tasks, the serializers, watermarks, the mailbox).
 */
final class RawBench {

    private RawBench() {}

    static Map<String, Object> run() {
        Probe.reset();
        BenchInput input = BenchInput.current();
        EventParser parser = BenchInput.parser();
        long[] size = new long[1];
        long[] counts = new long[3]; // events, dead letters, bytes written
        Consumer<ParsedRecord> out =
                p -> {
                    if (p.isEvent()) {
                        FlinkBench.encodeEvent(p.event, size);
                        counts[0]++;
                    } else {
                        size[0] = JsonRecords.bytes(JsonRecords.deadLetter(p.deadLetter)).length;
                        counts[1]++;
                    }
                    counts[2] += size[0];
                };
        int middle = input.size() / 2;
        Probe.first();
        for (int i = 0; i < input.size(); i++) {
            if (i == middle) Probe.middle();
            parser.parse(input.origin(i), out);
        }
        Probe.end();
        Probe.add("out.records", counts[0]);
        Probe.add("out.events", counts[0]);
        Probe.add("out.bytes", counts[2]);
        Probe.add("parsed.events", counts[0]);
        Probe.add("parsed.deadLetters", counts[1]);
        return Results.throughput(input, "out");
    }
}
