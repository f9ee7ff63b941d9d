package org.dqwhisper.whisper.cuda;

import org.dqwhisper.cuda.CudaAttention;
import org.dqwhisper.cuda.CudaBuffer;
import org.dqwhisper.cuda.CudaGemm;
import org.dqwhisper.cuda.CudaModelOps;
import org.dqwhisper.cuda.CudaNnKernels;
import org.dqwhisper.cuda.CudaStream;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.cuda.CudaWhisperWeights.Block;
import org.dqwhisper.whisper.cuda.CudaWhisperWeights.Linear;
import org.dqwhisper.whisper.cuda.CudaWhisperWeights.Norm;

/**
 * The Whisper forward on one CUDA stream, with the numerics of the CPU model except for precision: the residual
 * stream, LayerNorms, biases, softmax statistics and every GEMM accumulator are FP32; GEMM and attention inputs
 * (LayerNorm outputs, q/k/v, attention outputs, the MLP hidden layer, the im2col matrices) and the weights are
 * FP16. Every call only enqueues work; the caller synchronizes the stream and holds the model's lock.
 */
final class CudaWhisperForward {
    /** Receives the cross-attention queries F16 {@code [T, d]} of one decoder layer (word timestamps). */
    interface CrossQueryProbe {
        void crossQueries(int layer, CudaBuffer queries);
    }

    private final WhisperConfig config;
    private final CudaWhisperWeights w;
    private final DeviceScratch scratch;
    private final CudaStream stream;

    CudaWhisperForward(WhisperConfig config, CudaWhisperWeights weights, DeviceScratch scratch, CudaStream stream) {
        this.config = config;
        this.w = weights;
        this.scratch = scratch;
        this.stream = stream;
    }

    /**
     * Encoder: mel F32 {@code [n_mels, 2·n_audio_ctx]} (band-major) → {@code out} F32 {@code [n_audio_ctx, d]};
     * then every decoder layer's cross-attention keys and values of that output into {@code crossKv} F16
     * {@code [2·n_text_layer, n_audio_ctx, d]} (layer l: keys at 2l, values at 2l+1).
     */
    void encode(CudaBuffer mel, CudaBuffer out, CudaBuffer crossKv) {
        int d = config.nAudioState(), ctx = config.nAudioCtx();
        mel.requireShape(DType.F32, config.nMels(), config.nMelFrames());
        out.requireShape(DType.F32, ctx, d);
        long t1 = CudaModelOps.conv1dOutputLength(config.nMelFrames(), w.conv1Kernel, 1, 1);
        CudaBuffer cols1 = scratch.take("conv1.cols", DType.F16, t1, (long) config.nMels() * w.conv1Kernel);
        CudaModelOps.im2col1d(mel, true, w.conv1Kernel, 1, 1, cols1, stream);
        CudaBuffer h1 = scratch.take("conv1.out", DType.F32, t1, d);
        CudaGemm.halfGemm(cols1, w.conv1.weight(), w.conv1.bias(), true, h1, stream);
        long t2 = CudaModelOps.conv1dOutputLength(t1, w.conv2Kernel, 2, 1);
        if (t2 != ctx) throw new IllegalStateException("conv2 gives " + t2 + " positions, n_audio_ctx is " + ctx);
        CudaBuffer cols2 = scratch.take("conv2.cols", DType.F16, t2, (long) d * w.conv2Kernel);
        CudaModelOps.im2col1d(h1, false, w.conv2Kernel, 2, 1, cols2, stream);
        CudaGemm.halfGemm(cols2, w.conv2.weight(), w.conv2.bias(), true, out, stream);
        CudaModelOps.addInPlace(out, w.encoderPositions, stream);
        for (Block b : w.encoderBlocks) {
            CudaBuffer h = normed(out, b.attnLn());
            CudaBuffer q = project(h, b.query(), "q");
            CudaBuffer k = project(h, b.key(), "k");
            CudaBuffer v = project(h, b.value(), "v");
            attendAndAdd(q, k, v, -1, b.out(), config.nAudioHead(), out);
            mlp(out, b);
        }
        CudaNnKernels.layerNormForward(out, w.lnPost.gamma(), w.lnPost.beta(), out, null, null, LayerNorm.EPS, stream);
        crossKv.requireShape(DType.F16, 2L * config.nTextLayer(), ctx, d);
        CudaBuffer audio = out;
        if (!w.int8) {
            audio = scratch.take("audio.f16", DType.F16, ctx, d);
            CudaGemm.convert(out, audio, stream);
        }
        for (int l = 0; l < w.decoderBlocks.length; l++) {
            Block b = w.decoderBlocks[l];
            linear(audio, b.crossKey(), false, layerSlice(crossKv, 2 * l));
            linear(audio, b.crossValue(), false, layerSlice(crossKv, 2 * l + 1));
        }
    }

