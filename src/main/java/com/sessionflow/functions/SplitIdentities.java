package com.sessionflow.functions;

import com.sessionflow.event.Event;
import com.sessionflow.session.DeviceLink;
import com.sessionflow.session.IdentityMerge;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Merged identity, before the keyed stages: an identified event goes on to its user's sessionizer
 * and sends its device's linker only the link it makes ({@link DeviceLink}), so that it crosses the
 * network once, as under {@code --identity user}; an anonymous event goes to its device's linker.
 * Stateless.
 */
public class SplitIdentities extends ProcessFunction<Event, Event> {

    private static final long serialVersionUID = 1L;

    /** Anonymous events, for the linker. */
    public static final OutputTag<Event> ANONYMOUS =
            new OutputTag<>("anonymous-events", EventSerializer.TYPE);

    /** The links identified events make, for the linker. */
    public static final OutputTag<DeviceLink> LINKS =
            new OutputTag<>("device-links", DeviceLinkSerializer.TYPE);

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) {
        if (IdentityMerge.isAnonymous(e)) {
            ctx.output(ANONYMOUS, e);
            return;
        }
        out.collect(e);
        DeviceLink link = DeviceLink.of(e);
        if (link != null) ctx.output(LINKS, link);
    }
}
