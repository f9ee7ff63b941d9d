package org.dqwhisper.audio;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads RIFF/WAVE (and RF64/BW64) files holding PCM or IEEE-float samples and returns them as mono floats at the
 * file's own sample rate.
 *
 * <p>Supported encodings: 8-bit unsigned PCM, 16/24/32-bit signed PCM (also with fewer valid bits inside the
 * container), 32/64-bit IEEE float, each plain or wrapped in WAVE_FORMAT_EXTENSIBLE. Integer samples are scaled by
 * 2^-(container bits - 1), so 16-bit samples become {@code s / 32768f} exactly as in whisper's
 * {@code int16 / 32768.0}; 8-bit samples are {@code (u - 128) / 128}. Float samples are passed through unchanged
 * (not clipped). Several channels are averaged (the integer sum is formed exactly and divided once).
 *
 * <p>Chunks other than {@code fmt }, {@code data} and {@code ds64} are skipped, respecting the pad byte after
 * odd-sized chunks. Truncated or inconsistent files raise {@link AudioFormatException} naming file, offset and
 * problem; well-formed files with another encoding (ADPCM, A-law, ...) raise {@link UnsupportedWavEncodingException}.
 */
public final class WavReader {
    private static final Logger LOG = LoggerFactory.getLogger(WavReader.class);

