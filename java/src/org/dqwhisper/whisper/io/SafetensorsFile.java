package org.dqwhisper.whisper.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import org.dqwhisper.tensor.Tensor;

/**
 * A read-only safetensors file. {@link #open} parses and validates the whole header (see
 * {@link SafetensorsHeader}) before anything else, so every later read stays inside the file.
 * Tensor data is memory-mapped per read in bounded windows; files above 2 GiB work. The file
 * must not be truncated while open (a mapped read past the end fails inside the JVM).
 */
public final class SafetensorsFile implements TensorArchive {
    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header) {
        this.file = file;
        this.channel = channel;
        this.header = header;
    }

    /** Opens and validates {@code file}; CheckpointFormatException for a malformed one. */
    public static SafetensorsFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(file, channel, SafetensorsHeader.read(file, channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Path fileOf(String name) {
        entry(name);
        return file;
    }

    @Override
    public Set<String> names() {
        return header.entries.keySet();
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata;
    }

    @Override
    public TensorInfo info(String name) {
        return entry(name).info();
    }

    /** Absolute file offset of the first byte of {@code name}. */
    public long fileOffset(String name) {
        return header.dataStart + entry(name).begin();
    }

    /** Absolute file offset of the data section (8 + header length). */
    public long dataStart() {
        return header.dataStart;
    }

    /**
     * A read-only little-endian mapping of {@code name}'s bytes, for zero-copy access; tensors of
     * 2 GiB or more cannot be mapped in one buffer (use {@link #readF32} / {@link #readRaw}).
     */
    public ByteBuffer map(String name) throws IOException {
        SafetensorsHeader.Entry e = entry(name);
        long bytes = e.end() - e.begin();
        if (bytes > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file, name, bytes + " bytes do not fit one ByteBuffer; use readF32/readRaw");
        }
        checkOpen();
        return channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart + e.begin(), bytes).order(ByteOrder.LITTLE_ENDIAN);
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
        SafetensorsHeader.Entry e = entry(name);
        checkOpen();
        return StoredTensorReader.read(channel, header.dataStart + e.begin(), e.info(), tensorName, toF32);
    }

    private SafetensorsHeader.Entry entry(String name) {
        SafetensorsHeader.Entry e = header.entries.get(name);
        if (e == null) throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
        return e;
    }

    private void checkOpen() {
        if (!channel.isOpen()) throw new IllegalStateException(file + " is closed");
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + header.entries.size() + " tensors]";
    }
}
