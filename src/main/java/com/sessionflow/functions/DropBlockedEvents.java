package com.sessionflow.functions;

import com.sessionflow.event.Event;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Drops the event types a tracking plan blocked or deleted (--blocked-events) before anything else
 * sees them (deduplication, lateness, sessions, metrics), and counts them: the Flink counter {@code
 * blockedEvents}.
 */
public class DropBlockedEvents extends RichFilterFunction<Event> {

    private static final long serialVersionUID = 1L;

    private final Set<String> blockedTypes;
    private transient Counter blockedEvents;

    public DropBlockedEvents(Set<String> blockedTypes) {
        this.blockedTypes = Set.copyOf(blockedTypes);
    }

    @Override
    public void open(OpenContext openContext) {
        blockedEvents = getRuntimeContext().getMetricGroup().counter("blockedEvents");
    }

    @Override
    public boolean filter(Event e) {
        if (blockedTypes.contains(e.eventType)) {
            blockedEvents.inc();
            return false;
        }
        return true;
    }
}
