package org.dqwhisper.nn;

import java.util.List;
import org.dqwhisper.kernels.Fp32Gemm;
import org.dqwhisper.kernels.Int4Gemm;
import org.dqwhisper.kernels.Int8Gemm;
import org.dqwhisper.kernels.NativeFp32Weights;
import org.dqwhisper.kernels.NativeInt4Weights;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.quant.FakeQuant;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * {@code y = x · Wᵀ + b} with PyTorch's weight layout {@code W[out, in]}. Holds the FP32 master
 * weight and, once {@linkplain #prepare prepared}, the packed FP32 and/or INT8 forms the kernels run.
 * Thread-safe for concurrent forwards after preparation; a training step changes the master weight,
 * after which {@link #invalidate()} drops the packed forms.
 *
 * <p>Training: the forward is {@link #forward} in FP32 (the packed FP32 GEMM is bit-identical to the
 * plain one), the caller keeps its input {@code x}, and {@link #backward} gives
 * {@code dW += dyᵀ·x}, {@code db += Σ_rows dy} and {@code dx = dy·W}.
 *
 * <p>Quantization-aware training ({@link #enableFakeQuant}): every forward uses {@code ŵ = fq(W)}
 * (and, optionally, per-row 8-bit fake-quantized inputs {@code x̂}, the integer GEMMs' row formula);
 * the backward passes {@code dŴ = dyᵀ·x̂} through the quantizer's estimator (STE with clipping
 * gradient, or LSQ) into W's gradient and gives {@code dx = dy·ŵ} (the input quantizer's backward is
 * the identity). {@link #useIntegerWeights} then swaps the fake-quant forward for the integer kernel
 * ({@code Int8Gemm} or {@code Int4Gemm}) on the exported codes and scales: the same numbers up to
 * FP32 summation order. Layers holding integer weights ({@link #attachInt8}, {@link #attachInt4})
 * always run on their integer kernel, whatever the precision asked for, and have no backward.
 *
 * <p>LSQ ({@code QuantConfig.Estimator.LSQ}): the learned step sizes are a trainable
 * {@link Parameter} ({@link #lsqLogScaleParameter()}, named {@code <name>.weight.lsq_log_scale})
 * holding {@code θ = ln(scale)}, flat (one value per scale; stored with the scale's shape). Before
 * every forward after an update the quantizer's scales are set to {@code exp(θ)}, and the backward
 * turns LSQ's {@code dL/dscale} into {@code dL/dθ = dL/dscale · scale}. The log parameterisation keeps
 * every scale positive without clamping, and makes an AdamW step change a scale by a relative amount
 * (≈ lr), the same for every layer and bit width, where a step on the raw scale (of size ≈ lr) could
 * cross zero for the small scales of 8-bit weights. Being rank 1, θ gets no weight decay from AdamW
 * (which would pull the scales towards 1). The export uses exactly the scales of the latest forward.
 */
public final class Linear implements AutoCloseable {
    private final String name;
    private final Parameter weight;
    private final Parameter bias;
    private NativeFp32Weights fp32;
    private NativeInt8Weights int8;
    private FakeQuant fakeQuant;
    private boolean fakeQuantInputs;
    private Tensor weightHat; // fq(W), valid while fakeQuantPacked != null
    private NativeFp32Weights fakeQuantPacked;
    private NativeInt8Weights exportedInt8;
    private NativeInt4Weights exportedInt4;
    private Parameter lsqLogScale; // LSQ only: θ = ln(scale), flat
    private final int inFeatures;
    private final int outFeatures;
    private boolean masterReleased; // inference on integer weights only: the FP32 master weight was freed

    /** Takes ownership of {@code weight} [out,in] and {@code bias} [out] (nullable), named {@code name.weight/.bias}. */
    public Linear(String name, Tensor weight, Tensor bias) {
        this(name, new Parameter(name + ".weight", checkWeight(name, weight)), bias == null ? null : new Parameter(name + ".bias", bias));
    }

    /** A layer over existing parameters (e.g. the token embedding reused for the logits). */
    public Linear(String name, Parameter weight, Parameter bias) {
        checkWeight(name, weight.value());
        if (bias != null) bias.value().requireShape(DType.F32, weight.value().dim(0));
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.inFeatures = (int) weight.value().dim(1);
        this.outFeatures = (int) weight.value().dim(0);
    }

    private static Tensor checkWeight(String name, Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("linear '" + name + "': weight " + w.describe() + " must be [out, in]");
        return w.requireShape(DType.F32, -1, -1);
    }

    public String name() {
        return name;
    }

    public int in() {
        return inFeatures;
    }

    public int out() {
        return outFeatures;
    }

    /** The FP32 master weight [out, in]; {@link IllegalStateException} after {@link #releaseMasterWeight()}. */
    public Tensor weight() {
        checkMasterWeight();
        return weight.value();
    }

    public Tensor bias() {
        return bias == null ? null : bias.value();
    }

    public Parameter weightParameter() {
        checkMasterWeight();
        return weight;
    }

    /**
     * Inference only: frees the FP32 master weight of a layer that runs on integer weights ({@link #attachInt8},
     * {@link #attachInt4}, {@link #useIntegerWeights}), which the integer kernels never read; returns the bytes freed
     * (0 when already released). The layer keeps running forwards; its weight, backward and re-quantization are gone
     * for good ({@link IllegalStateException} naming the layer).
     */
    public synchronized long releaseMasterWeight() {
        if (!hasIntegerWeights()) {
            throw new IllegalStateException("linear '" + name + "' runs on its FP32 weight: only a layer on integer weights can release it");
        }
        if (masterReleased) return 0;
        invalidate();
        long bytes = weight.value().byteSize();
        weight.close();
        masterReleased = true;
        return bytes;
    }

    /** Whether {@link #releaseMasterWeight()} freed the FP32 weight. */
    public boolean masterWeightReleased() {
        return masterReleased;
    }

    private void checkMasterWeight() {
        if (masterReleased) {
            throw new IllegalStateException("linear '" + name + "': its FP32 master weight was released (loaded for inference on integer"
                    + " weights); load the model again to train, export or re-quantize it");
        }
    }

    public Parameter biasParameter() {
        return bias;
    }

    /** Adds this layer's parameters (weight, then bias) to {@code out}. */
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
        if (bias != null) out.add(bias);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        weight.setRequiresGrad(requiresGrad);
        if (bias != null) bias.setRequiresGrad(requiresGrad);
        if (lsqLogScale != null) lsqLogScale.setRequiresGrad(requiresGrad);
    }

    /** Packs the weights for a precision (idempotent; nothing to pack for integer or fake-quant layers). */
    public synchronized void prepare(Precision p) {
        if (hasIntegerWeights()) return;
        if (fakeQuant != null) {
            prepareFakeQuant();
            return;
        }
        if (p == Precision.FP32 && fp32 == null) fp32 = NativeFp32Weights.pack(weight.value());
        if (p == Precision.INT8 && int8 == null) int8 = NativeInt8Weights.quantize(weight.value());
    }

    /** Drops packed forms (after the master weight changed, e.g. a training step). */
    public synchronized void invalidate() {
        if (fp32 != null) fp32.close();
        if (int8 != null) int8.close();
        if (fakeQuantPacked != null) fakeQuantPacked.close();
        fp32 = null;
        int8 = null;
        fakeQuantPacked = null;
    }

    // ---- quantization ------------------------------------------------------------------------------

    /**
     * {@link #enableFakeQuant(QuantConfig, boolean)} with the config's own input rule
     * ({@link QuantConfig#quantizesInputs()}: inputs quantized per row whenever the export runs on the
     * integer kernels, unless the config says {@code weight-only}).
     */
    public void enableFakeQuant(QuantConfig config) {
        if (config == null) throw new IllegalArgumentException("linear '" + name + "': quantization config is null");
        enableFakeQuant(config, config.quantizesInputs());
    }

    /**
     * Fake-quantizes this layer's weight under {@code config} from now on (and its inputs, per row
     * 8-bit with a straight-through backward, when {@code quantizeInputs}); replaces an earlier
     * quantizer. LSQ scales are initialised from the current weight and become the trainable
     * {@link #lsqLogScaleParameter()} (requiring a gradient when the weight does). Not for a layer
     * holding integer weights.
     */
    public synchronized void enableFakeQuant(QuantConfig config, boolean quantizeInputs) {
        if (hasIntegerWeights()) throw new IllegalStateException("linear '" + name + "' runs on integer weights; it cannot be fake-quantized");
        disableFakeQuant();
        fakeQuant = FakeQuant.forWeights(config, out(), in());
        if (config.estimator() == QuantConfig.Estimator.LSQ) {
            fakeQuant.initScale(weight.value());
            float[] s = fakeQuant.scale().toFloatArray();
            float[] theta = new float[s.length];
            for (int i = 0; i < s.length; i++) theta[i] = (float) Math.log(s[i]);
            Tensor t = Tensor.allocate(name + ".weight.lsq_log_scale", DType.F32, theta.length);
            t.copyFrom(theta);
            lsqLogScale = new Parameter(name + ".weight.lsq_log_scale", t, config.scaleShape(out(), in()));
            lsqLogScale.setRequiresGrad(weight.requiresGrad());
        }
        fakeQuantInputs = quantizeInputs;
        weightHat = Tensor.allocate(name + ".weight(fake-quant)", DType.F32, out(), in());
    }

    /** LSQ: the trainable {@code ln(scale)} of the weight quantizer (see the class comment), else null. */
    public Parameter lsqLogScaleParameter() {
        return lsqLogScale;
    }

    /** Back to the plain FP32 weight (no-op without a quantizer). */
    public synchronized void disableFakeQuant() {
        invalidate();
        if (fakeQuant != null) fakeQuant.close();
        if (weightHat != null) weightHat.close();
        if (lsqLogScale != null) lsqLogScale.close();
        fakeQuant = null;
        weightHat = null;
        lsqLogScale = null;
        fakeQuantInputs = false;
    }

    /** The weight quantizer, or null. */
    public FakeQuant fakeQuant() {
        return fakeQuant;
    }

    public boolean fakeQuantizesInputs() {
        return fakeQuantInputs;
    }

    /** Whether this layer runs on exported integer weights. */
    public boolean hasIntegerWeights() {
        return exportedInt8 != null || exportedInt4 != null;
    }

    public NativeInt8Weights int8Weights() {
        return exportedInt8;
    }

    public NativeInt4Weights int4Weights() {
        return exportedInt4;
    }

    /** Runs this layer on the INT8 GEMM with the given weights from now on (takes ownership; the FP32 weight stays for reference). */
    public synchronized void attachInt8(NativeInt8Weights w) {
        checkIntegerShape(w.n(), w.k());
        detachInteger();
        disableFakeQuant();
        exportedInt8 = w;
    }

    /** Runs this layer on the INT4-weight GEMM with the given weights from now on (takes ownership). */
    public synchronized void attachInt4(NativeInt4Weights w) {
        checkIntegerShape(w.n(), w.k());
        detachInteger();
        disableFakeQuant();
        exportedInt4 = w;
    }

    private void checkIntegerShape(int n, int k) {
        if (n != out() || k != in()) {
            throw new IllegalArgumentException("linear '" + name + "' [" + out() + "x" + in() + "]: integer weights are [" + n + "x" + k + "]");
        }
    }

    private void detachInteger() {
        if (exportedInt8 != null) exportedInt8.close();
        if (exportedInt4 != null) exportedInt4.close();
        exportedInt8 = null;
        exportedInt4 = null;
    }

    /**
     * Exports the fake-quantized weight to integer codes and scales and runs on them from now on: INT8
     * ({@code Int8Gemm}) for 8-bit per-tensor/per-channel configs, INT4 ({@code Int4Gemm}) otherwise.
     * The integer GEMMs quantize their inputs per row, so the fake-quant forward this replaces should
     * have {@code quantizeInputs} for the two to agree.
     */
    public synchronized void useIntegerWeights() {
        if (fakeQuant == null) throw new IllegalStateException("linear '" + name + "' has no fake quantizer to export");
        prepareFakeQuant();
        QuantConfig c = fakeQuant.config();
        if (c.weightBits() == 8) {
            NativeInt8Weights w = fakeQuant.toInt8(weight.value());
            attachInt8(w);
        } else {
            NativeInt4Weights w = fakeQuant.toInt4(weight.value());
            attachInt4(w);
        }
    }

    /** ŵ = fq(W) and its packed form, once per weight version (LSQ: scales = exp(θ) of the current θ). */
    private synchronized void prepareFakeQuant() {
        if (fakeQuantPacked != null) return;
        if (lsqLogScale != null) {
            float[] theta = lsqLogScale.value().toFloatArray();
            float[] s = new float[theta.length];
            for (int i = 0; i < s.length; i++) s[i] = (float) Math.exp(theta[i]);
            fakeQuant.scale().copyFrom(s); // forward rejects a non-finite or zero scale, naming it
        }
        fakeQuant.forward(weight.value(), weightHat);
        fakeQuantPacked = NativeFp32Weights.pack(weightHat);
    }

    /** {@code y[M,out] = x[M,in] · Wᵀ + b} (→ GELU); leading dims of x and y are flattened. */
    public void forward(Tensor x, Tensor y, boolean gelu, Precision p) {
        Tensor x2 = flat(x, in(), "input");
        Tensor y2 = flat(y, out(), "output");
        if (x2.dim(0) != y2.dim(0)) {
            throw new IllegalArgumentException("linear '" + name + "': " + x.describe() + " and " + y.describe() + " differ in rows");
        }
        prepare(p);
        long t0 = GemmStopwatch.start();
        if (exportedInt8 != null) {
            Int8Gemm.linear(x2, exportedInt8, bias(), gelu, y2);
        } else if (exportedInt4 != null) {
            Int4Gemm.linear(x2, exportedInt4, bias(), gelu, y2);
        } else if (fakeQuant != null) {
            NativeFp32Weights packed;
            synchronized (this) {
                prepareFakeQuant();
                packed = fakeQuantPacked;
            }
            if (fakeQuantInputs) {
                try (Tensor xq = Tensor.allocate(name + ".input(fake-quant)", DType.F32, x2.shape())) {
                    FakeQuant.activations(x2, xq);
                    Fp32Gemm.linear(xq, packed, bias(), gelu, y2);
                }
            } else {
                Fp32Gemm.linear(x2, packed, bias(), gelu, y2);
            }
        } else if (p == Precision.INT8) {
            Int8Gemm.linear(x2, int8, bias(), gelu, y2);
        } else {
            Fp32Gemm.linear(x2, fp32, bias(), gelu, y2);
        }
        GemmStopwatch.stop(t0);
    }

    /**
     * Backward of {@code y = x·Wᵀ + b} (without GELU): accumulates {@code dW += dyᵀ·x} and
     * {@code db += Σ dy} into the parameters that require a gradient, and writes {@code dx = dy·W}
     * ({@code +=} when {@code accumulateDx}) unless {@code dx} is null. x [M,in], dy [M,out], dx [M,in].
     */
    public void backward(Tensor x, Tensor dy, Tensor dx, boolean accumulateDx) {
        Tensor x2 = flat(x, in(), "input");
        Tensor dy2 = flat(dy, out(), "output gradient");
        if (x2.dim(0) != dy2.dim(0)) {
            throw new IllegalArgumentException("linear '" + name + "' backward: " + x.describe() + " and " + dy.describe() + " differ in rows");
        }
        checkMasterWeight();
        if (hasIntegerWeights()) throw new IllegalStateException("linear '" + name + "' runs on integer weights and has no backward");
        if (fakeQuant != null) {
            backwardFakeQuant(x2, dy2, dx, accumulateDx);
            return;
        }
        if (weight.requiresGrad()) {
            long t0 = GemmStopwatch.start();
            Fp32Gemm.sgemm(true, false, dy2, x2, weight.grad(), true);
            GemmStopwatch.stop(t0);
        }
        if (bias != null && bias.requiresGrad()) NnKernels.biasGrad(dy2, bias.grad());
        if (dx != null) {
            Tensor dx2 = flat(dx, in(), "input gradient");
            if (dx2.dim(0) != x2.dim(0)) {
                throw new IllegalArgumentException("linear '" + name + "' backward: " + dx.describe() + " must have the rows of " + x.describe());
            }
            long t0 = GemmStopwatch.start();
            Fp32Gemm.sgemm(false, false, dy2, weight.value(), dx2, accumulateDx);
            GemmStopwatch.stop(t0);
        }
    }

    private void backwardFakeQuant(Tensor x2, Tensor dy2, Tensor dx, boolean accumulateDx) {
        synchronized (this) {
            prepareFakeQuant(); // the quantizer's scales must belong to the current weight
        }
        boolean scaleGrad = lsqLogScale != null && lsqLogScale.requiresGrad();
        if (weight.requiresGrad() || scaleGrad) {
            Tensor xq = fakeQuantInputs ? Tensor.allocate(name + ".input(fake-quant)", DType.F32, x2.shape()) : x2;
            try (Tensor dwHat = Tensor.allocate(name + ".dweight(fake-quant)", DType.F32, out(), in())) {
                if (fakeQuantInputs) FakeQuant.activations(x2, xq);
                long t0 = GemmStopwatch.start();
                Fp32Gemm.sgemm(true, false, dy2, xq, dwHat, false);
                GemmStopwatch.stop(t0);
                if (scaleGrad) fakeQuant.scaleGrad().fill(0f); // this backward's dL/dscale only
                if (weight.requiresGrad()) fakeQuant.backward(weight.value(), dwHat, weight.grad(), true);
                else fakeQuant.backward(weight.value(), dwHat, dwHat, false); // dW discarded, dL/dscale kept
                if (scaleGrad) accumulateLogScaleGrad();
            } finally {
                if (fakeQuantInputs) xq.close();
            }
        }
        if (bias != null && bias.requiresGrad()) NnKernels.biasGrad(dy2, bias.grad());
        if (dx != null) {
            Tensor dx2 = flat(dx, in(), "input gradient");
            if (dx2.dim(0) != x2.dim(0)) {
                throw new IllegalArgumentException("linear '" + name + "' backward: " + dx.describe() + " must have the rows of " + x2.describe());
            }
            long t0 = GemmStopwatch.start();
            Fp32Gemm.sgemm(false, false, dy2, weightHat, dx2, accumulateDx);
            GemmStopwatch.stop(t0);
        }
    }

    /** dL/dθ += dL/dscale · scale (θ = ln scale). */
    private void accumulateLogScaleGrad() {
        float[] ds = fakeQuant.scaleGrad().toFloatArray();
        float[] s = fakeQuant.scale().toFloatArray();
        Tensor g = lsqLogScale.grad();
        float[] acc = g.toFloatArray();
        for (int i = 0; i < acc.length; i++) acc[i] += ds[i] * s[i];
        g.copyFrom(acc);
    }

    private Tensor flat(Tensor t, int cols, String what) {
        if (t.rank() < 1 || t.dim(-1) != cols) {
            throw new IllegalArgumentException("linear '" + name + "' [" + out() + "x" + in() + "]: " + what + " "
                    + t.describe() + " must end in " + cols);
        }
        return t.rank() == 2 ? t : t.reshape(t.numel() / cols, cols);
    }

    /** Frees the packed forms and the parameters (a shared weight is freed by each owner; closing twice is harmless). */
    @Override
    public synchronized void close() {
        disableFakeQuant();
        detachInteger();
        invalidate();
        weight.close();
        if (bias != null) bias.close();
    }
}
