package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.train.data.FeatureCache;
import org.junit.jupiter.api.Test;

/** {@code dqw finetune --framing}: the two framings by name, anything else a clear usage error. */
class FinetuneFramingTest {
    @Test
    void namesMapToFramings() {
        assertEquals(FeatureCache.Framing.TRANSCRIBE_WINDOW, FinetuneCommand.parseFraming("transcribe-window"));
        assertEquals(FeatureCache.Framing.PADDED_AUDIO, FinetuneCommand.parseFraming("Padded-Audio"));
    }

    @Test
    void unknownFramingIsRejectedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FinetuneCommand.parseFraming("hf"));
        assertTrue(e.getMessage().contains("'hf'"), e.getMessage());
    }
}
