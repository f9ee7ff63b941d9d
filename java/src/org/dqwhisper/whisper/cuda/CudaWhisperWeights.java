package org.dqwhisper.whisper.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dqwhisper.cuda.CudaBuffer;
import org.dqwhisper.cuda.CudaGemm;
import org.dqwhisper.cuda.CudaStream;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;

/**
 * Every weight of a {@link WhisperModel} in device memory, uploaded once: the matrices of the Linears and
 * convolutions in FP16 (the tensor-core GEMMs accumulate in FP32), LayerNorm parameters, biases and the
 * positional embeddings in FP32, the token embedding twice (FP32 for the lookup, FP16 for the logits GEMM).
 * Shapes are checked against the {@link WhisperConfig}; nothing is hard-coded.
 */
final class CudaWhisperWeights implements AutoCloseable {
    /**
     * A Linear {@code [out, in]}: weight F16, or (INT8 mode, block Linears only) S8 codes with one F32 scale per
     * output channel ({@code weight ≈ codes · scale[n]}, the per-row quantizer of the CPU INT8 path); bias F32
     * {@code [out]} or null.
     */
    record Linear(CudaBuffer weight, CudaBuffer bias, CudaBuffer scale) {
        Linear(CudaBuffer weight, CudaBuffer bias) {
            this(weight, bias, null);
        }

        boolean isInt8() {
            return scale != null;
        }

        long out() {
            return weight.dim(0);
        }
    }

    /** LayerNorm gamma and beta, F32 {@code [d]}. */
    record Norm(CudaBuffer gamma, CudaBuffer beta) {}

    /** One pre-LN block; the cross-attention fields are null in encoder blocks. */
    record Block(Norm attnLn, Linear query, Linear key, Linear value, Linear out, Norm crossLn, Linear crossQuery,
            Linear crossKey, Linear crossValue, Linear crossOut, Norm mlpLn, Linear fc1, Linear fc2) {}

    final Linear conv1; // weight [d, n_mels * kernel1]
    final Linear conv2; // weight [d, d * kernel2]
    final int conv1Kernel;
    final int conv2Kernel;
    final CudaBuffer encoderPositions; // F32 [n_audio_ctx, d]
    final Block[] encoderBlocks;
    final Norm lnPost;
    final CudaBuffer tokenEmbedding; // F32 [n_vocab, d] (lookup)
    final CudaBuffer tokenEmbeddingHalf; // F16 [n_vocab, d] (logits)
    final CudaBuffer decoderPositions; // F32 [n_text_ctx, d]
    final Block[] decoderBlocks;
    final Norm decoderLn;

    private final List<CudaBuffer> owned = new ArrayList<>();
    private final Map<String, Tensor> state;

    final boolean int8;

