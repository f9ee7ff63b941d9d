package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    static final Path HF = Path.of("tests/data/tiny-random-a/hf/model.safetensors");
    static final Path OPENAI = Path.of("tests/data/tiny-random-a/openai/model.safetensors");

    @TempDir
    Path dir;

    /** Writes an 8-byte length, {@code json} and {@code data}, as a safetensors file would be laid out. */
    static Path rawFile(Path dir, String name, String json, byte[] data) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void readsTheFixtureHeaders() throws IOException {
        try (SafetensorsFile hf = SafetensorsFile.open(HF); SafetensorsFile oa = SafetensorsFile.open(OPENAI)) {
            assertEquals(89, hf.names().size());
            assertEquals(89, oa.names().size());
            assertEquals("pt", hf.metadata().get("format"));
            assertTrue(oa.metadata().get("dims").contains("\"n_vocab\": 51865"));
            TensorInfo conv = oa.info("encoder.conv1.weight");
            assertEquals(StorageDType.F16, conv.dtype());
            assertArrayEquals(new long[] {64, 80, 3}, conv.shape());
            TensorInfo emb = hf.info("model.decoder.embed_tokens.weight");
            assertEquals(StorageDType.F32, emb.dtype());
            assertArrayEquals(new long[] {51865, 64}, emb.shape());
            assertEquals(hf.dataStart() % 8, 0, "the reference writer pads the header to 8 bytes");
        }
    }

    @Test
    void f16AndF32FixturesHoldTheSameValues() throws IOException {
        // README: every tensor was rounded to f16 and back, so HF's F32 values are exactly the F16 values
        try (SafetensorsFile hf = SafetensorsFile.open(HF); SafetensorsFile oa = SafetensorsFile.open(OPENAI)) {
            for (String name : oa.names()) {
                String hfName = WhisperTensorNames.toHf(name);
                try (Tensor a = oa.readF32(name); Tensor b = hf.readF32(hfName)) {
                    assertArrayEquals(b.shape(), a.shape(), name);
                    assertEquals(name, a.name());
                    assertTrue(Arrays.equals(a.toFloatArray(), b.toFloatArray()), name); // bitwise (NaN-safe) equality
                }
            }
        }
    }

    @Test
    void rawReadKeepsF16BitsAndMapGivesTheSameBytes() throws IOException {
        try (SafetensorsFile oa = SafetensorsFile.open(OPENAI); Tensor raw = oa.readRaw("encoder.conv1.bias")) {
            assertEquals(DType.F16, raw.dtype());
            short[] bits = raw.toShortArray();
            ByteBuffer mapped = oa.map("encoder.conv1.bias");
            assertEquals(2 * bits.length, mapped.remaining());
            for (int i = 0; i < bits.length; i++) assertEquals(mapped.getShort(2 * i), bits[i]);
            try (Tensor f = oa.readF32("encoder.conv1.bias")) {
                float[] v = f.toFloatArray();
                for (int i = 0; i < bits.length; i++) assertEquals(F32Converter.halfToFloat(bits[i]), v[i]);
            }
        }
    }

    @Test
    void readsEveryDtypeWrittenByTheWriter() throws IOException {
        Path p = dir.resolve("all.safetensors");
        ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(1L << 33).flip();
        try (Tensor f = Tensor.of(new float[] {1.5f, -2f}, 2); Tensor s8 = Tensor.of(new byte[] {-3, 4}, 2, 1);
             Tensor s32 = Tensor.of(new int[] {-9, 1 << 20}, 1, 2)) {
            new SafetensorsWriter(p).add("f", f).add("s8", s8).add("s32", s32)
                    .add("i64", StorageDType.I64, new long[] {2}, out -> out.write(i64.duplicate()))
                    .add("bool", StorageDType.BOOL, new long[] {3}, out -> out.write(ByteBuffer.wrap(new byte[] {1, 0, 1})))
                    .add("bf16", StorageDType.BF16, new long[] {2}, out -> out.write(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0})))
                    .add("f64", StorageDType.F64, new long[] {1}, out -> out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, -0.25)))
                    .add("empty", StorageDType.F32, new long[] {0, 4}, out -> { })
                    .write();
        }
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {1.5f, -2f}, readF32(st, "f"));
            assertArrayEquals(new float[] {-3f, 4f}, readF32(st, "s8"));
            assertArrayEquals(new float[] {-9f, 1 << 20}, readF32(st, "s32"));
            assertArrayEquals(new float[] {-5f, (float) (1L << 33)}, readF32(st, "i64"));
            assertArrayEquals(new float[] {1f, 0f, 1f}, readF32(st, "bool"));
            assertArrayEquals(new float[] {1f, -3f}, readF32(st, "bf16"));
            assertArrayEquals(new float[] {-0.25f}, readF32(st, "f64"));
            try (Tensor raw = st.readRaw("bf16")) {
                assertEquals(DType.BF16, raw.dtype());
                assertArrayEquals(new short[] {0x3f80, (short) 0xc040}, raw.toShortArray());
            }
            assertArrayEquals(new float[0], readF32(st, "empty"));
            try (Tensor raw = st.readRaw("s32")) {
                assertEquals(DType.S32, raw.dtype());
                assertArrayEquals(new int[] {-9, 1 << 20}, raw.toIntArray());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.readRaw("i64"));
            assertTrue(e.getMessage().contains("'i64'") && e.getMessage().contains("readF32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> st.info("nope"));
            assertTrue(e.getMessage().contains("all.safetensors") && e.getMessage().contains("'nope'"), e.getMessage());
        }
    }

    private static float[] readF32(SafetensorsFile st, String name) throws IOException {
        try (Tensor t = st.readF32(name)) {
            assertArrayEquals(st.info(name).shape(), t.shape());
            return t.toFloatArray();
        }
    }

    // ---- corrupt files -------------------------------------------------------------------------

    private CheckpointFormatException corrupt(String json, int dataBytes) throws IOException {
        Path p = rawFile(dir, "bad.safetensors", json, new byte[dataBytes]);
        return assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(p).close());
    }

    private static void assertNames(CheckpointFormatException e, String tensor, String... words) {
        String m = e.getMessage();
        assertTrue(m.contains("bad.safetensors"), "names the file: " + m);
        if (tensor != null) {
            assertTrue(m.contains("'" + tensor + "'"), "names the tensor: " + m);
            assertEquals(tensor, e.tensor());
        }
        for (String w : words) assertTrue(m.contains(w), "mentions '" + w + "': " + m);
    }

    @Test
    void truncatedFileNamesTheTensorThatRunsPastTheEnd() throws IOException {
        Path good = dir.resolve("good.safetensors");
        try (Tensor a = Tensor.of(new float[] {1, 2}, 2); Tensor b = Tensor.of(new float[] {3, 4, 5}, 3)) {
            new SafetensorsWriter(good).add("a", a).add("b", b).write();
        }
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("bad.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 5));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(cut));
        assertNames(e, "b", "past the end", "truncated");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        Path p = dir.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).put("{\"x\":1}    ".getBytes(StandardCharsets.US_ASCII));
        Files.write(p, b.array());
        assertNames(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(p)), null, "header length 1000", "20 bytes");
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Files.write(p, huge.array());
        assertNames(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(p)), null, "header length 18446744073709551615");
        Files.write(p, new byte[] {1, 2, 3});
        assertNames(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(p)), null, "too short");
    }

    @Test
    void overlappingOffsets() throws IOException {
        CheckpointFormatException e = corrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertNames(e, "b", "overlap", "'a'");
    }

    @Test
    void shapeTimesDtypeSizeMustEqualTheByteCount() throws IOException {
        CheckpointFormatException e = corrupt("{\"w\":{\"dtype\":\"F16\",\"shape\":[3,2],\"data_offsets\":[0,8]}}", 8);
        assertNames(e, "w", "[3, 2]", "12 bytes", "hold 8");
    }

    @Test
    void offsetProblems() throws IOException {
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[8,4]}}", 8), "w", "end before they begin");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[-4,0]}}", 8), "w", "negative");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8), "w", "gap of 4 bytes");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 6), null, "2 unexplained trailing bytes");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4,8]}}", 4), "w", "data_offsets has 3 values");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "w", "negative");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4), "w", "overflows");
    }

    @Test
    void malformedHeaders() throws IOException {
        assertNames(corrupt("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4}}", 4), "w", "malformed header JSON");
        assertNames(corrupt("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4), null, "malformed header JSON");
        assertNames(corrupt("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} trailing", 4), null, "malformed header JSON");
        assertNames(corrupt("[1,2]", 0), null, "not an object");
        assertNames(corrupt("{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w", "unknown dtype 'Q4'", "BF16");
        assertNames(corrupt("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "w", "lacks 'shape'");
        assertNames(corrupt("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "w", "not a 64-bit integer");
        assertNames(corrupt("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4), "w", "twice");
        assertNames(corrupt("{\"__metadata__\":{\"k\":1}}", 0), null, "__metadata__ value of 'k'");
        Path p = dir.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4).put(new byte[] {'{', (byte) 0xc3, 0x28, '}'});
        Files.write(p, b.array());
        assertNames(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(p)), null, "UTF-8");
    }

    @Test
    void paddedHeadersAndUnknownFieldsAreAccepted() throws IOException {
        Path p = rawFile(dir, "ok.safetensors", "{\"w\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2],\"extra\":[1]}}   ",
                new byte[] {-1, 2});
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {-1f, 2f}, readF32(st, "w"));
            assertTrue(st.metadata().isEmpty());
        }
    }

    /**
     * A sparse file above 4 GiB: a tensor starting past 2^32 bytes must be read correctly (one mapping
     * cannot cover it). The hole costs no disk space on file systems with sparse files.
     */
    @Test
    void tensorsBeyondFourGibibytesAreReadThroughWindows() throws IOException {
        long filler = (1L << 32) + 4096;
        String json = "{\"filler\":{\"dtype\":\"U8\",\"shape\":[" + filler + "],\"data_offsets\":[0," + filler + "]},"
                + "\"tail\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[" + filler + "," + (filler + 6) + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve("sparse.safetensors");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            ch.write(ByteBuffer.wrap(header));
            ByteBuffer tail = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00).putShort((short) 0xc400).putShort((short) 0x7c00);
            ch.write(tail.flip(), 8 + header.length + filler);
        }
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertEquals(8 + header.length + filler, st.fileOffset("tail"));
            assertArrayEquals(new float[] {1f, -4f, Float.POSITIVE_INFINITY}, readF32(st, "tail"));
            assertThrows(CheckpointFormatException.class, () -> st.map("filler"), "a >2 GiB tensor cannot be one ByteBuffer");
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void tensorsLargerThanOneMappingWindowAreReadWhole() throws IOException {
        // WINDOW_ELEMENTS + 3 elements: two windows, the second with a 3-element tail
        int n = StoredTensorReader.WINDOW_ELEMENTS + 3;
        Path p = dir.resolve("big.safetensors");
        new SafetensorsWriter(p).add("w", StorageDType.F16, new long[] {n}, out -> {
            ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putShort((short) (i * 7 & 0xfbff)); // no inf/NaN
            out.write(b.flip());
        }).write();
        try (SafetensorsFile st = SafetensorsFile.open(p); Tensor f = st.readF32("w"); Tensor raw = st.readRaw("w")) {
            float[] v = f.toFloatArray();
            short[] bits = raw.toShortArray();
            for (int i = 0; i < n; i++) {
                short want = (short) (i * 7 & 0xfbff);
                if (bits[i] != want || v[i] != F32Converter.halfToFloat(want)) {
                    fail("element " + i + ": raw " + bits[i] + " f32 " + v[i] + ", want " + want);
                }
            }
        }
    }

    @Test
    void closedFileRefusesReads() throws IOException {
        SafetensorsFile st = SafetensorsFile.open(OPENAI);
        st.close();
        assertThrows(IllegalStateException.class, () -> st.readF32("encoder.conv1.bias"));
    }
}
