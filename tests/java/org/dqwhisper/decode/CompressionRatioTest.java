package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class CompressionRatioTest {
    @Test
    void sizesDerivedFromTheZlibFormat() {
        // zlib picks the smallest of stored, fixed-Huffman and dynamic blocks; for these tiny inputs that is fixed.
        // empty input: 2-byte header + a final fixed block holding only the end code (3 header bits + 7 bits = 10
        // bits -> 2 bytes) + 4-byte Adler-32 = 8 bytes; Python: 0 / 8 = 0.0
        assertEquals(8, CompressionRatio.zlibCompressedLength(new byte[0]));
        assertEquals(0.0, CompressionRatio.of(""));
        // one literal: 3 header bits + 8-bit literal + 7-bit end code = 18 bits -> 3 bytes, + 6 = 9
        assertEquals(9, CompressionRatio.zlibCompressedLength("a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1.0 / 9, CompressionRatio.of("a"));
        // "hello world" has no repeated 3-byte string: 3 + 11*8 + 7 = 98 bits -> 13 bytes, + 6 = 19
        assertEquals(11.0 / 19, CompressionRatio.of("hello world"));
    }

    @Test
    void usesUtf8BytesNotChars() {
        // one CJK char is 3 UTF-8 bytes; 3 literals (code 0xE6.. > 143 use 9 bits): 3 + 3*9 + 7 = 37 bits -> 5 bytes
        assertEquals(3.0 / 11, CompressionRatio.of("\u65e5"));
    }

    @Test
    void repetitionLoopsExceedWhisperThresholdAndSpeechDoesNot() {
        assertTrue(CompressionRatio.of(" Thank you.".repeat(20)) > CompressionRatio.WHISPER_THRESHOLD);
        assertTrue(CompressionRatio.of(" la".repeat(20)) > CompressionRatio.WHISPER_THRESHOLD);
        String speech = " And so, my fellow Americans, ask not what your country can do for you,"
                + " ask what you can do for your country.";
        double r = CompressionRatio.of(speech);
        assertTrue(r > 1.0 && r < CompressionRatio.WHISPER_THRESHOLD, "ratio " + r);
    }

    @Test
    void outputIsAValidZlibStreamOfTheInput() throws DataFormatException {
        byte[] input = " Thank you. Thank you. Thank you.".getBytes(StandardCharsets.UTF_8);
        java.util.zip.Deflater d = new java.util.zip.Deflater(6, false);
        d.setInput(input);
        d.finish();
        byte[] buf = new byte[256];
        int n = d.deflate(buf);
        d.end();
        assertEquals(n, CompressionRatio.zlibCompressedLength(input));
        assertEquals(0x78, buf[0] & 0xff); // zlib header: deflate, 32 KiB window
        assertEquals(0x9c, buf[1] & 0xff); // default compression level flags, as Python's zlib.compress writes
        Inflater inf = new Inflater();
        inf.setInput(buf, 0, n);
        byte[] back = new byte[input.length];
        assertEquals(input.length, inf.inflate(back));
        inf.end();
        assertEquals(new String(input, StandardCharsets.UTF_8), new String(back, StandardCharsets.UTF_8));
    }
}
