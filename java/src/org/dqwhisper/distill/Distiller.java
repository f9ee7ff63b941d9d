package org.dqwhisper.distill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.distill.DistillationLosses.LossScales;
import org.dqwhisper.distill.DistillationLosses.Reduction;
import org.dqwhisper.distill.DistillationLosses.Terms;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.AdamW;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.whisper.WhisperModel;

/**
 * DQ-Whisper distillation (method note §2-3): a frozen FP teacher, a student (its encoder frozen unless
 * {@link Options#trainEncoder}), optionally fake-quantized while it learns (quantization-aware
 * distillation, {@link Options#quant}), and per step
 * <pre>  L = (1−α)·CE + α·(KL_T + L_hid)</pre>
 * with {@link DistillationLosses} (reduction {@link Options#reduction}, per-token means by default),
 * {@code L_hid} over the decoder FFN activations (post-GELU fc1 output of the causal-masked training
 * forward) of the student layers and their matched teacher layers ({@link DynamicLayerMatcher}, recomputed
 * every batch; only the chosen pairs get gradient), the teacher side mapped to the student's FFN width by
 * a trainable {@link LinearAdapter} (dropped after training). Padded positions (target
 * {@link TrainingBatch#IGNORE_INDEX}) are masked in every term. Student parameters and the adapter are
 * updated with {@link AdamW}.
 *
 * <p>Two switches beyond that: {@link Options#hiddenSource} {@link HiddenSource#UNMASKED_RECOMPUTE} takes the
 * decoder FFN activations of L_hid from the authors' separate pass with the self-attention unmasked
 * ({@link WhisperModel#unmaskedDecoderFfn}; the logits stay causal); {@link Options#encoderMatch} (only with
 * {@link Options#trainEncoder}) adds the same matched distance over the encoder blocks' FFN activations, with its
 * own matcher, adapter (teacher → student encoder FFN width) and {@link #encoderMatchingLog()}:
 * <pre>  L = (1−α)·CE + α·(KL_T + L_hid + L_hid,enc)</pre>
 * {@code L_hid,enc = (1/N_S,enc)·Σ_i d(s_i, t_m(i))} over encoder layers, every audio frame counted (no mask; with
 * the per-token reduction divided by B·n_audio_ctx frames). For it the frozen teacher encoder runs its training
 * forward, which keeps its activations for the step (and uses the GEMM attention rather than the fused inference
 * kernel, so its logits differ from a run without encoder matching by FP32 rounding).
 *
 * <p>Not thread-safe. Owns the adapter and optimizer; the caller owns the models.
 */
