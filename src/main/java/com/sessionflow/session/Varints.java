package com.sessionflow.session;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Variable-length numbers of the state formats: 7 bits a byte, small numbers in one. */
public final class Varints {

    private Varints() {}

    public static void writeUnsigned(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    /** Zig-zag: small negative numbers stay short too. */
    public static void writeSigned(DataOutput out, long v) throws IOException {
        writeUnsigned(out, (v << 1) ^ (v >> 63));
    }

    public static long readUnsigned(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("malformed variable-length number");
    }

    public static long readSigned(DataInput in) throws IOException {
        long v = readUnsigned(in);
        return (v >>> 1) ^ -(v & 1);
    }

    public static int readCount(DataInput in) throws IOException {
        long n = readUnsigned(in);
        if (n < 0 || n > Integer.MAX_VALUE) throw new IOException("count " + n);
        return (int) n;
    }
}
