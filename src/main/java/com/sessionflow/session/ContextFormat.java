package com.sessionflow.session;

import com.sessionflow.event.EventContext;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * How an {@link EventContext} is written, in state and between operators alike: a 16-bit mask of
 * the fields present ({@link EventContext#FIELD_NAMES} by position, then one bit for the chosen
 * properties), then each present one. A mask of 0 is no context: the parser never makes an empty
 * one. How a string is written is the caller's (state refers to strings it already wrote).
 */
public final class ContextFormat {

    private static final int PROPERTIES = 1 << EventContext.FIELD_NAMES.size();

    private ContextFormat() {}

    public interface StringWriter {
        void write(String s) throws IOException;
    }

    public interface StringReader {
        String read() throws IOException;
    }

    public static void write(EventContext c, DataOutput out, StringWriter strings)
            throws IOException {
        if (c == null) {
            out.writeShort(0);
            return;
        }
        String[] fields = c.fields();
        int mask = c.properties != null ? PROPERTIES : 0;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] != null) mask |= 1 << i;
        }
        out.writeShort(mask);
        for (String f : fields) {
            if (f != null) strings.write(f);
        }
        if (c.properties != null) {
            out.writeShort(c.properties.length);
            for (String p : c.properties) strings.write(p);
        }
    }

    public static EventContext read(DataInput in, StringReader strings) throws IOException {
        int mask = in.readUnsignedShort();
        if (mask == 0) return null;
        String[] fields = new String[EventContext.FIELD_NAMES.size()];
        for (int i = 0; i < fields.length; i++) {
            if ((mask & (1 << i)) != 0) fields[i] = strings.read();
        }
        String[] properties = null;
        if ((mask & PROPERTIES) != 0) {
            properties = new String[in.readUnsignedShort()];
            for (int i = 0; i < properties.length; i++) properties[i] = strings.read();
        }
        return EventContext.of(fields, properties);
    }
}
