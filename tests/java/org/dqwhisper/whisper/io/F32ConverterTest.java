package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class F32ConverterTest {
    /** Independent reference: the binary16 value by its definition, evaluated in double. */
    private static double halfReference(int h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        double s = sign == 1 ? -1 : 1;
        if (exp == 0) return s * mant / 1024.0 * Math.pow(2, -14);
        if (exp == 31) return mant == 0 ? s * Double.POSITIVE_INFINITY : Double.NaN;
        return s * (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    }

    @Test
    void everyHalfValueDecodesExactly() {
        int subnormals = 0;
        for (int h = 0; h < 65536; h++) {
            float got = F32Converter.halfToFloat((short) h);
            double want = halfReference(h);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(got), "NaN 0x" + Integer.toHexString(h));
                // the payload moves to the top of the float mantissa, quiet bit included
                assertEquals((h & 0x3ff) << 13, Float.floatToRawIntBits(got) & 0x7fffff, "NaN payload 0x" + Integer.toHexString(h));
            } else {
                // exact: every binary16 value is representable in binary32, so no tolerance
                assertEquals(want, (double) got, 0.0, "half 0x" + Integer.toHexString(h));
                assertEquals(h >>> 15, Float.floatToRawIntBits(got) >>> 31, "sign of 0x" + Integer.toHexString(h));
            }
            if ((h & 0x7c00) == 0 && (h & 0x3ff) != 0) subnormals++;
        }
        assertEquals(2 * 1023, subnormals);
        assertEquals(Math.pow(2, -24), F32Converter.halfToFloat((short) 0x0001), 0.0, "smallest subnormal");
        assertEquals(65504f, F32Converter.halfToFloat((short) 0x7bff), "largest finite");
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloat() {
        float[] samples = {0f, -0f, 1f, -2.5f, 3.0e38f, 1.0e-40f, Float.NEGATIVE_INFINITY};
        for (float f : samples) {
            int bits = Float.floatToRawIntBits(f) & 0xffff0000;
            assertEquals(Float.intBitsToFloat(bits), F32Converter.bfloat16ToFloat((short) (bits >>> 16)));
        }
    }

    @Test
    void convertsEveryDtypeFromLittleEndianBytes() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        // F16: 1.0, -2.0, 2^-24 (smallest subnormal)
        b.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001).flip();
        assertArrayEquals(new float[] {1f, -2f, (float) Math.pow(2, -24)}, convert(StorageDType.F16, b, 3));

        b.clear();
        b.putShort((short) 0x3f80).putShort((short) 0xc040).flip(); // BF16 1.0, -3.0
        assertArrayEquals(new float[] {1f, -3f}, convert(StorageDType.BF16, b, 2));

        b.clear();
        b.put((byte) -128).put((byte) 127).put((byte) 0).flip();
        assertArrayEquals(new float[] {-128f, 127f, 0f}, convert(StorageDType.I8, b, 3));
        b.rewind();
        assertArrayEquals(new float[] {128f, 127f, 0f}, convert(StorageDType.U8, b, 3));
        b.rewind();
        assertArrayEquals(new float[] {1f, 1f, 0f}, convert(StorageDType.BOOL, b, 3));

        b.clear();
        b.putInt(-7).putInt(Integer.MAX_VALUE).flip();
        assertArrayEquals(new float[] {-7f, (float) Integer.MAX_VALUE}, convert(StorageDType.I32, b, 2));

        b.clear();
        b.putLong(-3L).putLong(1L << 40).putDouble(0.1).flip();
        assertArrayEquals(new float[] {-3f, (float) (1L << 40)}, convert(StorageDType.I64, b.slice(0, 16), 2));
        assertArrayEquals(new float[] {(float) 0.1}, convert(StorageDType.F64, b.slice(16, 8), 1));

        b.clear();
        b.putLong(-1L).flip(); // U64 max: 2^64 - 1 rounds to 2^64
        assertArrayEquals(new float[] {(float) Math.pow(2, 64)}, convert(StorageDType.U64, b, 1));

        b.clear();
        b.putFloat(1.5f).putFloat(Float.NaN).flip();
        float[] f32 = convert(StorageDType.F32, b, 2);
        assertEquals(1.5f, f32[0]);
        assertTrue(Float.isNaN(f32[1]));
    }

    @Test
    void writesAtTheDestinationPositionAndChecksSizes() {
        ByteBuffer src = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x4000).putShort((short) 0x4200).flip();
        FloatBuffer dst = FloatBuffer.allocate(5);
        dst.position(2);
        F32Converter.convert(StorageDType.F16, src, dst);
        assertArrayEquals(new float[] {0, 0, 2f, 3f, 0}, dst.array());
        assertEquals(2, dst.position(), "position unchanged");
        assertThrows(IllegalArgumentException.class, () -> F32Converter.convert(StorageDType.F16, src, FloatBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> F32Converter.convert(StorageDType.F32, src.slice(0, 3), FloatBuffer.allocate(4)));
    }

    private static float[] convert(StorageDType dtype, ByteBuffer src, int n) {
        FloatBuffer out = FloatBuffer.allocate(n);
        F32Converter.convert(dtype, src, out);
        return out.array();
    }
}
