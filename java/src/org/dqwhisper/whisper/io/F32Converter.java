package org.dqwhisper.whisper.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Converts little-endian stored elements to F32, one chunk at a time (no whole-tensor heap arrays).
 * F16 goes through a 65536-entry table built from the bit layout (exact, subnormals, infinities
 * and NaN payloads included); BF16 is the upper half of an F32 (exact). Integers and F64 are
 * converted like a Java cast (exact up to 2^24 in magnitude, rounded to nearest beyond).
 */
public final class F32Converter {
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) HALF_TO_FLOAT[h] = halfBitsToFloat(h);
    }

    private F32Converter() {}

    /** The float value of IEEE 754 binary16 bits {@code h} (low 16 bits used). */
    public static float halfToFloat(short h) {
        return HALF_TO_FLOAT[h & 0xffff];
    }

    /** The float value of bfloat16 bits {@code b} (low 16 bits used). */
    public static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    private static float halfBitsToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
        if (exp != 0) return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
        // zero or subnormal: mant * 2^-24, exact in float (mant < 2^10)
        float magnitude = Math.scalb((float) mant, -24);
        return sign != 0 ? -magnitude : magnitude;
    }

    /**
     * Converts {@code src.remaining() / dtype.size()} elements from {@code src} (any byte order flag;
     * read as little-endian) into {@code dst} starting at {@code dst}'s position. Positions of both
     * buffers are left unchanged.
     */
    public static void convert(StorageDType dtype, ByteBuffer src, FloatBuffer dst) {
        ByteBuffer in = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / dtype.size();
        if (in.remaining() % dtype.size() != 0) {
            throw new IllegalArgumentException(in.remaining() + " bytes is not a whole number of " + dtype + " elements");
        }
        if (dst.remaining() < n) {
            throw new IllegalArgumentException("destination holds " + dst.remaining() + " floats, need " + n);
        }
        FloatBuffer out = dst.slice();
        switch (dtype) {
            case F32 -> out.put(in.asFloatBuffer());
            case F16 -> {
                ShortBuffer s = in.asShortBuffer();
                for (int i = 0; i < n; i++) out.put(i, HALF_TO_FLOAT[s.get(i) & 0xffff]);
            }
            case BF16 -> {
                ShortBuffer s = in.asShortBuffer();
                for (int i = 0; i < n; i++) out.put(i, Float.intBitsToFloat((s.get(i) & 0xffff) << 16));
            }
            case F64 -> {
                for (int i = 0; i < n; i++) out.put(i, (float) in.getDouble(8 * i));
            }
            case I64 -> {
                for (int i = 0; i < n; i++) out.put(i, (float) in.getLong(8 * i));
            }
            case U64 -> {
                for (int i = 0; i < n; i++) out.put(i, unsignedLongToFloat(in.getLong(8 * i)));
            }
            case I32 -> {
                for (int i = 0; i < n; i++) out.put(i, (float) in.getInt(4 * i));
            }
            case U32 -> {
                for (int i = 0; i < n; i++) out.put(i, (float) (in.getInt(4 * i) & 0xffffffffL));
            }
            case I16 -> {
                for (int i = 0; i < n; i++) out.put(i, in.getShort(2 * i));
            }
            case U16 -> {
                for (int i = 0; i < n; i++) out.put(i, in.getShort(2 * i) & 0xffff);
            }
            case I8 -> {
                for (int i = 0; i < n; i++) out.put(i, in.get(i));
            }
            case U8 -> {
                for (int i = 0; i < n; i++) out.put(i, in.get(i) & 0xff);
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) out.put(i, in.get(i) != 0 ? 1f : 0f);
            }
        }
    }

    private static float unsignedLongToFloat(long v) {
        if (v >= 0) return (float) v;
        // exact halving keeps the sticky bit so the final rounding is still to nearest
        return 2f * (float) ((v >>> 1) | (v & 1));
    }
}
