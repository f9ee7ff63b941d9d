package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.CheckpointFormatException;
import org.dqwhisper.whisper.io.WhisperCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCheckpointTest {
    @Test
    void checkpointIsAHuggingFaceFolderPlusTrainerState(@TempDir Path dir) throws Exception {
        try (WhisperModel m = WhisperInit.random(SyntheticBatches.config(), 3);
                Trainer t = new Trainer(m, new SyntheticBatches(SyntheticBatches.config(), 3, 5, 2, 1), TrainerTest.options(10, 1))) {
            t.step();
            Path ck1 = TrainingCheckpoint.save(dir, t, null);
            t.step();
            t.step();
            Path ck3 = TrainingCheckpoint.save(dir, t, null);
            assertEquals("checkpoint-00000003", ck3.getFileName().toString());
            for (String f : new String[] {"config.json", "model.safetensors", "trainer_state.safetensors", "trainer_state.json"}) {
                assertTrue(Files.isRegularFile(ck3.resolve(f)), f);
            }
            try (var files = Files.list(dir)) {
                assertEquals(List.of("checkpoint-00000001", "checkpoint-00000003"),
                        files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files or folders left");
            }
            assertEquals(ck3, TrainingCheckpoint.latest(dir).orElseThrow());
            try (WhisperCheckpoint c = WhisperCheckpoint.load(ck3)) {
                assertEquals(WhisperCheckpoint.Layout.HF_SAFETENSORS, c.layout());
                assertEquals(m.config().nVocab(), c.config().nVocab());
            }
            try (WhisperModel back = WhisperModel.load(ck3, Precision.FP32)) {
                TrainerTest.assertBitIdentical(TrainerTest.weights(m), TrainerTest.weights(back));
            }
            TrainingCheckpoint.State s = TrainingCheckpoint.readState(ck3);
            assertEquals(3, s.step());
            assertEquals(3, s.dataPosition());
            assertEquals(t.rng().state(), s.rngState());
            TrainingCheckpoint.prune(dir, 1);
            assertFalse(Files.exists(ck1));
            assertTrue(Files.exists(ck3));
            // a broken trainer state names the file
            Files.writeString(ck3.resolve("trainer_state.json"), "{\"step\": 3}");
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TrainingCheckpoint.readState(ck3));
            assertTrue(e.getMessage().contains("trainer_state.json"), e.getMessage());
            Files.write(ck3.resolve("trainer_state.json"), new byte[] {'{', '"', (byte) 0xFF, '"', '}'});
            e = assertThrows(CheckpointFormatException.class, () -> TrainingCheckpoint.readState(ck3));
            assertTrue(e.getMessage().contains("trainer_state.json") && e.getMessage().contains("UTF-8"), e.getMessage());
        }
    }

    @Test
    void optimizerStateMustFitTheModel(@TempDir Path dir) throws Exception {
        Path ck;
        try (WhisperModel m = WhisperInit.random(SyntheticBatches.config(), 3);
                Trainer t = new Trainer(m, new SyntheticBatches(SyntheticBatches.config(), 3, 5, 2, 1), TrainerTest.options(10, 1))) {
            t.step();
            ck = TrainingCheckpoint.save(dir, t, null);
        }
        var other = org.dqwhisper.whisper.WhisperConfig.of(8, 8, 32, 2, 1, 67, 12, 32, 2, 1); // another vocabulary size
        try (WhisperModel m = WhisperInit.random(other, 3);
                Trainer t = new Trainer(m, new SyntheticBatches(other, 3, 5, 2, 1), TrainerTest.options(10, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.restore(ck, t));
            assertTrue(e.getMessage().contains("token_embedding"), e.getMessage());
        }
    }
}
