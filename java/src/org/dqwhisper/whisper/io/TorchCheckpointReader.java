package org.dqwhisper.whisper.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.io.RestrictedUnpickler.StorageRef;
import org.dqwhisper.whisper.io.RestrictedUnpickler.TensorRef;

/**
 * A PyTorch zip checkpoint ({@code torch.save}, torch 1.6 and later) read without Python and without
 * executing anything: {@code <root>/data.pkl} goes through the {@link RestrictedUnpickler}, tensor
 * storages are the uncompressed entries {@code <root>/data/<key>}, memory-mapped in place. The root
 * folder name is free (OpenAI files and torch versions differ). Accepted top levels: whisper's
 * {@code {"dims": {...}, "model_state_dict": {name: tensor}}}, or a bare {@code {name: tensor}}.
 * Tensors may share storages and have any storage offset; non-contiguous strides are materialized
 * element by element (correct, slow; never seen in whisper checkpoints).
 */
public final class TorchCheckpointReader implements TensorArchive {
    private static final long MAX_PICKLE_BYTES = 256L << 20;

    private record Stored(TensorInfo info, TensorRef ref, long storageStart, boolean contiguous) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Stored> tensors;
    private final Map<String, Object> dims;

    private TorchCheckpointReader(Path file, FileChannel channel, Map<String, Stored> tensors, Map<String, Object> dims) {
        this.file = file;
        this.channel = channel;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.dims = dims == null ? null : Collections.unmodifiableMap(dims);
    }

