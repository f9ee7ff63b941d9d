package org.dqwhisper.whisper;

import java.util.HashMap;
import java.util.Map;

/**
 * An independent double-precision Whisper forward for the gradient checks: plain loops written from
 * the definitions (PyTorch conv1d, biased-variance LayerNorm, exact-erf GELU, softmax attention with
 * contiguous heads, tied logits, label-smoothed cross-entropy), reading parameters by OpenAI name
 * from a mutable map so that finite differences can perturb any coordinate. Tensors are row-major
 * double arrays; a batch of sequences is [B, T, d].
 */
final class Fp64Whisper {
    static final double LN_EPS = 1e-5;
    final Map<String, double[]> p;
    final int nMels;
    final int width;
    final int audioHeads;
    final int textHeads;
    final int audioLayers;
    final int textLayers;
    final int vocab;
    final int audioCtx;

    Fp64Whisper(WhisperConfig c, Map<String, double[]> params) {
        this.p = params;
        this.nMels = c.nMels();
        this.width = c.nAudioState();
        this.audioHeads = c.nAudioHead();
        this.textHeads = c.nTextHead();
        this.audioLayers = c.nAudioLayer();
        this.textLayers = c.nTextLayer();
        this.vocab = c.nVocab();
        this.audioCtx = c.nAudioCtx();
    }

