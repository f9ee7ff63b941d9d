package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsBytesMetadataAndOrder() throws IOException {
        Path p = dir.resolve("out.safetensors");
        try (Tensor f = Tensor.of(new float[] {1f, -0f, Float.MIN_VALUE, 3.3e38f, 7f, 8f}, 2, 3);
             Tensor h = Tensor.allocate("h", DType.F16, 3); Tensor u = Tensor.allocate("u", DType.U8, 3)) {
            u.copyFrom(new byte[] {1, 2, (byte) 200});
            h.copyFrom(new short[] {0x3c00, (short) 0x8001, 0x7c00});
            new SafetensorsWriter(p).metadata("format", "pt").metadata("note", "quote\" and \u00e9")
                    .add("z.first", f).add("a.second", h).add("m.third", u).write();
        }
        byte[] file = Files.readAllBytes(p);
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        String header = new String(file, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\""), header);
        assertTrue(header.indexOf("z.first") < header.indexOf("a.second"), "insertion order kept");
        assertEquals(header.strip(), header.stripLeading(), "padding is trailing spaces");
        assertTrue(header.endsWith("}") || header.endsWith(" "));
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertEquals(List.of("z.first", "a.second", "m.third"), List.copyOf(st.names()));
            assertEquals("quote\" and \u00e9", st.metadata().get("note"));
            try (Tensor f = st.readF32("z.first"); Tensor h = st.readRaw("a.second"); Tensor u = st.readRaw("m.third")) {
                assertArrayEquals(new long[] {2, 3}, f.shape());
                assertArrayEquals(new float[] {1f, -0f, Float.MIN_VALUE, 3.3e38f, 7f, 8f}, f.toFloatArray());
                assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f.toFloatArray()[1]));
                assertArrayEquals(new short[] {0x3c00, (short) 0x8001, 0x7c00}, h.toShortArray());
                assertEquals(DType.U8, u.dtype());
                assertArrayEquals(new byte[] {1, 2, (byte) 200}, u.toByteArray());
            }
        }
    }

    @Test
    void copiesTheFixtureBitForBit() throws IOException {
        // Re-writing every tensor of the F16 fixture with its metadata reproduces the original file exactly
        // (the fixture was written by the reference library: same layout, same padding).
        Path src = SafetensorsFileTest.OPENAI;
        Path p = dir.resolve("copy.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(src)) {
            SafetensorsWriter w = new SafetensorsWriter(p);
            st.metadata().forEach(w::metadata);
            for (String name : st.names()) {
                TensorInfo info = st.info(name);
                w.add(name, info.dtype(), info.shape(), out -> out.write(st.map(name)));
            }
            w.write();
        }
        try (SafetensorsFile a = SafetensorsFile.open(src); SafetensorsFile b = SafetensorsFile.open(p)) {
            assertEquals(a.names(), b.names());
            for (String n : a.names()) assertEquals(a.map(n), b.map(n), n);
        }
        assertEquals(-1, Files.mismatch(src, p), "identical file, header padding included");
    }

    @Test
    void failureMidwayLeavesTheTargetUntouchedAndNoTempFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.writeString(p, "previous contents");
        SafetensorsWriter w = new SafetensorsWriter(p)
                .add("ok", StorageDType.U8, new long[] {4}, out -> out.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})))
                .add("fails", StorageDType.F32, new long[] {1 << 20}, out -> {
                    out.write(ByteBuffer.allocate(1 << 19)); // half written, then the source breaks
                    throw new IOException("disk on fire");
                });
        IOException e = assertThrows(IOException.class, w::write);
        assertEquals("disk on fire", e.getMessage());
        assertEquals("previous contents", Files.readString(p));
        assertEquals(List.of(p), listFolder(), "temporary file removed");
    }

    @Test
    void payloadOfTheWrongSizeIsRefused() throws IOException {
        Path p = dir.resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter(p).add("short", StorageDType.F16, new long[] {3},
                out -> out.write(ByteBuffer.allocate(4)));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, w::write);
        assertTrue(e.getMessage().contains("'short'") && e.getMessage().contains("wrote 4 bytes, expected 6"), e.getMessage());
        assertFalse(Files.exists(p));
        assertEquals(List.of(), listFolder());
    }

    @Test
    void replacesAnExistingTargetOnSuccess() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.writeString(p, "old");
        try (Tensor t = Tensor.of(new float[] {42f}, 1)) {
            new SafetensorsWriter(p).add("x", t).write();
        }
        try (SafetensorsFile st = SafetensorsFile.open(p); Tensor x = st.readF32("x")) {
            assertArrayEquals(new float[] {42f}, x.toFloatArray());
        }
        assertEquals(List.of(p), listFolder());
    }

    @Test
    void misuseIsRejected() {
        SafetensorsWriter w = new SafetensorsWriter(dir.resolve("x.safetensors"));
        w.add("a", StorageDType.U8, new long[] {0}, out -> { });
        assertThrows(IllegalArgumentException.class, () -> w.add("a", StorageDType.U8, new long[] {0}, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", StorageDType.U8, new long[] {0}, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.add("", StorageDType.U8, new long[] {0}, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.add("neg", StorageDType.U8, new long[] {-1}, out -> { }));
        Tensor closed = Tensor.of(new float[] {1f}, 1);
        closed.close();
        assertThrows(IllegalStateException.class, () -> w.add("closed", closed));
    }

    private List<Path> listFolder() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
