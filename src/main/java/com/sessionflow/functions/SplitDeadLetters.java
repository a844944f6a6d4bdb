package com.sessionflow.functions;

import com.sessionflow.event.DeadLetter;
import com.sessionflow.event.Event;
import com.sessionflow.event.ParsedRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Events go on; dead letters go to a side output for the dead-letter topic; a partition's restored
 * clock has done its work in the source's watermark generator and stops here.
 */
public class SplitDeadLetters extends ProcessFunction<ParsedRecord, Event> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    @Override
    public void processElement(ParsedRecord record, Context ctx, Collector<Event> out) {
        if (record.isEvent()) out.collect(record.event);
        else if (record.isDeadLetter()) ctx.output(DEAD_LETTERS, record.deadLetter);
    }
}