    /** The model's tensors (OpenAI names, checkpoint shapes) as double arrays. */
    static Map<String, double[]> copyOf(WhisperModel m) {
        Map<String, double[]> out = new HashMap<>();
        m.stateTensors().forEach((k, t) -> out.put(k, toDouble(t.toFloatArray())));
        return out;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    double[] get(String name) {
        double[] v = p.get(name);
        if (v == null) throw new IllegalArgumentException("no reference tensor " + name);
        return v;
    }

    // ---- ops -------------------------------------------------------------------------------------

    /** y[m, o] = Σ_i x[m, i] W[o, i] + b[o]; W [out, in]. */
    static double[] linear(double[] x, int rows, double[] w, double[] b, int out, int in) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        }
        return y;
    }

    double[] linear(String prefix, double[] x, int rows, int out, int in) {
        return linear(x, rows, get(prefix + ".weight"), p.get(prefix + ".bias"), out, in);
    }

    static double[] layerNorm(double[] x, int rows, int d, double[] g, double[] b) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < d; i++) mean += x[r * d + i];
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            var /= d;
            double rstd = 1 / Math.sqrt(var + LN_EPS);
            for (int i = 0; i < d; i++) y[r * d + i] = (x[r * d + i] - mean) * rstd * g[i] + b[i];
        }
        return y;
    }

    double[] layerNorm(String prefix, double[] x) {
        return layerNorm(x, x.length / width, width, get(prefix + ".weight"), get(prefix + ".bias"));
    }

    /** erf by its everywhere-convergent positive series erf(x) = 2/√π e^{-x²} Σ 2ⁿ x^{2n+1} / (1·3···(2n+1)). */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a > 6) return Math.signum(x);
        double term = a;
        double sum = a;
        for (int n = 1; n < 400 && term > 1e-17 * sum; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    static double[] gelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = gelu(x[i]);
        return y;
    }

    /** softmax(q·kᵀ/√dh) v per head; q [B,Tq,d], k, v [B,Tk,d]; causal: query i sees keys j ≤ i. */
    static double[] attention(double[] q, double[] k, double[] v, int b, int tq, int tk, int d, int heads, boolean causal) {
        int dh = d / heads;
        double scale = 1 / Math.sqrt(dh);
        double[] out = new double[b * tq * d];
        double[] s = new double[tk];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tq; i++) {
                    int keys = causal ? i + 1 : tk;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < keys; j++) {
                        double dot = 0;
                        for (int c = 0; c < dh; c++) dot += q[(bi * tq + i) * d + h * dh + c] * k[(bi * tk + j) * d + h * dh + c];
                        s[j] = dot * scale;
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < keys; j++) z += s[j] = Math.exp(s[j] - max);
                    for (int c = 0; c < dh; c++) {
                        double acc = 0;
                        for (int j = 0; j < keys; j++) acc += s[j] / z * v[(bi * tk + j) * d + h * dh + c];
                        out[(bi * tq + i) * d + h * dh + c] = acc;
                    }
                }
            }
        }
        return out;
    }

    /** PyTorch conv1d on time-major x [T, Cin]: y[t, co] = b[co] + Σ W[co, ci, kk] x[t·stride + kk − pad, ci]. */
    static double[] conv1d(double[] x, int t, int cin, double[] w, double[] bias, int cout, int kernel, int stride, int pad) {
        int tout = (t + 2 * pad - kernel) / stride + 1;
        double[] y = new double[tout * cout];
        for (int to = 0; to < tout; to++) {
            for (int co = 0; co < cout; co++) {
                double s = bias[co];
                for (int ci = 0; ci < cin; ci++) {
                    for (int kk = 0; kk < kernel; kk++) {
                        int ti = to * stride + kk - pad;
                        if (ti >= 0 && ti < t) s += w[(co * cin + ci) * kernel + kk] * x[ti * cin + ci];
                    }
                }
                y[to * cout + co] = s;
            }
        }
        return y;
    }

    /** Mean over kept rows of (1−ε)(−log p[target]) + ε·mean_v(−log p[v]); rows with target == ignore are skipped. */
    static double crossEntropyMean(double[] logits, int rows, int v, int[] targets, int ignore, double eps) {
        double total = 0;
        int kept = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == ignore) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[r * v + j]);
            double z = 0;
            for (int j = 0; j < v; j++) z += Math.exp(logits[r * v + j] - max);
            double logZ = max + Math.log(z);
            double nll = logZ - logits[r * v + targets[r]];
            double smooth = 0;
            for (int j = 0; j < v; j++) smooth += logZ - logits[r * v + j];
            total += (1 - eps) * nll + eps * smooth / v;
            kept++;
        }
        return total / kept;
    }

    static void addInto(double[] y, double[] x) {
        for (int i = 0; i < y.length; i++) y[i] += x[i];
    }

    // ---- modules ---------------------------------------------------------------------------------

    /** out(attention(query(h), key(src), value(src))) without the residual; h [B,Tq,d], src [B,Tk,d]. */
    double[] attention(String prefix, double[] h, int b, int tq, double[] src, int tk, int heads, boolean causal) {
        double[] q = linear(prefix + ".query", h, b * tq, width, width);
        double[] k = linear(prefix + ".key", src, b * tk, width, width);
        double[] v = linear(prefix + ".value", src, b * tk, width, width);
        double[] a = attention(q, k, v, b, tq, tk, width, heads, causal);
        return linear(prefix + ".out", a, b * tq, width, width);
    }

    /** mlp.2(GELU(mlp.0(h))) for h [rows, d]. */
    double[] mlp(String prefix, double[] h, int rows) {
        int hidden = get(prefix + ".0.bias").length;
        double[] f = gelu(linear(prefix + ".0", h, rows, hidden, width));
        return linear(prefix + ".2", f, rows, width, hidden);
    }

    /** One block over x [B,T,d] (a new array); audio [B,Ta,d] for decoder blocks, else null. */
    double[] block(String prefix, double[] x, int b, int t, double[] audio, int ta) {
        boolean decoder = audio != null;
        int heads = decoder ? textHeads : audioHeads;
        double[] y = x.clone();
        double[] h = layerNorm(prefix + ".attn_ln", y);
        addInto(y, attention(prefix + ".attn", h, b, t, h, t, heads, decoder));
        if (decoder) {
            h = layerNorm(prefix + ".cross_attn_ln", y);
            addInto(y, attention(prefix + ".cross_attn", h, b, t, audio, ta, heads, false));
        }
        h = layerNorm(prefix + ".mlp_ln", y);
        addInto(y, mlp(prefix + ".mlp", h, b * t));
        return y;
    }

    /** The conv stem: GELU(conv2(GELU(conv1(mel)))) + positional embedding, mel [B, n_mels, frames] → [B, T, d]. */
    double[] stem(double[] mel, int b, int frames) {
        int tOut = (frames + 2 - 3) / 2 + 1;
        double[] out = new double[b * tOut * width];
        for (int bi = 0; bi < b; bi++) {
            double[] xt = new double[frames * nMels];
            for (int m = 0; m < nMels; m++) {
                for (int f = 0; f < frames; f++) xt[f * nMels + m] = mel[(bi * nMels + m) * frames + f];
            }
            double[] h1 = gelu(conv1d(xt, frames, nMels, get("encoder.conv1.weight"), get("encoder.conv1.bias"), width, 3, 1, 1));
            double[] h2 = gelu(conv1d(h1, frames, width, get("encoder.conv2.weight"), get("encoder.conv2.bias"), width, 3, 2, 1));
            double[] pos = get("encoder.positional_embedding");
            for (int i = 0; i < tOut * width; i++) out[bi * tOut * width + i] = h2[i] + pos[i];
        }
        return out;
    }

    /** The whole encoder: mel [B, n_mels, 2·n_audio_ctx] → [B, n_audio_ctx, d]. */
    double[] encoder(double[] mel, int b) {
        double[] x = stem(mel, b, 2 * audioCtx);
        for (int l = 0; l < audioLayers; l++) x = block("encoder.blocks." + l, x, b, audioCtx, null, 0);
        return layerNorm("encoder.ln_post", x);
    }

    /** Decoder logits [B·T, V] for tokens [B][T] over audio [B, Ta, d]. */
    double[] decoderLogits(int[][] tokens, double[] audio, int ta) {
        int b = tokens.length;
        int t = tokens[0].length;
        double[] emb = get("decoder.token_embedding.weight");
        double[] pos = get("decoder.positional_embedding");
        double[] x = new double[b * t * width];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < t; i++) {
                for (int c = 0; c < width; c++) x[(bi * t + i) * width + c] = emb[tokens[bi][i] * width + c] + pos[i * width + c];
            }
        }
        for (int l = 0; l < textLayers; l++) x = block("decoder.blocks." + l, x, b, t, audio, ta);
        double[] h = layerNorm("decoder.ln", x);
        return linear(h, b * t, emb, null, vocab, width);
    }

    /** Label-smoothed mean cross-entropy of the whole model. */
    double loss(double[] mel, int[][] inputs, int[] targets, double labelSmoothing) {
        int b = inputs.length;
        double[] audio = encoder(mel, b);
        double[] logits = decoderLogits(inputs, audio, audioCtx);
        return crossEntropyMean(logits, b * inputs[0].length, vocab, targets, -100, labelSmoothing);
    }
}