public final class Distiller implements AutoCloseable {
    /**
     * @param mode         layer matching: static, dynamic (the paper), dynamic-free, logits (KL only), none (CE only)
     * @param alpha        weight of the distillation terms (0.9 in the paper)
     * @param temperature  softmax temperature of KL and L_hid (1 in the paper)
     * @param reduction    how the terms are reduced over tokens
     * @param quant        fake quantization of the student during distillation, or {@link QuantConfig#NONE}
     * @param trainEncoder whether the student encoder is trained (frozen in the authors' code)
     * @param weightDecay  AdamW decoupled weight decay
     * @param seed         adapter initialisation
     * @param hiddenSource which decoder FFN activations L_hid compares (masked: the training forward's)
     * @param encoderMatch layer matching of the encoder FFN activations (static, dynamic, dynamic-free), or none;
     *                     needs {@code trainEncoder}
     */
    public record Options(Mode mode, double alpha, float temperature, Reduction reduction, QuantConfig quant, boolean trainEncoder,
                          double weightDecay, long seed, HiddenSource hiddenSource, Mode encoderMatch, double hiddenWeight) {
        public Options {
            if (!(hiddenWeight >= 0) || !Double.isFinite(hiddenWeight)) {
                throw new IllegalArgumentException("distill options: hidden weight must be finite and >= 0, got " + hiddenWeight);
            }
            if (mode == null || reduction == null || quant == null) throw new IllegalArgumentException("distill options: null mode/reduction/quant");
            if (hiddenSource == null || encoderMatch == null) throw new IllegalArgumentException("distill options: null hidden source/encoder matching");
            if (encoderMatch == Mode.LOGITS) {
                throw new IllegalArgumentException("distill options: encoder matching is static, dynamic, dynamic-free or none ('logits' has no"
                        + " meaning for encoder layers)");
            }
            if (encoderMatch != Mode.NONE && !trainEncoder) {
                throw new IllegalArgumentException("distill options: --match-encoder " + encoderMatch + " needs --train-encoder (a frozen"
                        + " student encoder cannot learn from encoder matching)");
            }
            if (encoderMatch != Mode.NONE && mode == Mode.NONE) {
                throw new IllegalArgumentException("distill options: --match none trains on CE alone; encoder matching needs a distillation"
                        + " mode (static, dynamic, dynamic-free or logits)");
            }
            if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("distill options: alpha must be in [0, 1], got " + alpha);
            if (!(temperature > 0) || !Float.isFinite(temperature)) {
                throw new IllegalArgumentException("distill options: temperature must be > 0, got " + temperature);
            }
        }

        /** The paper's weighting of the hidden terms (hidden weight 1). */
        public Options(Mode mode, double alpha, float temperature, Reduction reduction, QuantConfig quant, boolean trainEncoder,
                       double weightDecay, long seed, HiddenSource hiddenSource, Mode encoderMatch) {
            this(mode, alpha, temperature, reduction, quant, trainEncoder, weightDecay, seed, hiddenSource, encoderMatch, 1.0);
        }

        /** Decoder-only options: hidden states of the masked forward, no encoder matching. */
        public Options(Mode mode, double alpha, float temperature, Reduction reduction, QuantConfig quant, boolean trainEncoder,
                       double weightDecay, long seed) {
            this(mode, alpha, temperature, reduction, quant, trainEncoder, weightDecay, seed, HiddenSource.MASKED, Mode.NONE);
        }

        /** The paper's settings: dynamic matching, α = 0.9, T = 1, 8-bit per-tensor decoder weights. */
        public static Options paper() {
            return new Options(Mode.DYNAMIC, DistillationLosses.DEFAULT_ALPHA, DistillationLosses.DEFAULT_TEMPERATURE,
                    Reduction.MEAN_PER_TOKEN, QuantConfig.paperDefault(), false, 0.0, 1L);
        }

        public Options withMode(Mode m) {
            return new Options(m, alpha, temperature, reduction, quant, trainEncoder, weightDecay, seed, hiddenSource, encoderMatch, hiddenWeight);
        }

        public Options withQuant(QuantConfig q) {
            return new Options(mode, alpha, temperature, reduction, q, trainEncoder, weightDecay, seed, hiddenSource, encoderMatch, hiddenWeight);
        }

        public Options withHiddenSource(HiddenSource h) {
            return new Options(mode, alpha, temperature, reduction, quant, trainEncoder, weightDecay, seed, h, encoderMatch, hiddenWeight);
        }

        /** Encoder matching {@code m} (not none: the student encoder is trained too). */
        public Options withEncoderMatch(Mode m) {
            return new Options(mode, alpha, temperature, reduction, quant, trainEncoder || m != Mode.NONE, weightDecay, seed, hiddenSource, m,
                    hiddenWeight);
        }

        /**
         * The hidden terms (L_hid, and the encoder's when matched) multiplied by {@code w}: 1 is the paper's loss. Not
         * in the paper: with its per-feature softmax distance over 4d FFN activations, L_hid can be orders of
         * magnitude below L_KL (about 1/4000 at the start of the demo's distillation), so the matching strategy then
         * barely moves the gradient; this weight lets that be tested.
         */
        public Options withHiddenWeight(double w) {
            return new Options(mode, alpha, temperature, reduction, quant, trainEncoder, weightDecay, seed, hiddenSource, encoderMatch, w);
        }

        public boolean matchesEncoder() {
            return encoderMatch != Mode.NONE;
        }
    }

