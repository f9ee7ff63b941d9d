package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Timestamps past the window's end are forbidden; everything up to it is left alone. */
class WindowEndTimestampsTest {
    @Test
    void onlyTimestampsPastTheWindowAreSuppressed() {
        int begin = 10;
        float[] logits = new float[10 + 1501];
        java.util.Arrays.fill(logits, 1f);
        new WindowEndTimestamps(begin, 375).apply(logits, new int[] {1, 2});
        for (int i = 0; i < logits.length; i++) {
            if (i <= begin + 375) assertEquals(1f, logits[i], "index " + i + " (text or a reachable timestamp)");
            else assertEquals(Float.NEGATIVE_INFINITY, logits[i], "index " + i);
        }
        float[] full = new float[10 + 1501];
        new WindowEndTimestamps(begin, 1500).apply(full, new int[0]);
        for (float f : full) assertEquals(0f, f, "a 30 s window reaches <|30.00|>: nothing suppressed");
        assertThrows(IllegalArgumentException.class, () -> new WindowEndTimestamps(-1, 3));
    }
}
