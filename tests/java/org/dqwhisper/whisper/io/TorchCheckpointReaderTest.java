package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointReaderTest {
    static final Path PT = Path.of("tests/data/tiny-random-a/openai/model.pt");

    @TempDir
    Path dir;

    @Test
    void readsTheOpenAiFixtureLikeTheSafetensorsCopy() throws IOException {
        try (TorchCheckpointReader pt = TorchCheckpointReader.open(PT); SafetensorsFile st = SafetensorsFile.open(SafetensorsFileTest.OPENAI)) {
            assertEquals(st.names(), pt.names(), "same names in the same order");
            assertEquals(80L, pt.dims().get("n_mels"));
            assertEquals(10, pt.dims().size());
            assertTrue(pt.metadata().isEmpty());
            for (String name : pt.names()) {
                assertEquals(st.info(name), pt.info(name), name);
                try (Tensor a = pt.readRaw(name); Tensor b = st.readRaw(name)) {
                    assertEquals(DType.F16, a.dtype());
                    assertArrayEquals(b.toShortArray(), a.toShortArray(), name);
                }
            }
            try (Tensor a = pt.readF32("decoder.token_embedding.weight"); Tensor b = st.readF32("decoder.token_embedding.weight")) {
                assertArrayEquals(b.toFloatArray(), a.toFloatArray());
            }
        }
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** One storage of 12 floats 0..11 viewed three ways: whole [3,4], a row slice at an offset, and a transpose. */
    private Path viewsCheckpoint(String root, boolean deflatePickle) throws IOException {
        byte[] pickle = new PickleBytes().proto(2).op('}').mark()
                .str("dims").op('}').str("n_mels").integer(80).op('s')
                .str("model_state_dict").global("collections", "OrderedDict").op(')').reduce().mark()
                .str("whole").tensor("FloatStorage", "0", 12, 0, new long[] {3, 4}, new long[] {4, 1})
                .str("row1").tensor("FloatStorage", "0", 12, 4, new long[] {4}, new long[] {1})
                .str("transposed").tensor("FloatStorage", "0", 12, 0, new long[] {4, 3}, new long[] {1, 4})
                .str("every_other").tensor("FloatStorage", "0", 12, 1, new long[] {2, 2}, new long[] {4, 2})
                .str("scalar").tensor("FloatStorage", "0", 12, 11, new long[] {}, new long[] {})
                .op('u').op('u').stop().bytes();
        return PickleBytes.writeTorchZip(dir.resolve(root + ".pt"), root, pickle,
                Map.of("0", floats(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)), deflatePickle);
    }

    @Test
    void sharedStoragesOffsetsAndStridesAreMaterializedCorrectly() throws IOException {
        for (boolean deflate : new boolean[] {false, true}) {
            try (TorchCheckpointReader r = TorchCheckpointReader.open(viewsCheckpoint("any-root_name", deflate))) {
                assertEquals(List.of("whole", "row1", "transposed", "every_other", "scalar"), List.copyOf(r.names()));
                assertEquals(Map.of("n_mels", 80L), r.dims());
                assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, read(r, "whole"));
                assertArrayEquals(new float[] {4, 5, 6, 7}, read(r, "row1"));
                assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, read(r, "transposed"));
                assertArrayEquals(new float[] {1, 3, 5, 7}, read(r, "every_other"));
                assertArrayEquals(new float[] {11}, read(r, "scalar"));
                try (Tensor raw = r.readRaw("transposed")) {
                    assertEquals(DType.F32, raw.dtype());
                    assertArrayEquals(new long[] {4, 3}, raw.shape());
                    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, raw.toFloatArray());
                }
            }
        }
    }

    @Test
    void largeTransposeCrossesGatherChunks() throws IOException {
        // [301, 300] viewed as its transpose [300, 301]: 90300 elements, more than one 65536-element gather chunk
        int rows = 301;
        int cols = 300;
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = i;
        byte[] pickle = stateDict("t", "FloatStorage", "0", values.length, 0, new long[] {cols, rows}, new long[] {1, cols});
        Path file = PickleBytes.writeTorchZip(dir.resolve("t.pt"), "archive", pickle, Map.of("0", floats(values)), false);
        try (TorchCheckpointReader r = TorchCheckpointReader.open(file)) {
            float[] t = read(r, "t");
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < rows; j++) {
                    if (t[i * rows + j] != values[j * cols + i]) fail("t[" + i + "][" + j + "] = " + t[i * rows + j]);
                }
            }
        }
    }

    private static float[] read(TorchCheckpointReader r, String name) throws IOException {
        try (Tensor t = r.readF32(name)) {
            assertArrayEquals(r.info(name).shape(), t.shape());
            return t.toFloatArray();
        }
    }

    private CheckpointFormatException rejected(byte[] pickle, Map<String, byte[]> storages, String... words) throws IOException {
        Path p = PickleBytes.writeTorchZip(dir.resolve("bad.pt"), "archive", pickle, storages, false);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TorchCheckpointReader.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        for (String w : words) assertTrue(e.getMessage().contains(w), "mentions '" + w + "': " + e.getMessage());
        return e;
    }

    private static byte[] stateDict(String name, String type, String key, long numel, long offset, long[] size, long[] stride) {
        return new PickleBytes().proto(2).op('}').str(name).tensor(type, key, numel, offset, size, stride).op('s').stop().bytes();
    }

    @Test
    void viewsOutsideTheirStorageAreRejected() throws IOException {
        Map<String, byte[]> s = Map.of("0", floats(1, 2, 3, 4));
        CheckpointFormatException e = rejected(stateDict("w", "FloatStorage", "0", 4, 2, new long[] {3}, new long[] {1}), s,
                "reaches element 4 of a storage of 4");
        assertEquals("w", e.tensor());
        rejected(stateDict("w", "FloatStorage", "0", 4, 0, new long[] {2, 2}, new long[] {3, 1}), s, "'w'", "reaches element 4");
        rejected(stateDict("w", "FloatStorage", "0", 4, -1, new long[] {2}, new long[] {1}), s, "'w'", "offset -1");
        rejected(stateDict("w", "FloatStorage", "0", 8, 0, new long[] {4}, new long[] {1}), s, "'w'", "holds 16 bytes", "8 x F32 = 32");
        rejected(stateDict("w", "FloatStorage", "9", 4, 0, new long[] {4}, new long[] {1}), s, "'w'", "archive/data/9 is missing");
    }

    @Test
    void maliciousPickleInsideACheckpointIsRejected() throws IOException {
        Path canary = dir.resolve("pwned");
        byte[] evil = new PickleBytes().proto(2).op('}').str("w").global("os", "system").mark().str("touch " + canary).tuple()
                .reduce().op('s').stop().bytes();
        rejected(evil, Map.of(), "archive/data.pkl byte", "'os.system' is not allowed");
        assertFalse(Files.exists(canary));
        byte[] notTensor = new PickleBytes().proto(2).op('}').str("w").integer(5).op('s').stop().bytes();
        rejected(notTensor, Map.of(), "'w'", "not a tensor");
    }

    @Test
    void nonTorchFilesAreRejectedClearly() throws IOException {
        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46});
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TorchCheckpointReader.open(legacy));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        Path zipWithoutPickle = PickleBytes.writeTorchZip(dir.resolve("nopickle.pt"), "x", new byte[0], Map.of(), false);
        Files.write(zipWithoutPickle, new byte[0]);
        assertThrows(CheckpointFormatException.class, () -> TorchCheckpointReader.open(zipWithoutPickle));
        byte[] valid = Files.readAllBytes(PT);
        Path truncated = dir.resolve("truncated.pt");
        Files.write(truncated, java.util.Arrays.copyOf(valid, valid.length / 2));
        e = assertThrows(CheckpointFormatException.class, () -> TorchCheckpointReader.open(truncated));
        assertTrue(e.getMessage().contains("end-of-central-directory"), e.getMessage());
    }

    @Test
    void corruptPickleEntryIsCaughtByItsCrc() throws IOException {
        byte[] data = Files.readAllBytes(PT);
        // flip one bit inside the stored model/data.pkl
        Map<String, ZipDirectory.Entry> entries;
        try (var ch = java.nio.channels.FileChannel.open(PT)) {
            entries = ZipDirectory.read(PT, ch);
        }
        long at;
        try (var ch = java.nio.channels.FileChannel.open(PT)) {
            at = ZipDirectory.dataOffset(PT, ch, entries.get("model/data.pkl")) + 100;
        }
        data[(int) at] ^= 0x20;
        Path p = dir.resolve("flipped.pt");
        Files.write(p, data);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TorchCheckpointReader.open(p));
        assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
    }

    @Test
    void zip64DirectoriesAreRead() throws IOException {
        // 65540 entries force the ZIP64 end record (the classic one counts at most 65535)
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", floats(2.5f));
        for (int i = 1; i < 65540; i++) storages.put("pad" + i, new byte[0]);
        byte[] p = stateDict("w", "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        Path file = PickleBytes.writeTorchZip(dir.resolve("zip64.pt"), "archive", p, storages, false);
        try (TorchCheckpointReader r = TorchCheckpointReader.open(file)) {
            assertArrayEquals(new float[] {2.5f}, read(r, "w"));
        }
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer tail = ZipDirectory.readAt(ch, ch.size() - 22 - 20, 4);
            assertEquals(0x07064b50, tail.getInt(0), "the file really has a ZIP64 locator");
        }
    }

    @Test
    void bareStateDictWithoutDimsIsAccepted() throws IOException {
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", new byte[] {0, 0x3c, 0, (byte) 0xc0}); // F16 1.0, -2.0
        byte[] p = stateDict("w", "HalfStorage", "0", 2, 0, new long[] {2}, new long[] {1});
        Path file = PickleBytes.writeTorchZip(dir.resolve("bare.pt"), "archive", p, storages, false);
        try (TorchCheckpointReader r = TorchCheckpointReader.open(file)) {
            assertNull(r.dims());
            assertArrayEquals(new float[] {1f, -2f}, read(r, "w"));
        }
    }
}