    /**
     * Decoder over new tokens at positions {@code offset ..}: appends their keys and values to {@code selfKv}
     * F16 {@code [2·n_text_layer, n_text_ctx, d]}, attends causally over it and over {@code crossKv}
     * ({@code [2·n_text_layer, n_audio_ctx, d]}); the logits of chosen rows come from {@link #logits}.
     *
     * @param ids S32 {@code [T]} token ids (already checked to lie in {@code [0, n_vocab)})
     * @return the final LayerNorm output {@code [T, d]}, F16 (F32 in INT8 mode), a scratch view valid until the next call
     */
    CudaBuffer decode(CudaBuffer ids, int offset, CudaBuffer selfKv, CudaBuffer crossKv, CrossQueryProbe probe) {
        int d = config.nTextState(), heads = config.nTextHead();
        long t = ids.dim(0);
        if (offset < 0 || offset + t > config.nTextCtx()) {
            throw new IllegalArgumentException("decoder positions " + offset + ".." + (offset + t - 1) + " outside n_text_ctx " + config.nTextCtx());
        }
        selfKv.requireShape(DType.F16, 2L * config.nTextLayer(), config.nTextCtx(), d);
        crossKv.requireShape(DType.F16, 2L * config.nTextLayer(), -1, d);
        CudaBuffer x = scratch.take("dec.x", DType.F32, t, d);
        CudaNnKernels.embeddingForward(w.tokenEmbedding, ids, x, stream);
        CudaModelOps.addInPlace(x, w.decoderPositions.rows(offset, offset + t), stream);
        for (int l = 0; l < w.decoderBlocks.length; l++) {
            Block b = w.decoderBlocks[l];
            CudaBuffer keys = layerSlice(selfKv, 2 * l), values = layerSlice(selfKv, 2 * l + 1);
            CudaBuffer h = normed(x, b.attnLn());
            CudaBuffer q = project(h, b.query(), "q");
            linear(h, b.key(), false, keys.rows(offset, offset + t));
            linear(h, b.value(), false, values.rows(offset, offset + t));
            attendAndAdd(q, keys.rows(0, offset + t), values.rows(0, offset + t), offset, b.out(), heads, x);
            h = normed(x, b.crossLn());
            q = project(h, b.crossQuery(), "q");
            if (probe != null) probe.crossQueries(l, q);
            attendAndAdd(q, layerSlice(crossKv, 2 * l), layerSlice(crossKv, 2 * l + 1), -1, b.crossOut(), heads, x);
            mlp(x, b);
        }
        return normed(x, w.decoderLn);
    }

    /**
     * logits F32 {@code [R, n_vocab]} = rows {@code [R, d]} (the final LayerNorm output from {@link #decode}: F16,
     * or F32 in INT8 mode, then rounded to F16 here) · token_embedding{@code ᵀ} (FP16 in both modes).
     */
    void logits(CudaBuffer rows, CudaBuffer logits) {
        CudaBuffer h = rows;
        if (rows.dtype() != DType.F16) {
            h = scratch.take("logits.in", DType.F16, rows.dim(0), rows.dim(1));
            CudaGemm.convert(rows, h, stream);
        }
        CudaGemm.halfGemm(h, w.tokenEmbeddingHalf, null, false, logits, stream);
    }

    /** Layer slice {@code i} {@code [T, d]} of a {@code [L, T, d]} cache. */
    static CudaBuffer layerSlice(CudaBuffer cache, int i) {
        return cache.rows(i, i + 1).reshape(cache.dim(1), cache.dim(2));
    }