    static final int FORMAT_PCM = 1;
    static final int FORMAT_IEEE_FLOAT = 3;
    static final int FORMAT_EXTENSIBLE = 0xFFFE;
    /** Highest sample rate accepted (1 MHz: far above any audio format, and within what {@link Resampler} converts). */
    static final int MAX_SAMPLE_RATE = 1_000_000;
    /** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs (the first two hold the format tag). */
    private static final byte[] SUBTYPE_GUID_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};
    private static final long UNKNOWN_SIZE_32 = 0xFFFFFFFFL;
    private static final int MAX_SAMPLES = Integer.MAX_VALUE - 16;

    private WavReader() {
    }

    /** The parsed header of a WAV file. {@code encoding} is the effective tag (1 PCM or 3 float). */
    public record WavHeader(int encoding, int channels, int sampleRate, int bitsPerSample, int validBits,
                            int blockAlign, long dataOffset, long frames, boolean rf64) {
    }

    /** True when the first 12 bytes are a RIFF/RF64/BW64 header with form type WAVE. */
    public static boolean looksLikeWav(byte[] first12) {
        if (first12.length < 12) {
            return false;
        }
        String id = new String(first12, 0, 4, java.nio.charset.StandardCharsets.US_ASCII);
        String form = new String(first12, 8, 4, java.nio.charset.StandardCharsets.US_ASCII);
        return (id.equals("RIFF") || id.equals("RF64") || id.equals("BW64")) && form.equals("WAVE");
    }

    /** Reads the whole file: mono samples at the file's sample rate. */
    public static PcmAudio read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            WavHeader h = readHeader(file, ch);
            float[] samples = decodeData(file, ch, h);
            return new PcmAudio(samples, h.sampleRate(), h.channels());
        }
    }

    /** Parses and validates the header without decoding samples. */
    public static WavHeader readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static WavHeader readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 12) {
            throw new AudioFormatException(file, 0, "file is " + fileSize + " bytes, too short for a RIFF/WAVE header");
        }
        ByteBuffer riff = readAt(file, ch, 0, 12);
        String id = fourCc(riff, 0);
        boolean rf64 = id.equals("RF64") || id.equals("BW64");
        if (!id.equals("RIFF") && !rf64) {
            throw new AudioFormatException(file, 0, "not a RIFF file (starts with '" + printable(id) + "')");
        }
        if (!fourCc(riff, 8).equals("WAVE")) {
            throw new AudioFormatException(file, 8, "RIFF form type is '" + printable(fourCc(riff, 8))
                + "', not 'WAVE'");
        }

        Fmt fmt = null;
        long ds64DataSize = -1;
        long dataOffset = -1;
        long dataSize = -1;
        long pos = 12;
        while (fmt == null || dataOffset < 0) {
            if (pos + 8 > fileSize) {
                String missing = fmt == null ? "'fmt ' chunk" : "'data' chunk";
                throw new AudioFormatException(file, pos, "file ends before the " + missing + " (" + fileSize
                    + " bytes)");
            }
            ByteBuffer hdr = readAt(file, ch, pos, 8);
            String chunkId = fourCc(hdr, 0);
            long size = hdr.getInt(4) & 0xFFFFFFFFL;
            long body = pos + 8;
            switch (chunkId) {
                case "ds64" -> {
                    if (!rf64) {
                        LOG.debug("{}: ignoring ds64 chunk in a plain RIFF file", file);
                    } else {
                        requireBody(file, ch, chunkId, body, size, 24);
                        ByteBuffer ds = readAt(file, ch, body, 24);
                        ds64DataSize = ds.getLong(8);
                    }
                }
                case "fmt " -> {
                    requireBody(file, ch, chunkId, body, size, 16);
                    fmt = parseFmt(file, readAt(file, ch, body, (int) Math.min(size, 64)), body, (int) size);
                }
                case "data" -> {
                    dataOffset = body;
                    dataSize = size;
                    if (rf64 && size == UNKNOWN_SIZE_32) {
                        if (ds64DataSize < 0) {
                            throw new AudioFormatException(file, pos, "RF64 'data' chunk size is 0xFFFFFFFF but no"
                                + " 'ds64' chunk came before it");
                        }
                        dataSize = ds64DataSize;
                    } else if (!rf64 && size == UNKNOWN_SIZE_32) {
                        dataSize = fileSize - body; // streaming writers leave the size unknown: read to the end
                        LOG.warn("{}: 'data' chunk size is 0xFFFFFFFF (unknown); reading to the end of the file", file);
                    }
                    if (fmt == null) { // unusual order: keep scanning for 'fmt ' after the data
                        size = dataSize;
                    }
                }
                default -> LOG.debug("{}: skipping '{}' chunk of {} bytes at offset {}", file, printable(chunkId),
                    size, pos);
            }
            pos = body + size + (size & 1);
        }

        long available = fileSize - dataOffset;
        if (dataSize > available) {
            throw new AudioFormatException(file, dataOffset, "truncated: 'data' chunk declares " + dataSize
                + " bytes but only " + available + " remain in the file");
        }
        if (dataSize % fmt.blockAlign != 0) {
            throw new AudioFormatException(file, dataOffset + dataSize - dataSize % fmt.blockAlign,
                "'data' chunk size " + dataSize + " is not a multiple of the block size " + fmt.blockAlign
                    + " (partial sample frame)");
        }
        long frames = dataSize / fmt.blockAlign;
        if (frames > MAX_SAMPLES) {
            throw new AudioFormatException(file, dataOffset, frames + " sample frames exceed the supported maximum of "
                + MAX_SAMPLES);
        }
        return new WavHeader(fmt.encoding, fmt.channels, fmt.sampleRate, fmt.containerBits, fmt.validBits,
            fmt.blockAlign, dataOffset, frames, rf64);
    }

    private record Fmt(int encoding, int channels, int sampleRate, int containerBits, int validBits, int blockAlign) {
    }

    private static Fmt parseFmt(Path file, ByteBuffer b, long off, int size) throws AudioFormatException {
        int tag = b.getShort(0) & 0xFFFF;
        int channels = b.getShort(2) & 0xFFFF;
        long rate = b.getInt(4) & 0xFFFFFFFFL;
        int blockAlign = b.getShort(12) & 0xFFFF;
        int bits = b.getShort(14) & 0xFFFF;
        int validBits = bits;
        int encoding = tag;
        if (tag == FORMAT_EXTENSIBLE) {
            if (size < 40) {
                throw new AudioFormatException(file, off, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is " + size
                    + " bytes, needs 40");
            }
            validBits = b.getShort(18) & 0xFFFF;
            encoding = b.getShort(24) & 0xFFFF;
            for (int i = 0; i < SUBTYPE_GUID_TAIL.length; i++) {
                if (b.get(26 + i) != SUBTYPE_GUID_TAIL[i]) {
                    throw new UnsupportedWavEncodingException(file, off + 24, "WAVE_FORMAT_EXTENSIBLE sub-format GUID"
                        + " is not a standard KSDATAFORMAT_SUBTYPE");
                }
            }
            if (validBits == 0) {
                validBits = bits;
            }
        }
        if (channels == 0) {
            throw new AudioFormatException(file, off + 2, "'fmt ' chunk declares zero channels");
        }
        if (rate == 0 || rate > MAX_SAMPLE_RATE) {
            throw new AudioFormatException(file, off + 4, "'fmt ' chunk declares sample rate " + rate + " Hz (supported: 1 to "
                + MAX_SAMPLE_RATE + " Hz)");
        }
        if (encoding != FORMAT_PCM && encoding != FORMAT_IEEE_FLOAT) {
            throw new UnsupportedWavEncodingException(file, off, String.format(
                "WAV encoding 0x%04X is not PCM or IEEE float", encoding));
        }
        int containerBits = (bits + 7) / 8 * 8;
        boolean supported = encoding == FORMAT_PCM
            ? containerBits >= 8 && containerBits <= 32
            : containerBits == 32 || containerBits == 64;
        if (!supported || bits == 0) {
            throw new AudioFormatException(file, off + 14, (encoding == FORMAT_PCM ? "PCM" : "IEEE float")
                + " with " + bits + " bits per sample is not supported");
        }
        if (validBits > containerBits) {
            throw new AudioFormatException(file, off + 18, validBits + " valid bits in a " + containerBits
                + "-bit sample container");
        }
        int expectedAlign = channels * containerBits / 8;
        if (blockAlign != expectedAlign) {
            throw new AudioFormatException(file, off + 12, "block align " + blockAlign + " does not match "
                + channels + " channels x " + containerBits / 8 + " bytes = " + expectedAlign);
        }
        return new Fmt(encoding, channels, (int) rate, containerBits, validBits, blockAlign);
    }

    private static float[] decodeData(Path file, FileChannel ch, WavHeader h) throws IOException {
        int frames = (int) h.frames();
        int channels = h.channels();
        int bytesPerSample = h.bitsPerSample() / 8;
        float[] out = new float[frames];
        int framesPerBlock = Math.max(1, (1 << 16) / h.blockAlign());
        ByteBuffer buf = ByteBuffer.allocate(framesPerBlock * h.blockAlign()).order(ByteOrder.LITTLE_ENDIAN);
        // integer samples: exact integer sum over the channels, then one division by channels * 2^(bits-1)
        double intDivisor = (double) channels * (1L << (h.bitsPerSample() - 1));
        long pos = h.dataOffset();
        for (int start = 0; start < frames; start += framesPerBlock) {
            int n = Math.min(framesPerBlock, frames - start);
            buf.clear().limit(n * h.blockAlign());
            readFully(file, ch, buf, pos);
            pos += buf.limit();
            buf.flip();
            for (int f = 0; f < n; f++) {
                if (h.encoding() == FORMAT_IEEE_FLOAT) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) {
                        sum += bytesPerSample == 4 ? buf.getFloat() : buf.getDouble();
                    }
                    out[start + f] = channels == 1 ? (float) sum : (float) (sum / channels);
                } else {
                    long sum = 0;
                    for (int c = 0; c < channels; c++) {
                        sum += readIntSample(buf, bytesPerSample);
                    }
                    out[start + f] = (float) (sum / intDivisor);
                }
            }
        }
        return out;
    }

    private static int readIntSample(ByteBuffer buf, int bytesPerSample) {
        switch (bytesPerSample) {
            case 1:
                return (buf.get() & 0xFF) - 128;
            case 2:
                return buf.getShort();
            case 3: {
                int b0 = buf.get() & 0xFF;
                int b1 = buf.get() & 0xFF;
                int b2 = buf.get();
                return (b2 << 16) | (b1 << 8) | b0;
            }
            default:
                return buf.getInt();
        }
    }

    private static void requireBody(Path file, FileChannel ch, String id, long body, long size, int min)
            throws IOException {
        if (size < min) {
            throw new AudioFormatException(file, body - 8, "'" + id + "' chunk is " + size + " bytes, needs at least "
                + min);
        }
        if (body + min > ch.size()) {
            throw new AudioFormatException(file, body, "truncated: '" + id + "' chunk runs past the end of the file ("
                + ch.size() + " bytes)");
        }
    }

    private static ByteBuffer readAt(Path file, FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, b, pos);
        return b.flip();
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            int r = ch.read(b, p);
            if (r < 0) {
                throw new AudioFormatException(file, p, "unexpected end of file", new EOFException());
            }
            p += r;
        }
    }

    private static String fourCc(ByteBuffer b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) (b.get(at + i) & 0xFF);
        }
        return new String(c);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return sb.toString();
    }
}