    /**
     * One step's loss terms (reduced, unweighted; {@code terms.total()} includes the encoder term) and the decoder layer
     * mapping used (empty without L_hid); with encoder matching also the reduced encoder term L_hid,enc and its mapping
     * (else 0 and empty).
     */
    public record StepResult(Terms terms, int[] mapping, double encoderHidden, int[] encoderMapping) {
        public StepResult(Terms terms, int[] mapping) {
            this(terms, mapping, 0, new int[0]);
        }
    }

    private final WhisperModel teacher;
    private final WhisperModel student;
    private final Options options;
    private final DynamicLayerMatcher matcher;
    private final MatchingLog matchingLog;
    private final LinearAdapter adapter;
    private final Parameter adapterWeight;
    private final Parameter adapterBias;
    private final AdamW optimizer;
    /** Encoder matching (null without): matcher, log, adapter (teacher → student encoder FFN width) and its parameters. */
    private final DynamicLayerMatcher encoderMatcher;
    private final MatchingLog encoderMatchingLog;
    private final LinearAdapter encoderAdapter;
    private final Parameter encoderAdapterWeight;
    private final Parameter encoderAdapterBias;
    private long steps;
    /** Reused [B·T, n_vocab] gradient buffers (hundreds of MB for a large vocabulary: fresh ones cost page faults every step). */
    private Tensor logitGradient;
    private Tensor klGradient;

    public Distiller(WhisperModel teacher, WhisperModel student, Options options) {
        if (teacher.config().nVocab() != student.config().nVocab()) {
            throw new IllegalArgumentException("distill: teacher vocabulary " + teacher.config().nVocab() + " differs from the student's "
                    + student.config().nVocab());
        }
        if (teacher.config().nMels() != student.config().nMels()) {
            throw new IllegalArgumentException("distill: teacher and student take different mel bins");
        }
        if (options.matchesEncoder() && teacher.config().nAudioCtx() != student.config().nAudioCtx()) {
            throw new IllegalArgumentException("distill: encoder matching compares frame by frame, but the teacher encoder has n_audio_ctx "
                    + teacher.config().nAudioCtx() + " and the student's " + student.config().nAudioCtx() + " (not pooled: refused)");
        }
        this.teacher = teacher;
        this.student = student;
        this.options = options;
        for (Parameter p : teacher.parameters()) p.setRequiresGrad(false);
        for (Parameter p : student.parameters()) p.setRequiresGrad(true);
        if (!options.trainEncoder()) student.encoder().setRequiresGrad(false);
        if (options.quant().enabled()) student.enableFakeQuant(options.quant(), false);
        int ns = student.config().nTextLayer(), nt = teacher.config().nTextLayer();
        this.matcher = new DynamicLayerMatcher(options.mode(), ns, nt);
        this.matchingLog = new MatchingLog(ns, nt);
        this.adapter = new LinearAdapter(4 * teacher.config().nTextState(), 4 * student.config().nTextState(), options.seed());
        this.adapterWeight = new Parameter("adapter.weight", adapter.weight());
        this.adapterBias = new Parameter("adapter.bias", adapter.bias());
        this.optimizer = new AdamW(0.9, 0.999, 1e-8, options.weightDecay());
        if (options.matchesEncoder()) {
            int nse = student.config().nAudioLayer(), nte = teacher.config().nAudioLayer();
            this.encoderMatcher = new DynamicLayerMatcher(options.encoderMatch(), nse, nte);
            this.encoderMatchingLog = new MatchingLog(nse, nte);
            this.encoderAdapter = new LinearAdapter(teacher.encoder().blocks()[0].mlp().fc1().out(), student.encoder().blocks()[0].mlp().fc1().out(),
                    options.seed() + 0x5DEECE66DL); // its own stream: the decoder adapter is initialised as without encoder matching
            this.encoderAdapterWeight = new Parameter(ENCODER_ADAPTER + ".weight", encoderAdapter.weight());
            this.encoderAdapterBias = new Parameter(ENCODER_ADAPTER + ".bias", encoderAdapter.bias());
        } else {
            this.encoderMatcher = null;
            this.encoderMatchingLog = null;
            this.encoderAdapter = null;
            this.encoderAdapterWeight = null;
            this.encoderAdapterBias = null;
        }
    }

