package org.dqwhisper.whisper.io;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of a safetensors file: 8-byte little-endian length N, N bytes of
 * UTF-8 JSON, then the data section. Validation matches the reference implementation: the JSON is
 * strict (no duplicate keys), every dtype known, every shape non-negative with
 * {@code numel * dtype size == end - begin}, and the tensors tile the data section exactly (sorted
 * by offset, no overlap, no gap, no trailing bytes).
 */
final class SafetensorsHeader {
    /** Same limit as the reference implementation: larger headers are refused unread. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** One tensor entry; {@code begin}/{@code end} are relative to the data section. */
    record Entry(TensorInfo info, long begin, long end) {}

    final long dataStart;
    final Map<String, String> metadata;
    final Map<String, Entry> entries; // file (JSON) order

    private SafetensorsHeader(long dataStart, Map<String, String> metadata, Map<String, Entry> entries) {
        this.dataStart = dataStart;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.entries = Collections.unmodifiableMap(entries);
    }

    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new CheckpointFormatException(file, "file is " + fileSize + " bytes, too short for the 8-byte safetensors header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw new CheckpointFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " runs past the end of the file (" + fileSize + " bytes; truncated or not a safetensors file?)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(file, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer json = ByteBuffer.allocate((int) headerLength);
        readFully(channel, json, 8);
        json.flip();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(json).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(file, "header is not valid UTF-8", e);
        }
        long dataStart = 8 + headerLength;
        SafetensorsHeader header = parse(file, text, dataStart);
        header.validateLayout(file, fileSize - dataStart);
        return header;
    }

    private static SafetensorsHeader parse(Path file, String text, long dataStart) throws CheckpointFormatException {
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        String current = null;
        try (JsonReader in = new JsonReader(new StringReader(text))) {
            in.setLenient(false);
            if (in.peek() != JsonToken.BEGIN_OBJECT) {
                throw new CheckpointFormatException(file, "header JSON is not an object (starts with " + in.peek() + ")");
            }
            in.beginObject();
            boolean sawMetadata = false;
            while (in.hasNext()) {
                current = in.nextName();
                if (current.equals("__metadata__")) {
                    if (sawMetadata) throw new CheckpointFormatException(file, "header JSON has '__metadata__' twice");
                    sawMetadata = true;
                    readMetadata(file, in, metadata);
                } else {
                    if (entries.containsKey(current)) {
                        throw new CheckpointFormatException(file, current, "appears twice in the header JSON");
                    }
                    entries.put(current, readEntry(file, current, in));
                }
                current = null;
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointFormatException(file, "header JSON has content after the top-level object");
            }
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // Gson reports syntax errors as MalformedJsonException (an IOException) or IllegalStateException
            throw new CheckpointFormatException(file, current, "malformed header JSON: " + e.getMessage(), e);
        }
        return new SafetensorsHeader(dataStart, metadata, entries);
    }

    private static void readMetadata(Path file, JsonReader in, Map<String, String> metadata) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return;
        }
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (in.peek() != JsonToken.STRING) {
                throw new CheckpointFormatException(file, "__metadata__ value of '" + key + "' is " + in.peek() + ", not a string");
            }
            if (metadata.put(key, in.nextString()) != null) {
                throw new CheckpointFormatException(file, "__metadata__ has key '" + key + "' twice");
            }
        }
        in.endObject();
    }

    private static Entry readEntry(Path file, String name, JsonReader in) throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointFormatException(file, name, "header entry is " + in.peek() + ", not an object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        in.beginObject();
        while (in.hasNext()) {
            String field = in.nextName();
            switch (field) {
                case "dtype" -> {
                    if (in.peek() != JsonToken.STRING) throw new CheckpointFormatException(file, name, "'dtype' is not a string");
                    dtypeName = in.nextString();
                }
                case "shape" -> shape = readLongs(file, name, "shape", in);
                case "data_offsets" -> offsets = readLongs(file, name, "data_offsets", in);
                default -> in.skipValue(); // unknown fields are ignored, as by the reference reader
            }
        }
        in.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw new CheckpointFormatException(file, name, "header entry lacks "
                    + (dtypeName == null ? "'dtype'" : shape == null ? "'shape'" : "'data_offsets'"));
        }
        StorageDType dtype = StorageDType.fromSafetensorsName(dtypeName);
        if (dtype == null) {
            throw new CheckpointFormatException(file, name, "unknown dtype '" + dtypeName + "' (supported: "
                    + StorageDType.supportedSafetensorsNames() + ")");
        }
        if (offsets.length != 2) {
            throw new CheckpointFormatException(file, name, "data_offsets has " + offsets.length + " values, expected [begin, end]");
        }
        TensorInfo info;
        try {
            info = new TensorInfo(name, dtype, shape);
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(file, name, "shape " + Arrays.toString(shape) + " overflows a 64-bit byte count");
        }
        if (offsets[1] < offsets[0]) {
            throw new CheckpointFormatException(file, name, "data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        if (offsets[1] - offsets[0] != info.byteSize()) {
            throw new CheckpointFormatException(file, name, "shape " + Arrays.toString(shape) + " x " + dtype
                    + " is " + info.byteSize() + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1] + "] hold "
                    + (offsets[1] - offsets[0]));
        }
        return new Entry(info, offsets[0], offsets[1]);
    }

    private static long[] readLongs(Path file, String name, String field, JsonReader in) throws IOException {
        if (in.peek() != JsonToken.BEGIN_ARRAY) throw new CheckpointFormatException(file, name, "'" + field + "' is not an array");
        List<Long> values = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            if (in.peek() != JsonToken.NUMBER) {
                throw new CheckpointFormatException(file, name, "'" + field + "' holds " + in.peek() + ", not an integer");
            }
            String literal = in.nextString();
            long v;
            try {
                v = Long.parseLong(literal);
            } catch (NumberFormatException e) {
                throw new CheckpointFormatException(file, name, "'" + field + "' holds " + literal + ", not a 64-bit integer");
            }
            if (v < 0) throw new CheckpointFormatException(file, name, "'" + field + "' holds negative value " + v);
            values.add(v);
        }
        in.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Checks that the entries tile [0, dataLength) exactly, naming the first offender. */
    private void validateLayout(Path file, long dataLength) throws CheckpointFormatException {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < expected) {
                throw new CheckpointFormatException(file, e.info().name(), "data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap tensor '" + previous.info().name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > expected) {
                throw new CheckpointFormatException(file, e.info().name(), "data_offsets [" + e.begin() + ", " + e.end()
                        + "] leave a gap of " + (e.begin() - expected) + " bytes after "
                        + (previous == null ? "the header" : "tensor '" + previous.info().name() + "'"));
            }
            if (e.end() > dataLength) {
                throw new CheckpointFormatException(file, e.info().name(), "data_offsets [" + e.begin() + ", " + e.end()
                        + "] run past the end of the data section (" + dataLength + " bytes; file truncated?)");
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataLength) {
            throw new CheckpointFormatException(file, "data section is " + dataLength + " bytes but the tensors cover "
                    + expected + " (" + (dataLength - expected) + " unexplained trailing bytes)");
        }
    }

    static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) throw new EOFException("end of file at byte " + at);
            at += n;
        }
    }
}
