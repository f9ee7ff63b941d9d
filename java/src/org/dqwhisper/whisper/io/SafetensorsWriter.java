package org.dqwhisper.whisper.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.dqwhisper.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a safetensors file atomically: everything goes to a temporary file in the target's folder,
 * which is fsynced and then renamed over the target (an atomic rename on POSIX file systems), and
 * the folder is fsynced. If anything fails before the rename the temporary file is deleted and the
 * target is left exactly as it was. The header holds {@code __metadata__} first, then the tensors
 * in the order added, and is padded with spaces to a multiple of 8 bytes.
 *
 * <p>Tensors come either from open {@link Tensor}s (their bytes, native little-endian order) or
 * from a {@link TensorPayload} that streams exactly {@code numel * dtype size} bytes.
 */
public final class SafetensorsWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SafetensorsWriter.class);
    private static final int COPY_CHUNK = 64 << 20;

    /** Streams a tensor's little-endian bytes; must write exactly the announced byte count. */
    @FunctionalInterface
    public interface TensorPayload {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Pending(TensorInfo info, TensorPayload payload) {}

    private final Path target;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    public SafetensorsWriter(Path target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "metadata key"), Objects.requireNonNull(value, "metadata value for " + key));
        return this;
    }

    /** Adds an open tensor, written with its own dtype; it must stay open until {@link #write()}. */
    public SafetensorsWriter add(String name, Tensor tensor) {
        tensor.checkOpen();
        StorageDType dtype = StorageDType.of(tensor.dtype());
        return add(name, dtype, tensor.shape(), out -> writeTensorBytes(tensor, out));
    }

    /** Adds a tensor whose bytes {@code payload} streams when the file is written. */
    public SafetensorsWriter add(String name, StorageDType dtype, long[] shape, TensorPayload payload) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException(target + ": invalid tensor name '" + name + "'");
        }
        if (tensors.containsKey(name)) throw new IllegalArgumentException(target + ": tensor '" + name + "' added twice");
        tensors.put(name, new Pending(new TensorInfo(name, dtype, shape), Objects.requireNonNull(payload, "payload")));
        return this;
    }

    /** Writes the file; on any failure the target is untouched and no temporary file remains. */
    public void write() throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Path temp = folder.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeAll(out, header());
                for (Pending p : tensors.values()) writePayload(out, p);
                out.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(target + ": the file system cannot rename atomically", e);
            }
            moved = true;
            syncFolder(folder);
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    /** The 8-byte length followed by the space-padded JSON header. */
    private ByteBuffer header() throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.setHtmlSafe(false);
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name("__metadata__").beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) json.name(m.getKey()).value(m.getValue());
                json.endObject();
            }
            long offset = 0;
            for (Pending p : tensors.values()) {
                json.name(p.info().name()).beginObject();
                json.name("dtype").value(p.info().dtype().safetensorsName());
                json.name("shape").beginArray();
                for (long d : p.info().shape()) json.value(d);
                json.endArray();
                json.name("data_offsets").beginArray().value(offset).value(offset + p.info().byteSize()).endArray();
                json.endObject();
                offset += p.info().byteSize();
            }
            json.endObject();
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(bytes);
        while (b.hasRemaining()) b.put((byte) ' ');
        return b.flip();
    }

    private void writePayload(FileChannel out, Pending p) throws IOException {
        long before = out.position();
        p.payload().writeTo(new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                return out.write(src);
            }

            @Override
            public boolean isOpen() {
                return out.isOpen();
            }

            @Override
            public void close() {
                // the writer owns the channel
            }
        });
        long written = out.position() - before;
        if (written != p.info().byteSize()) {
            throw new CheckpointFormatException(target, p.info().name(), "payload wrote " + written + " bytes, expected "
                    + p.info().byteSize() + " for " + p.info().dtype() + Arrays.toString(p.info().shape()));
        }
    }

    private static void writeTensorBytes(Tensor tensor, WritableByteChannel out) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new IOException("big-endian hosts are not supported");
        long size = tensor.byteSize();
        for (long from = 0; from < size; from += COPY_CHUNK) {
            writeAll(out, StoredTensorReader.byteView(tensor, from, Math.min(COPY_CHUNK, size - from)));
        }
    }

    private static void writeAll(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("could not fsync folder {} after writing: {}", folder, e.toString());
        }
    }

    /** Names added so far, in order. */
    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }
}