    /** Name prefix of the encoder adapter's parameters (checkpoints). */
    public static final String ENCODER_ADAPTER = "encoder_adapter";

    public Options options() {
        return options;
    }

    public MatchingLog matchingLog() {
        return matchingLog;
    }

    public LinearAdapter adapter() {
        return adapter;
    }

    /** The encoder layer mappings so far; null without encoder matching. */
    public MatchingLog encoderMatchingLog() {
        return encoderMatchingLog;
    }

    /** The teacher → student encoder FFN adapter; null without encoder matching. */
    public LinearAdapter encoderAdapter() {
        return encoderAdapter;
    }

    public long steps() {
        return steps;
    }

    /** The trained parameters: the student's that require a gradient, its LSQ step sizes, then (with L_hid) the adapter's. */
    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : student.parameters()) if (p.requiresGrad()) out.add(p);
        for (Parameter p : student.quantizerParameters()) if (p.requiresGrad()) out.add(p); // LSQ step sizes
        if (options.mode().usesHiddenLoss()) {
            out.add(adapterWeight);
            out.add(adapterBias);
        }
        if (encoderAdapter != null) {
            out.add(encoderAdapterWeight);
            out.add(encoderAdapterBias);
        }
        return out;
    }

    /** One optimisation step on {@code batch} with learning rate {@code lr}. */
    public StepResult step(TrainingBatch batch, double lr) {
        return update(lossAndGradients(batch), lr);
    }

    /**
     * One optimisation step on precomputed encoder outputs (both encoders frozen, e.g. features cached once
     * for many runs): studentAudio [B, ctx_S, d_S], teacherAudio [B, ctx_T, d_T] (may be null when the mode
     * uses no teacher), decoder inputs and targets [B][T_b] (targets {@link TrainingBatch#IGNORE_INDEX} are
     * not scored).
     */
    public StepResult step(Tensor studentAudio, Tensor teacherAudio, int[][] inputs, int[][] targets, double lr) {
        if (options.trainEncoder()) throw new IllegalStateException("distill: cached encoder outputs need a frozen student encoder");
        return update(lossAndGradients(studentAudio, teacherAudio, inputs, targets), lr);
    }

    private StepResult update(StepResult r, double lr) {
        List<Parameter> params = trainableParameters();
        optimizer.step(params, lr);
        for (Parameter p : params) p.zeroGrad();
        student.invalidatePackedWeights();
        if (r.mapping().length > 0) matchingLog.record(steps, r.mapping());
        if (r.encoderMapping().length > 0) encoderMatchingLog.record(steps, r.encoderMapping());
        steps++;
        return r;
    }

    /** The loss of {@code batch} and (accumulated into the parameters) its gradients; no update. */
    StepResult lossAndGradients(TrainingBatch batch) {
        Padded p = Padded.of(batch.decoderInputs(), batch.targets());
        try (WhisperModel.TrainingPass s = student.forwardTrain(batch.mel(), p.inputs);
                WhisperModel.TrainingPass t = options.mode().usesKl() ? teacher.forwardTrain(batch.mel(), p.inputs, options.matchesEncoder()) : null) {
            return lossAndGradients(p, s, t);
        }
    }

    StepResult lossAndGradients(Tensor studentAudio, Tensor teacherAudio, int[][] inputs, int[][] targets) {
        Padded p = Padded.of(inputs, targets);
        if (options.mode().usesKl() && teacherAudio == null) throw new IllegalArgumentException("distill: mode " + options.mode() + " needs the teacher's audio features");
        try (WhisperModel.TrainingPass s = student.forwardTrainOnAudio(studentAudio, p.inputs);
                WhisperModel.TrainingPass t = options.mode().usesKl() ? teacher.forwardTrainOnAudio(teacherAudio, p.inputs) : null) {
            return lossAndGradients(p, s, t);
        }
    }

    private StepResult lossAndGradients(Padded p, WhisperModel.TrainingPass s, WhisperModel.TrainingPass t) {
        Mode mode = options.mode();
        float temp = options.temperature();
        try (Tensor targets = Tensor.of(p.targets, p.targets.length); Tensor mask = Tensor.of(p.mask, p.mask.length)) {
            long tokens = DistillationLosses.countRows(mask, p.mask.length);
            LossScales sc = LossScales.of(mode, options.alpha(), options.reduction(), tokens, tokens, student.config().nTextLayer())
                    .withHiddenWeight(options.hiddenWeight());
            Tensor sLogits = s.logits();
            double ceSum, klSum = 0, encoderHidden = 0;
            double[] hidSums = null;
            int[] mapping = new int[0], encoderMapping = new int[0];
            {
                logitGradient = grow(logitGradient, "distill.dlogits", sLogits);
                Tensor dLogits = zeroedRows(logitGradient, sLogits.dim(0));
                ceSum = DistillationLosses.crossEntropySum(sLogits, targets, TrainingBatch.IGNORE_INDEX, (float) sc.ce(), dLogits);
                if (mode.usesKl()) {
                    klGradient = grow(klGradient, "distill.dkl", sLogits);
                    Tensor dKl = zeroedRows(klGradient, sLogits.dim(0));
                    klSum = DistillationLosses.klSum(sLogits, t.logits(), temp, mask, (float) sc.kl(), dKl);
                    NnKernels.addInto(dLogits, dKl);
                }
                if (mode.usesHiddenLoss()) {
                    hidSums = new double[student.config().nTextLayer()];
                    List<Mlp.Activations> hS = new ArrayList<>();
                    List<Tensor> hT = new ArrayList<>();
                    for (int i = 0; i < hidSums.length; i++) hS.add(decoderHidden(student, s, i));
                    for (int j = 0; j < teacher.config().nTextLayer(); j++) hT.add(decoderHidden(teacher, t, j).activation());
                    mapping = hiddenLoss(hS, hT, matcher, adapter, adapterWeight, adapterBias, mask, (float) sc.hiddenPerLayer(), hidSums);
                }
                if (encoderMatcher != null) {
                    int nse = student.config().nAudioLayer();
                    long frames = (long) p.inputs.length * student.config().nAudioCtx();
                    double norm = options.reduction().norm(frames);
                    double[] sums = new double[nse];
                    List<Mlp.Activations> hS = new ArrayList<>();
                    List<Tensor> hT = new ArrayList<>();
                    for (int i = 0; i < nse; i++) hS.add(s.encoderFfn(i));
                    for (int j = 0; j < teacher.config().nAudioLayer(); j++) hT.add(t.encoderFfn(j).activation());
                    encoderMapping = hiddenLoss(hS, hT, encoderMatcher, encoderAdapter, encoderAdapterWeight, encoderAdapterBias, null,
                            (float) (options.alpha() * options.hiddenWeight() * norm / nse), sums);
                    for (double v : sums) encoderHidden += v;
                    encoderHidden *= norm / nse;
                }
                student.backward(s, dLogits);
            }
            Terms terms = sc.terms(ceSum, klSum, hidSums);
            if (encoderMatcher != null) {
                terms = new Terms(terms.ce(), terms.kl(), terms.hidden(),
                        terms.total() + options.alpha() * options.hiddenWeight() * encoderHidden);
            }
            return new StepResult(terms, mapping, encoderHidden, encoderMapping);
        }
    }

    /** Decoder block {@code layer}'s FFN activations for L_hid, from the source the options name. */
    private Mlp.Activations decoderHidden(WhisperModel m, WhisperModel.TrainingPass pass, int layer) {
        return options.hiddenSource() == HiddenSource.UNMASKED_RECOMPUTE ? m.unmaskedDecoderFfn(pass, layer) : pass.decoderFfn(layer);
    }

    /**
     * One matched hidden-state term: matches the student layers' activations {@code hS} with the adapted teacher
     * activations {@code hT}, writes each student layer's distance sum into {@code sums}, and adds the gradients of
     * {@code scale·Σ sums} (student activations, adapter parameters).
     */
    private int[] hiddenLoss(List<Mlp.Activations> hS, List<Tensor> hT, DynamicLayerMatcher layerMatcher, LinearAdapter layerAdapter,
                             Parameter adapterW, Parameter adapterB, Tensor mask, float scale, double[] sums) {
        int ns = hS.size(), nt = hT.size();
        float temp = options.temperature();
        List<Tensor> owned = new ArrayList<>();
        try {
            List<Tensor> pS = new ArrayList<>(), pT = new ArrayList<>();
            for (int i = 0; i < ns; i++) {
                Tensor h = hS.get(i).activation();
                Tensor p = own(owned, Tensor.allocate("distill.pS", DType.F32, h.shape()));
                DistillationLosses.featureSoftmax(h, temp, p);
                pS.add(p);
            }
            for (int j = 0; j < nt; j++) {
                Tensor h = hT.get(j);
                Tensor a = own(owned, Tensor.allocate("distill.adapted", DType.F32, h.dim(0), layerAdapter.outFeatures()));
                layerAdapter.forward(h, a);
                Tensor p = own(owned, Tensor.allocate("distill.pT", DType.F32, a.shape()));
                DistillationLosses.featureSoftmax(a, temp, p);
                pT.add(p);
            }
            double[][] d = layerMatcher.mode().needsDistances() ? DistillationLosses.distanceMatrix(pS, pT, temp, mask, options.reduction()) : null;
            int[] mapping = layerMatcher.match(d);
            Tensor[] dAdapted = new Tensor[nt];
            for (int i = 0; i < ns; i++) {
                int j = mapping[i];
                sums[i] = DistillationLosses.hiddenDistanceSum(pS.get(i), pT.get(j), temp, mask);
                if (dAdapted[j] == null) {
                    dAdapted[j] = own(owned, Tensor.allocate("distill.dadapted", DType.F32, pT.get(j).shape()));
                    dAdapted[j].fill(0f);
                }
                try (Tensor dh = Tensor.allocate("distill.dhS", DType.F32, pS.get(i).shape())) {
                    DistillationLosses.hiddenDistanceBackward(pS.get(i), pT.get(j), temp, mask, scale, dh, dAdapted[j], true);
                    hS.get(i).addActivationGrad(dh);
                }
            }
            for (int j = 0; j < nt; j++) {
                if (dAdapted[j] != null) layerAdapter.backward(hT.get(j), dAdapted[j], adapterW.grad(), adapterB.grad(), true);
            }
            return mapping;
        } finally {
            for (Tensor x : owned) x.close();
        }
    }

    /**
     * A buffer with at least {@code like}'s rows and exactly its columns: {@code cached} when it is big enough,
     * else a new one with 25 % head-room (batches differ in token count), so steady training allocates nothing.
     */
    private static Tensor grow(Tensor cached, String name, Tensor like) {
        long rows = like.dim(0), cols = like.dim(1);
        if (cached != null && cached.dim(0) >= rows && cached.dim(1) == cols) return cached;
        if (cached != null) cached.close();
        return Tensor.allocate(name, DType.F32, rows + rows / 4, cols);
    }

    /** The first {@code rows} rows of {@code buffer}, zeroed (a view). */
    private static Tensor zeroedRows(Tensor buffer, long rows) {
        Tensor v = buffer.rows(0, rows);
        v.fill(0f);
        return v;
    }

    private static Tensor own(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    /** Mean cross-entropy per label token of the student on {@code batch} (no gradient). */
    public double evaluate(TrainingBatch batch) {
        Padded p = Padded.of(batch.decoderInputs(), batch.targets());
        try (WhisperModel.TrainingPass s = student.forwardTrain(batch.mel(), p.inputs)) {
            return meanCrossEntropy(p, s);
        }
    }

    /** {@link #evaluate(TrainingBatch)} on the student's precomputed encoder output [B, ctx, d]. */
    public double evaluate(Tensor studentAudio, int[][] inputs, int[][] targets) {
        Padded p = Padded.of(inputs, targets);
        try (WhisperModel.TrainingPass s = student.forwardTrainOnAudio(studentAudio, p.inputs)) {
            return meanCrossEntropy(p, s);
        }
    }

    private static double meanCrossEntropy(Padded p, WhisperModel.TrainingPass s) {
        try (Tensor targets = Tensor.of(p.targets, p.targets.length)) {
            double sum = DistillationLosses.crossEntropySum(s.logits(), targets, TrainingBatch.IGNORE_INDEX, 0f, null);
            return sum / DistillationLosses.countTokens(targets, TrainingBatch.IGNORE_INDEX);
        }
    }

    /** Rows padded to one length (pad input 0, target ignored), flat targets and the 0/1 token mask. */
    private record Padded(int[][] inputs, int[] targets, int[] mask) {
        static Padded of(int[][] inputs, int[][] targets) {
            if (inputs.length == 0 || inputs.length != targets.length) {
                throw new IllegalArgumentException("distill: " + inputs.length + " input rows and " + targets.length + " target rows");
            }
            int b = inputs.length, len = 0;
            for (int i = 0; i < b; i++) {
                if (inputs[i].length != targets[i].length || inputs[i].length == 0) {
                    throw new IllegalArgumentException("distill: row " + i + " has " + inputs[i].length + " inputs and " + targets[i].length + " targets");
                }
                len = Math.max(len, inputs[i].length);
            }
            int[][] in = new int[b][len];
            int[] tg = new int[b * len], m = new int[b * len];
            for (int i = 0; i < b; i++) {
                int n = inputs[i].length;
                System.arraycopy(inputs[i], 0, in[i], 0, n);
                Arrays.fill(tg, i * len, (i + 1) * len, TrainingBatch.IGNORE_INDEX);
                for (int j = 0; j < n; j++) {
                    tg[i * len + j] = targets[i][j];
                    m[i * len + j] = tg[i * len + j] == TrainingBatch.IGNORE_INDEX ? 0 : 1;
                }
            }
            return new Padded(in, tg, m);
        }
    }

    /** The optimizer of the student and adapter (checkpoints save its moments). */
    public AdamW optimizer() {
        return optimizer;
    }

    /**
     * Restores a checkpoint's loop state: {@code stepsDone} updates and the AdamW moments by parameter name
     * (taken over). The weights (student and adapter) are restored by the caller.
     */
    public void restore(long stepsDone, java.util.Map<String, Tensor[]> moments) {
        optimizer.restore(stepsDone, moments, trainableParameters());
        steps = stepsDone;
    }

    @Override
    public void close() {
        if (logitGradient != null) logitGradient.close();
        if (klGradient != null) klGradient.close();
        optimizer.close();
        adapterWeight.close();
        adapterBias.close();
        if (encoderAdapter != null) {
            encoderAdapterWeight.close();
            encoderAdapterBias.close();
        }
        for (Parameter p : student.parameters()) p.releaseGrad();
    }
}
