package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.Isa;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The batched encoder ({@code encode} of [B, n_mels, frames]) and the lock-step decoder forward
 * ({@link WhisperModel#decodeBatch}) against the single-sequence calls. Every kernel on these paths computes each
 * row (and each batch element) independently with the same summation order, so the comparison is exact
 * (bit-identical floats, tolerance 0) on every ISA path and precision; any cross-row mixing or wrong cache
 * offset shows up as a difference.
 */
class BatchedForwardTest {
    /** d=32, 2 heads, 1 encoder + 2 decoder blocks, 12 mel bins, n_audio_ctx 8 (16 frames), 101 tokens, 16 positions. */
    private static final WhisperConfig CONFIG = WhisperConfig.of(12, 8, 32, 2, 1, 101, 16, 32, 2, 2);

    private static float[] randomMel(Random rnd) {
        float[] m = new float[CONFIG.nMels() * 2 * CONFIG.nAudioCtx()];
        for (int i = 0; i < m.length; i++) m[i] = (float) rnd.nextGaussian();
        return m;
    }

    private static List<Isa> isas() {
        List<Isa> out = new ArrayList<>();
        for (Isa isa : Isa.values()) if (isa.compareTo(CpuRuntime.detectedIsa()) <= 0) out.add(isa);
        return out;
    }

    @Test
    void batchedEncoderAndLockStepDecoderEqualSingleCalls() {
        for (Isa isa : isas()) {
            for (Precision p : new Precision[] {Precision.FP32, Precision.INT8}) {
                CpuRuntime.forceIsa(isa);
                try (WhisperModel m = WhisperModel.build(CONFIG, new RandomWhisper(CONFIG, 5), p)) {
                    check(m, isa + "/" + p);
                } finally {
                    CpuRuntime.forceIsa(null);
                }
            }
        }
    }

    private static void check(WhisperModel m, String where) {
        Random rnd = new Random(11);
        int b = 3;
        int frames = 2 * CONFIG.nAudioCtx();
        float[][] mels = new float[b][];
        for (int i = 0; i < b; i++) mels[i] = randomMel(rnd);
        List<Tensor> single = new ArrayList<>();
        List<DecoderState> one = new ArrayList<>();
        List<DecoderState> batch = new ArrayList<>();
        try (Tensor mel3 = Tensor.allocate(DType.F32, b, CONFIG.nMels(), frames)) {
            for (int i = 0; i < b; i++) mel3.rows(i, i + 1).copyFrom(mels[i]);
            try (Tensor encoded = m.encode(mel3)) {
                for (int i = 0; i < b; i++) {
                    try (Tensor mel = Tensor.of(mels[i], CONFIG.nMels(), frames)) {
                        single.add(m.encode(mel));
                    }
                    assertArrayEquals(single.get(i).toFloatArray(), encoded.rows(i, i + 1).toFloatArray(),
                            where + ": window " + i + " of the batched encoder equals the single encode");
                }
            }
            for (int i = 0; i < b; i++) {
                one.add(m.newState(single.get(i)));
                batch.add(m.newState(single.get(i)));
            }
            // ragged prefills (3, 1 and 5 tokens), logits of several rows, then steps where sequences drop out
            int[][] prefill = {{1, 2, 3}, {4}, {5, 6, 7, 8, 9}};
            int[][] rows = {{0, 2}, {0}, {1, 4}};
            compare(m, one, batch, prefill, rows, where + " prefill");
            for (int step = 0; step < 6; step++) {
                List<Integer> live = new ArrayList<>();
                for (int i = 0; i < b; i++) if (step < 2 + 2 * i) live.add(i); // sequence 0 stops first, 2 last
                List<DecoderState> o = new ArrayList<>(), bt = new ArrayList<>();
                int[][] toks = new int[live.size()][];
                int[][] rr = new int[live.size()][];
                for (int j = 0; j < live.size(); j++) {
                    o.add(one.get(live.get(j)));
                    bt.add(batch.get(live.get(j)));
                    toks[j] = new int[] {10 + 7 * step + live.get(j)};
                    rr[j] = new int[] {0};
                }
                compare(m, o, bt, toks, rr, where + " step " + step);
            }
            for (int i = 0; i < b; i++) assertEquals(one.get(i).length(), batch.get(i).length(), "cache lengths");
        } finally {
            for (Tensor t : single) t.close();
            for (DecoderState s : one) s.close();
            for (DecoderState s : batch) s.close();
        }
    }

    private static void compare(WhisperModel m, List<DecoderState> one, List<DecoderState> batch, int[][] tokens,
            int[][] rows, String where) {
        float[][][] got = m.decodeBatch(batch, tokens, rows);
        for (int i = 0; i < one.size(); i++) {
            try (Tensor logits = m.decode(one.get(i), tokens[i])) {
                for (int j = 0; j < rows[i].length; j++) {
                    assertArrayEquals(logits.rows(rows[i][j], rows[i][j] + 1).toFloatArray(), got[i][j],
                            where + ": sequence " + i + " row " + rows[i][j]);
                }
            }
        }
    }

    @Test
    void misuseIsRejectedBeforeAnyNativeCall() {
        try (WhisperModel m = WhisperModel.build(CONFIG, new RandomWhisper(CONFIG, 5), Precision.FP32);
                Tensor audio = Tensor.allocate(DType.F32, CONFIG.nAudioCtx(), CONFIG.nAudioState())) {
            audio.fill(0.1f);
            DecoderState a = m.newState(audio);
            DecoderState b = m.newState(audio);
            try {
                int[][] one = {{1}};
                int[][] row0 = {{0}};
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(), new int[0][], new int[0][]),
                        "empty batch");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a, a), new int[][] {{1}, {2}},
                        new int[][] {{0}, {0}}), "the same state twice");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a, b), one, row0),
                        "fewer token lists than states");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a), new int[][] {{101}}, row0),
                        "token outside the vocabulary");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a), new int[][] {{}}, new int[][] {{}}),
                        "no tokens");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a), new int[][] {{1, 2}},
                        new int[][] {{1, 0}}), "rows not ascending");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a), one, new int[][] {{1}}),
                        "row outside the fed tokens");
                assertThrows(IllegalArgumentException.class, () -> m.decodeBatch(List.of(a), new int[][] {new int[17]}, row0),
                        "context overflow");
                assertEquals(0, a.length(), "a rejected batch leaves the cache alone");
                b.close();
                assertThrows(IllegalStateException.class, () -> m.decodeBatch(List.of(a, b), new int[][] {{1}, {2}},
                        new int[][] {{0}, {0}}), "closed state");
                assertEquals(1, m.decodeBatch(List.of(a), one, new int[][] {{}}).length, "no logit rows: cache only");
                assertEquals(1, a.length());
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