    /**
     * Uploads on the default stream and waits for it (the weights are then visible to every stream).
     *
     * @param int8 the attention and MLP Linears of every block as INT8 codes with per-channel scales (the
     *     convolutions and the logits stay FP16)
     */
    CudaWhisperWeights(WhisperModel model, boolean int8) {
        WhisperConfig c = model.config();
        this.state = model.stateTensors();
        this.int8 = int8;
        try {
            int da = c.nAudioState(), dt = c.nTextState();
            Tensor w1 = state("encoder.conv1.weight");
            Tensor w2 = state("encoder.conv2.weight");
            conv1Kernel = (int) w1.requireShape(DType.F32, da, c.nMels(), -1).dim(2);
            conv2Kernel = (int) w2.requireShape(DType.F32, da, da, -1).dim(2);
            conv1 = new Linear(half(w1, da, (long) c.nMels() * conv1Kernel), f32("encoder.conv1.bias", da));
            conv2 = new Linear(half(w2, da, (long) da * conv2Kernel), f32("encoder.conv2.bias", da));
            encoderPositions = f32("encoder.positional_embedding", c.nAudioCtx(), da);
            encoderBlocks = new Block[c.nAudioLayer()];
            for (int i = 0; i < encoderBlocks.length; i++) {
                encoderBlocks[i] = block("encoder.blocks." + i, da, c.encoderFfnDim(), false);
            }
            lnPost = norm("encoder.ln_post", da);
            tokenEmbedding = f32("decoder.token_embedding.weight", c.nVocab(), dt);
            tokenEmbeddingHalf = half(state("decoder.token_embedding.weight"), c.nVocab(), dt);
            decoderPositions = f32("decoder.positional_embedding", c.nTextCtx(), dt);
            decoderBlocks = new Block[c.nTextLayer()];
            for (int i = 0; i < decoderBlocks.length; i++) {
                decoderBlocks[i] = block("decoder.blocks." + i, dt, c.decoderFfnDim(), true);
            }
            decoderLn = norm("decoder.ln", dt);
            if (da != dt) throw new IllegalArgumentException("n_audio_state " + da + " != n_text_state " + dt + ": cross-attention needs equal widths");
            CudaStream.defaultStream().synchronize();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Block block(String p, long d, long ffn, boolean cross) {
        return new Block(norm(p + ".attn_ln", d), linear(p + ".attn.query", d, d), linear(p + ".attn.key", d, d),
                linear(p + ".attn.value", d, d), linear(p + ".attn.out", d, d),
                cross ? norm(p + ".cross_attn_ln", d) : null, cross ? linear(p + ".cross_attn.query", d, d) : null,
                cross ? linear(p + ".cross_attn.key", d, d) : null, cross ? linear(p + ".cross_attn.value", d, d) : null,
                cross ? linear(p + ".cross_attn.out", d, d) : null, norm(p + ".mlp_ln", d), linear(p + ".mlp.0", ffn, d),
                linear(p + ".mlp.2", d, ffn));
    }

    private Linear linear(String prefix, long out, long in) {
        CudaBuffer b = state.containsKey(prefix + ".bias") ? f32(prefix + ".bias", out) : null;
        if (!int8) return new Linear(half(state(prefix + ".weight"), out, in), b);
        Tensor t = state(prefix + ".weight").requireShape(DType.F32, out, in);
        CudaBuffer codes = keep(CudaBuffer.allocate(prefix + ".weight.s8", DType.S8, out, in));
        CudaBuffer scale = keep(CudaBuffer.allocate(prefix + ".weight.scale", DType.F32, out));
        try (CudaBuffer f = CudaBuffer.of(t)) {
            CudaGemm.quantizeRows(f, codes, scale, null);
            CudaStream.defaultStream().synchronize();
        }
        return new Linear(codes, b, scale);
    }

    private Norm norm(String prefix, long d) {
        return new Norm(f32(prefix + ".weight", d), f32(prefix + ".bias", d));
    }

    private Tensor state(String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("model has no tensor '" + name + "'");
        return t;
    }

    /** An F32 tensor of exactly {@code shape}, uploaded as it is. */
    private CudaBuffer f32(String name, long... shape) {
        Tensor t = state(name).requireShape(DType.F32, shape);
        return keep(CudaBuffer.of(t));
    }

    /** An F32 tensor of {@code rows · cols} elements, uploaded and rounded to F16 {@code [rows, cols]} on the device. */
    private CudaBuffer half(Tensor t, long rows, long cols) {
        t.requireDType(DType.F32);
        if (t.numel() != rows * cols) {
            throw new IllegalArgumentException(t.describe() + ": expected " + rows + " x " + cols + " elements");
        }
        CudaBuffer out = keep(CudaBuffer.allocate(t.name() + ".f16", DType.F16, rows, cols));
        try (CudaBuffer f = CudaBuffer.of(t)) {
            CudaGemm.convert(f.reshape(rows, cols), out, null);
            CudaStream.defaultStream().synchronize();
        }
        return out;
    }

    private CudaBuffer keep(CudaBuffer b) {
        owned.add(b);
        return b;
    }

    /** Device bytes of all weights. */
    long bytes() {
        long s = 0;
        for (CudaBuffer b : owned) s += b.byteSize();
        return s;
    }

    @Override
    public void close() {
        for (CudaBuffer b : owned) b.close();
        owned.clear();
    }
}