    public static TorchCheckpointReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            checkNotLegacy(file, channel);
            Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(file, channel);
            String root = findRoot(file, entries);
            checkByteOrder(file, channel, entries.get(root + "/byteorder"));
            String pickleName = root + "/data.pkl";
            Object top = RestrictedUnpickler.load(file, pickleName, readEntry(file, channel, entries.get(pickleName)));
            if (!(top instanceof Map<?, ?> topMap)) throw new CheckpointFormatException(file, pickleName + " holds no dict");
            Map<?, ?> stateDict = topMap;
            Map<String, Object> dims = null;
            if (topMap.containsKey("model_state_dict")) {
                if (!(topMap.get("model_state_dict") instanceof Map<?, ?> sd)) {
                    throw new CheckpointFormatException(file, "'model_state_dict' is not a dict");
                }
                stateDict = sd;
                if (topMap.get("dims") instanceof Map<?, ?> d) {
                    dims = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : d.entrySet()) dims.put(String.valueOf(e.getKey()), e.getValue());
                } else if (topMap.containsKey("dims")) {
                    throw new CheckpointFormatException(file, "'dims' is not a dict");
                }
            }
            Map<String, Stored> tensors = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : stateDict.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw new CheckpointFormatException(file, "state dict key " + RestrictedUnpickler.describe(e.getKey()) + " is not a string");
                }
                if (!(e.getValue() instanceof TensorRef ref)) {
                    throw new CheckpointFormatException(file, name, "state dict value is not a tensor: " + RestrictedUnpickler.describe(e.getValue()));
                }
                tensors.put(name, locate(file, channel, entries, root, name, ref));
            }
            return new TorchCheckpointReader(file, channel, tensors, dims);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void checkNotLegacy(Path file, FileChannel channel) throws IOException {
        if (channel.size() < 4) throw new CheckpointFormatException(file, "file is " + channel.size() + " bytes, not a torch checkpoint");
        int magic = ZipDirectory.readAt(channel, 0, 4).getInt(0);
        if (magic != 0x04034b50) {
            throw new CheckpointFormatException(file, "not a zip-format torch checkpoint (legacy pre-1.6 torch.save files "
                    + "are not supported; re-save with a newer torch)");
        }
    }

    private static String findRoot(Path file, Map<String, ZipDirectory.Entry> entries) throws CheckpointFormatException {
        String root = null;
        for (String name : entries.keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                if (root != null) throw new CheckpointFormatException(file, "two pickles: " + root + "/data.pkl and " + name);
                root = name.substring(0, slash);
            }
        }
        if (root == null) throw new CheckpointFormatException(file, "no <root>/data.pkl entry in the zip");
        return root;
    }

    private static void checkByteOrder(Path file, FileChannel channel, ZipDirectory.Entry entry) throws IOException {
        if (entry == null) return; // torch < 2.1 writes none: little-endian
        String order = new String(readEntry(file, channel, entry), StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) throw new CheckpointFormatException(file, "byteorder is '" + order + "'; only little-endian is supported");
    }

    /** Checks a tensor's storage entry, dtype, offset and strides; nothing outside the storage is reachable. */
    private static Stored locate(Path file, FileChannel channel, Map<String, ZipDirectory.Entry> entries, String root, String name,
                                 TensorRef ref) throws IOException {
        StorageRef s = ref.storage();
        ZipDirectory.Entry blob = entries.get(root + "/data/" + s.key());
        if (blob == null) throw new CheckpointFormatException(file, name, "storage entry " + root + "/data/" + s.key() + " is missing");
        if (blob.method() != ZipDirectory.STORED) {
            throw new CheckpointFormatException(file, name, "storage entry " + blob.name() + " is compressed (method " + blob.method() + ")");
        }
        if (!s.location().startsWith("cpu") && !s.location().startsWith("cuda")) {
            throw new CheckpointFormatException(file, name, "storage location '" + s.location() + "' is not cpu/cuda");
        }
        long storageBytes = Math.multiplyExact(s.numel(), (long) s.dtype().size());
        if (blob.size() != storageBytes || blob.compressedSize() != storageBytes) {
            throw new CheckpointFormatException(file, name, "storage " + blob.name() + " holds " + blob.size() + " bytes, the pickle says "
                    + s.numel() + " x " + s.dtype() + " = " + storageBytes);
        }
        TensorInfo info;
        try {
            info = new TensorInfo(name, s.dtype(), ref.size());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CheckpointFormatException(file, name, "invalid size " + Arrays.toString(ref.size()));
        }
        long last = ref.offset(); // highest reachable element
        boolean contiguous = true;
        long expectedStride = 1;
        long[] size = ref.size();
        long[] stride = ref.stride();
        for (int k = size.length - 1; k >= 0; k--) {
            if (stride[k] < 0) throw new CheckpointFormatException(file, name, "negative stride " + Arrays.toString(stride));
            if (size[k] > 1 && stride[k] != expectedStride) contiguous = false;
            expectedStride *= size[k];
            if (size[k] > 0) last = Math.addExact(last, Math.multiplyExact(size[k] - 1, stride[k]));
        }
        if (ref.offset() < 0 || (info.numel() > 0 && last >= s.numel())) {
            throw new CheckpointFormatException(file, name, "view offset " + ref.offset() + " size " + Arrays.toString(size) + " stride "
                    + Arrays.toString(stride) + " reaches element " + last + " of a storage of " + s.numel());
        }
        return new Stored(info, ref, ZipDirectory.dataOffset(file, channel, blob), contiguous);
    }

    private static byte[] readEntry(Path file, FileChannel channel, ZipDirectory.Entry entry) throws IOException {
        if (entry.compressedSize() > MAX_PICKLE_BYTES || entry.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointFormatException(file, entry.name() + " is larger than " + MAX_PICKLE_BYTES + " bytes");
        }
        ByteBuffer raw = ZipDirectory.readAt(channel, ZipDirectory.dataOffset(file, channel, entry), (int) entry.compressedSize());
        byte[] data;
        if (entry.method() == ZipDirectory.STORED) {
            data = raw.array();
        } else if (entry.method() == ZipDirectory.DEFLATED) {
            data = inflate(file, entry, raw.array());
        } else {
            throw new CheckpointFormatException(file, entry.name() + " uses unsupported compression method " + entry.method());
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        if (data.length != entry.size() || crc.getValue() != entry.crc()) {
            throw new CheckpointFormatException(file, entry.name() + " is corrupt (size or CRC-32 mismatch)");
        }
        return data;
    }

    private static byte[] inflate(Path file, ZipDirectory.Entry entry, byte[] compressed) throws CheckpointFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                out.write(buf, 0, n);
                if (out.size() > entry.size()) break;
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new CheckpointFormatException(file, entry.name() + " is not valid deflate data", e);
        } finally {
            inflater.end();
        }
    }

    /** Whisper's {@code dims} dict from the checkpoint, or null if the file has none. */
    public Map<String, Object> dims() {
        return dims;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Path fileOf(String name) {
        stored(name);
        return file;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        return stored(name).info();
    }

    /** No string metadata in torch checkpoints. */
    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public Tensor readF32(String name, String tensorName) throws IOException {
        return read(name, tensorName, true);
    }

    @Override
    public Tensor readRaw(String name, String tensorName) throws IOException {
        return read(name, tensorName, false);
    }

    private Tensor read(String name, String tensorName, boolean toF32) throws IOException {
        Stored s = stored(name);
        if (!channel.isOpen()) throw new IllegalStateException(file + " is closed");
        int size = s.info().dtype().size();
        if (s.contiguous()) {
            return StoredTensorReader.read(channel, s.storageStart() + s.ref().offset() * size, s.info(), tensorName, toF32);
        }
        return StoredTensorReader.readStrided(file, channel, s.storageStart(), s.ref().offset(), s.ref().stride(), s.info(), tensorName, toF32);
    }

    private Stored stored(String name) {
        Stored s = tensors.get(name);
        if (s == null) throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
        return s;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