    /**
     * LayerNorm(x) in FP32 {@code [T, d]}: rounded to an F16 scratch for the FP16 GEMMs, or kept F32 in INT8 mode
     * (the INT8 GEMM quantizes its input per row from F32).
     */
    private CudaBuffer normed(CudaBuffer x, Norm n) {
        long t = x.dim(0), d = x.dim(1);
        CudaBuffer y = scratch.take("ln.f32", DType.F32, t, d);
        CudaNnKernels.layerNormForward(x, n.gamma(), n.beta(), y, null, null, LayerNorm.EPS, stream);
        if (w.int8) return y;
        CudaBuffer h = scratch.take("ln.f16", DType.F16, t, d);
        CudaGemm.convert(y, h, stream);
        return h;
    }

    /** F16 {@code [T, out]} = h · Wᵀ + b, in the scratch {@code name}. */
    private CudaBuffer project(CudaBuffer h, Linear l, String name) {
        CudaBuffer y = scratch.take(name, DType.F16, h.dim(0), l.out());
        linear(h, l, false, y);
        return y;
    }

    /**
     * {@code y = x · Wᵀ (+ b) (→ GELU)} for y F32 or F16. FP16 weights: x must be F16, one tensor-core GEMM.
     * INT8 weights: x (F32, or F16 converted to F32) is quantized per row, the exact s32 GEMM dequantizes with
     * {@code a_scale[m] · w_scale[n]} in its epilogue, and an F16 y is rounded from the F32 result.
     */
    private void linear(CudaBuffer x, Linear l, boolean gelu, CudaBuffer y) {
        if (!l.isInt8()) {
            CudaGemm.halfGemm(x, l.weight(), l.bias(), gelu, y, stream);
            return;
        }
        long m = x.dim(0), k = x.dim(1);
        CudaBuffer in = x;
        if (x.dtype() != DType.F32) {
            in = scratch.take("int8.in", DType.F32, m, k);
            CudaGemm.convert(x, in, stream);
        }
        CudaBuffer codes = scratch.take("int8.codes", DType.S8, m, k);
        CudaBuffer scales = scratch.take("int8.scales", DType.F32, m);
        CudaGemm.quantizeRows(in, codes, scales, stream);
        CudaBuffer out = y;
        if (y.dtype() != DType.F32) out = scratch.take("int8.out", DType.F32, m, l.out());
        CudaGemm.int8Gemm(codes, scales, l.weight(), l.scale(), l.bias(), gelu, out, stream);
        if (out != y) CudaGemm.convert(out, y, stream);
    }

    /** {@code x += out(attention(q, keys, values))}; q {@code [Tq, d]}, keys/values {@code [Tk, d]}, all F16. */
    private void attendAndAdd(CudaBuffer q, CudaBuffer keys, CudaBuffer values, long causalOffset, Linear out, int heads,
            CudaBuffer x) {
        long tq = q.dim(0), tk = keys.dim(0), d = q.dim(1);
        CudaBuffer a = scratch.take("attn", DType.F16, tq, d);
        CudaAttention.forward(q.reshape(1, tq, d), keys.reshape(1, tk, d), values.reshape(1, tk, d), a.reshape(1, tq, d),
                null, heads, causalOffset, stream);
        projectAdd(a, out, x);
    }

    /** {@code x += mlp.2(GELU(mlp.0(mlp_ln(x))))}. */
    private void mlp(CudaBuffer x, Block b) {
        CudaBuffer h = normed(x, b.mlpLn());
        // FP16: the hidden layer is rounded to F16 for fc2; INT8: kept F32 for fc2's row quantizer
        CudaBuffer hidden = scratch.take(w.int8 ? "mlp.hidden.f32" : "mlp.hidden", w.int8 ? DType.F32 : DType.F16, x.dim(0), b.fc1().out());
        linear(h, b.fc1(), true, hidden);
        projectAdd(hidden, b.fc2(), x);
    }

    /** {@code x += a · Wᵀ + b} through an F32 scratch. */
    private void projectAdd(CudaBuffer a, Linear l, CudaBuffer x) {
        CudaBuffer y = scratch.take("residual", DType.F32, a.dim(0), l.out());
        linear(a, l, false, y);
        CudaModelOps.addInPlace(x, y, stream);
    }
}
