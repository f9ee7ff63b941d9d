package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavWriterTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsThroughTheReaderWithinOneStep() throws IOException {
        float[] x = new float[1001];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.05) * 0.9f;
        }
        x[3] = 1.5f;   // clipped to full scale
        x[4] = -2f;
        x[5] = Float.NaN;
        Path wav = tmp.resolve("a.wav");
        WavWriter.writePcm16(wav, x, 16000);
        WavReader.WavHeader h = WavReader.readHeader(wav);
        assertEquals(16000, h.sampleRate());
        assertEquals(1, h.channels());
        assertEquals(16, h.bitsPerSample());
        assertEquals(x.length, h.frames());
        assertEquals(44 + 2 * x.length, Files.size(wav));
        float[] back = WavReader.read(wav).samples();
        for (int i = 0; i < x.length; i++) {
            float want = i == 3 ? 1f : i == 4 ? -1f : i == 5 ? 0f : x[i];
            // written as round(x * 32767), read as s / 32768: within half a step plus the 1/32768 scale difference
            assertEquals(want, back[i], 1.0 / 32768 + 0.5 / 32767, "sample " + i);
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count(), "temporary file left behind");
        }
    }

    @Test
    void overwritesAtomicallyAndRejectsBadInput() throws IOException {
        Path wav = tmp.resolve("b.wav");
        WavWriter.writePcm16(wav, new float[] {0.5f}, 8000);
        WavWriter.writePcm16(wav, new float[] {0.25f, 0.25f}, 8000);
        assertEquals(2, WavReader.readHeader(wav).frames());
        assertThrows(IllegalArgumentException.class, () -> WavWriter.encodePcm16(new float[1], 0));
        assertThrows(IllegalArgumentException.class, () -> WavWriter.encodePcm16(null, 16000));
    }
}
