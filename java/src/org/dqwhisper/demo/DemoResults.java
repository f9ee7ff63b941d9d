package org.dqwhisper.demo;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dqwhisper.distill.ModelSizeReport;
import org.dqwhisper.eval.ErrorRate;
import org.dqwhisper.report.BarChart;
import org.dqwhisper.report.LineChart;
import org.dqwhisper.report.ScatterChart;

/**
 * What {@code dqw demo} measured, aggregated over seeds, and its outputs: {@code results.json} (every number),
 * {@code results.md} (the table) and {@code report.md} with PNG charts (CER per language per system, size vs CER,
 * training curves), each written atomically.
 */
public final class DemoResults {
    /** Milliseconds per utterance (encoder + greedy decoding) of each timed model, and the all-INT8 student's mean CER. */
    public record Speed(List<String> models, double[] msPerUtterance, int utterances, double allInt8Cer) {
        public double studentSpeedup() {
            return msPerUtterance[1] / msPerUtterance[3];
        }
    }

    /** One system over its seeds: mean and min/max of the mean CER, per-language mean CERs, mean WER. */
    public record Row(DemoSystem system, int seeds, double cer, double cerMin, double cerMax, Map<String, Double> cerByLanguage, double wer,
                      double paperMiB, double fileMB) {}

    private final DemoRun.Settings settings;
    private final List<DemoRun.SystemRun> runs;
    private final Map<String, ModelSizeReport.Breakdown> paperSizes;
    private final Map<String, Long> parameters;
    private final Speed speed;
    private final int threads;
    private final double seconds;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> languages;
    private List<PairedComparison.Result> comparisons; // computed on first use (a bootstrap per claim)

    DemoResults(DemoRun.Settings settings, List<DemoRun.SystemRun> runs, Map<String, ModelSizeReport.Breakdown> paperSizes,
            Map<String, Long> parameters, Speed speed, int threads, double seconds) {
        this.settings = settings;
        this.runs = runs;
        this.paperSizes = paperSizes;
        this.parameters = parameters;
        this.speed = speed;
        this.threads = threads;
        this.seconds = seconds;
        this.languages = new ArrayList<>(runs.get(0).scores().chars().keySet());
        Map<String, List<DemoRun.SystemRun>> bySystem = new LinkedHashMap<>();
        for (DemoRun.SystemRun r : runs) bySystem.computeIfAbsent(r.system().name(), k -> new ArrayList<>()).add(r);
        for (List<DemoRun.SystemRun> list : bySystem.values()) {
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, wer = 0, file = 0;
            Map<String, Double> perLang = new LinkedHashMap<>();
            for (DemoRun.SystemRun r : list) {
                double c = r.scores().meanCer();
                sum += c;
                min = Math.min(min, c);
                max = Math.max(max, c);
                wer += r.scores().meanWer();
                file += r.fileBytes();
                for (String lang : languages) perLang.merge(lang, r.scores().cer(lang) / list.size(), Double::sum);
            }
            DemoSystem sys = list.get(0).system();
            ModelSizeReport.Breakdown paper = paperSizes.get(sys.name());
            rows.add(new Row(sys, list.size(), sum / list.size(), min, max, perLang, wer / list.size(), paper == null ? Double.NaN : paper.totalMiB(),
                    file / list.size() / 1e6));
        }
    }

    public List<Row> rows() {
        return rows;
    }

    public Row row(String system) {
        for (Row r : rows) if (r.system().name().equals(system)) return r;
        throw new IllegalArgumentException("no system '" + system + "' in the results");
    }

    public Speed speed() {
        return speed;
    }

    public List<DemoRun.SystemRun> runs() {
        return runs;
    }

    public double seconds() {
        return seconds;
    }

    /** Paper-convention compression of {@code system} against the FP16 teacher. */
    public double compression(String system) {
        return row("teacher").paperMiB() / row(system).paperMiB();
    }

    /** The claims the paper makes, checked on these numbers (each line says held / did not hold). */
    public List<String> claims() {
        List<String> out = new ArrayList<>();
        double ce = row("CE only").cer(), lo = row("KD logits").cer(), st = row("KD static").cer(), dy = row("KD dynamic").cer();
        out.add(claim("dynamic < static < logits-only < CE-only (mean CER)", dy < st && st < lo && lo < ce,
                String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f %%", 100 * dy, 100 * st, 100 * lo, 100 * ce)));
        out.add(claim("any distillation beats CE alone", Math.min(Math.min(lo, st), dy) < ce,
                String.format(Locale.ROOT, "best KD %.2f %% vs CE %.2f %%", 100 * Math.min(Math.min(lo, st), dy), 100 * ce)));
        double w8 = row("dynamic W8 QAD").cer();
        out.add(claim("W8 QAD within +0.5 CER points of its FP32 counterpart", w8 - dy <= 0.005,
                String.format(Locale.ROOT, "%.2f %% vs %.2f %% (%+.2f)", 100 * w8, 100 * dy, 100 * (w8 - dy))));
        double w4q = row("dynamic W4 QAD").cer(), w4p = row("dynamic W4 PTQ").cer();
        // three decimals when two would print a tie that the comparison does not see
        String w4f = String.format(Locale.ROOT, "%.2f", 100 * w4q).equals(String.format(Locale.ROOT, "%.2f", 100 * w4p)) ? "%.3f" : "%.2f";
        out.add(claim("at W4, QAD beats PTQ", w4q < w4p,
                String.format(Locale.ROOT, "QAD " + w4f + " %% vs PTQ " + w4f + " %%", 100 * w4q, 100 * w4p)));
        double comp = compression("dynamic W8 QAD");
        out.add(claim("compression >= 5.18x vs the teacher (paper convention)", comp >= 5.18, String.format(Locale.ROOT, "%.2fx", comp)));
        if (speed != null) {
            out.add(claim("INT8 speed-up >= 2x over FP32 on the student", speed.studentSpeedup() >= 2,
                    String.format(Locale.ROOT, "%.2fx (all-INT8 vs FP32, 1 thread)", speed.studentSpeedup())));
        }
        return out;
    }

    /**
     * The same claims as paired comparisons (per seed and over a bootstrap of the test utterances), so a reader can
     * tell a difference from noise: the ordering's three steps, distillation vs CE alone, W8 QAD within +0.5 points
     * of its FP32 counterpart, and W4 QAD vs PTQ.
     */
    public List<PairedComparison.Result> comparisons() {
        if (comparisons != null) return comparisons;
        List<PairedComparison.Result> out = new ArrayList<>();
        out.add(compare("dynamic < static", 0, "KD dynamic", "KD static"));
        out.add(compare("static < logits-only", 0, "KD static", "KD logits"));
        out.add(compare("logits-only < CE-only", 0, "KD logits", "CE only"));
        out.add(compare("dynamic < CE-only", 0, "KD dynamic", "CE only"));
        out.add(compare("W8 QAD within +0.5 points of FP32", 0.005, "dynamic W8 QAD", "KD dynamic"));
        out.add(compare("at W4, QAD < PTQ", 0, "dynamic W4 QAD", "dynamic W4 PTQ"));
        comparisons = List.copyOf(out);
        return comparisons;
    }

    private PairedComparison.Result compare(String claim, double threshold, String candidate, String reference) {
        return PairedComparison.compare(claim, threshold, runsOf(candidate), runsOf(reference));
    }

    private List<DemoRun.SystemRun> runsOf(String system) {
        List<DemoRun.SystemRun> out = new ArrayList<>();
        for (DemoRun.SystemRun r : runs) if (r.system().name().equals(system)) out.add(r);
        return out;
    }

    private static String claim(String what, boolean held, String numbers) {
        return (held ? "held" : "did NOT hold") + ": " + what + " — " + numbers;
    }

    /** The results table in Markdown (CER in %, mean over seeds, ± half the min-max range when several seeds ran). */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| system | decoder weights | CER % (mean of languages) |");
        for (String l : languages) sb.append(' ').append(l).append(" |");
        sb.append(" WER % | size MiB (paper) | vs teacher | files MB |\n|---|---|---|");
        for (int i = 0; i < languages.size(); i++) sb.append("---|");
        sb.append("---|---|---|---|\n");
        for (Row r : rows) {
            String cer = r.seeds() > 1 ? String.format(Locale.ROOT, "%.2f ± %.2f", 100 * r.cer(), 50 * (r.cerMax() - r.cerMin()))
                    : String.format(Locale.ROOT, "%.2f", 100 * r.cer());
            sb.append("| ").append(r.system().name()).append(" | ").append(weights(r.system())).append(" | ").append(cer).append(" |");
            for (String l : languages) sb.append(String.format(Locale.ROOT, " %.1f |", 100 * r.cerByLanguage().get(l)));
            sb.append(String.format(Locale.ROOT, " %.2f | %.2f | %.2fx | %.1f |%n", 100 * r.wer(), r.paperMiB(), compression(r.system().name()),
                    r.fileMB()));
        }
        return sb.toString();
    }

    private static String weights(DemoSystem s) {
        return switch (s.kind()) {
            case TEACHER, START -> "FP32";
            case TRAINED -> s.integer() ? "INT" + s.bits() + " (QAD, " + s.quant() + ")" : "FP32";
            case PTQ -> "INT" + s.bits() + " (PTQ, " + s.quant() + ")";
        };
    }

    String speedTable() {
        if (speed == null) return "";
        StringBuilder sb = new StringBuilder("| model | ms per utterance | vs student FP32 |\n|---|---|---|\n");
        for (int k = 0; k < speed.models().size(); k++) {
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.2fx |%n", speed.models().get(k), speed.msPerUtterance()[k],
                    speed.msPerUtterance()[1] / speed.msPerUtterance()[k]));
        }
        return sb.toString();
    }

    /** Writes results.json, results.md, report.md and the charts into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        atomic(dir.resolve("results.json"), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json()) + "\n");
        atomic(dir.resolve("results.md"), table());
        charts(dir);
        atomic(dir.resolve("report.md"), report());
    }

    private JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("date", LocalDate.now().toString());
        o.addProperty("machine", machine());
        o.addProperty("threads", threads);
        o.addProperty("seconds", seconds);
        o.addProperty("seeds", settings.seeds());
        o.addProperty("steps", settings.steps());
        o.addProperty("batch_size", settings.batchSize());
        o.addProperty("learning_rate", settings.lr());
        o.addProperty("alpha", settings.alpha());
        o.addProperty("hidden_weight", settings.hiddenWeight());
        o.addProperty("train_encoder", settings.trainEncoder());
        o.addProperty("match_encoder", settings.matchEncoder());
        parameters.forEach((k, v) -> o.addProperty(k + "_parameters", v));
        JsonArray rs = new JsonArray();
        for (DemoRun.SystemRun r : runs) {
            JsonObject x = new JsonObject();
            x.addProperty("system", r.system().name());
            x.addProperty("seed", r.seed());
            x.addProperty("quant", r.system().quant().enabled() ? r.system().quant().toString() : "none");
            x.addProperty("mean_cer", r.scores().meanCer());
            x.addProperty("mean_wer", r.scores().meanWer());
            if (!r.scores().utterances().isEmpty()) {
                JsonArray errs = new JsonArray();
                for (DemoEvaluator.UtteranceChars u : r.scores().utterances()) errs.add(u.chars().errors());
                x.add("utterance_char_errors", errs); // in the order of test_utterances
            }
            JsonObject langs = new JsonObject();
            for (String l : languages) {
                JsonObject lo = new JsonObject();
                ErrorRate.Counts c = r.scores().chars().get(l), w = r.scores().words().get(l);
                lo.addProperty("cer", c.rate());
                lo.addProperty("wer", w.rate());
                lo.addProperty("chars", c.referenceLength());
                lo.addProperty("words", w.referenceLength());
                langs.add(l, lo);
            }
            x.add("languages", langs);
            if (!r.curve().isEmpty()) {
                double[] end = endTerms(r.curve());
                JsonObject terms = new JsonObject();
                terms.addProperty("ce", end[0]);
                terms.addProperty("kl", end[1]);
                terms.addProperty("hidden", end[2]);
                terms.addProperty("encoder_hidden", end[3]);
                x.add("loss_terms_end", terms); // per token (frame), unweighted, mean of the last tenth of the updates
            }
            x.addProperty("train_seconds", r.trainSeconds());
            x.addProperty("model", r.model() == null ? "" : r.model().toString());
            x.addProperty("file_bytes", r.fileBytes());
            rs.add(x);
        }
        o.add("runs", rs);
        for (DemoRun.SystemRun r : runs) {
            if (r.scores().utterances().isEmpty()) continue;
            JsonArray tu = new JsonArray();
            for (DemoEvaluator.UtteranceChars u : r.scores().utterances()) {
                JsonObject t = new JsonObject();
                t.addProperty("language", u.language());
                t.addProperty("chars", u.chars().referenceLength());
                tu.add(t);
            }
            o.add("test_utterances", tu);
            break;
        }
        JsonObject sizes = new JsonObject();
        paperSizes.forEach((k, v) -> sizes.addProperty(k, v.totalMiB()));
        o.add("paper_size_mib", sizes);
        if (speed != null) {
            JsonObject sp = new JsonObject();
            for (int k = 0; k < speed.models().size(); k++) sp.addProperty(speed.models().get(k), speed.msPerUtterance()[k]);
            sp.addProperty("utterances", speed.utterances());
            sp.addProperty("all_int8_mean_cer", speed.allInt8Cer());
            o.add("ms_per_utterance", sp);
        }
        JsonArray cl = new JsonArray();
        claims().forEach(cl::add);
        o.add("claims", cl);
        JsonArray cmp = new JsonArray();
        for (PairedComparison.Result c : comparisons()) {
            JsonObject x = new JsonObject();
            x.addProperty("claim", c.claim());
            x.addProperty("candidate", c.candidate());
            x.addProperty("reference", c.reference());
            x.addProperty("threshold_points", 100 * c.threshold());
            x.addProperty("mean_difference_points", 100 * c.meanDiff());
            JsonArray per = new JsonArray();
            for (double d : c.seedDiffs()) per.add(100 * d);
            x.add("difference_per_seed_points", per);
            x.addProperty("seeds_held", c.seedsHeld());
            JsonArray ci = new JsonArray();
            ci.add(100 * c.low());
            ci.add(100 * c.high());
            x.add("interval95_points", ci);
            x.addProperty("verdict", c.verdict().toString());
            cmp.add(x);
        }
        o.add("paired_comparisons", cmp);
        return o;
    }

    private void charts(Path dir) throws IOException {
        List<String> cats = new ArrayList<>(languages);
        cats.add("mean");
        BarChart bars = new BarChart("Test CER per language (mean over " + settings.seeds() + " seed(s))", "CER %", cats).size(1500, 620);
        for (Row r : rows) {
            double[] v = new double[cats.size()];
            for (int i = 0; i < languages.size(); i++) v[i] = 100 * r.cerByLanguage().get(languages.get(i));
            v[languages.size()] = 100 * r.cer();
            bars.addSeries(r.system().name(), v);
        }
        bars.writePng(dir.resolve("cer-per-language.png"));
        ScatterChart sizes = new ScatterChart("Model size vs test CER", "size MiB (paper convention, log scale)", "mean CER %").logX(true).size(1000, 620);
        for (Row r : rows) {
            if (r.system().kind() == DemoSystem.Kind.START) continue;
            sizes.addPoint(r.system().name(), r.paperMiB(), 100 * r.cer(), r.seeds() > 1 ? 50 * (r.cerMax() - r.cerMin()) : 0);
        }
        sizes.writePng(dir.resolve("size-vs-cer.png"));
        List<PairedComparison.Result> cmp = comparisons();
        double[] mean = new double[cmp.size()], low = new double[cmp.size()], high = new double[cmp.size()];
        for (int i = 0; i < cmp.size(); i++) {
            mean[i] = 100 * cmp.get(i).meanDiff();
            low[i] = 100 * cmp.get(i).low();
            high[i] = 100 * cmp.get(i).high();
        }
        new BarChart("Paired CER differences, candidate − reference (whiskers: 95 % test-set bootstrap)", "CER points (< 0: candidate better)",
                COMPARISON_LABELS).size(1200, 560).addSeries("mean over " + settings.seeds() + " seed(s)", mean, low, high)
                .writePng(dir.resolve("paired-differences.png"));
        LineChart curves = new LineChart("Training loss (seed 1)", "update", "loss").size(1200, 560).logY(true);
        for (DemoRun.SystemRun r : runs) {
            if (r.seed() != 1 || r.curve().isEmpty()) continue;
            double[] x = new double[r.curve().size()], y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.curve().get(i)[0];
                y[i] = r.curve().get(i)[1];
            }
            curves.addSeries(r.system().name() + " (total)", x, smooth(y, 10));
        }
        curves.writePng(dir.resolve("training-loss.png"));
        LineChart ce = new LineChart("Training cross-entropy on the labels (seed 1)", "update", "CE per token").size(1200, 560).logY(true);
        for (DemoRun.SystemRun r : runs) {
            if (r.seed() != 1 || r.curve().isEmpty()) continue;
            double[] x = new double[r.curve().size()], y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.curve().get(i)[0];
                y[i] = r.curve().get(i)[2];
            }
            ce.addSeries(r.system().name(), x, smooth(y, 10));
        }
        ce.writePng(dir.resolve("training-ce.png"));
        LineChart terms = new LineChart("Distillation terms, per token and unweighted (seed 1)", "update", "loss term").size(1200, 560).logY(true);
        for (DemoRun.SystemRun r : runs) {
            if (r.seed() != 1 || r.curve().isEmpty() || !TERM_SYSTEMS.contains(r.system().name())) continue;
            for (int col = 3; col <= 5; col++) {
                double[] x = new double[r.curve().size()], y = new double[x.length];
                boolean any = false;
                for (int i = 0; i < x.length; i++) {
                    double[] row = r.curve().get(i);
                    x[i] = row[0];
                    y[i] = col < row.length ? row[col] : 0;
                    any |= y[i] > 0;
                }
                if (any) terms.addSeries(r.system().name() + " " + TERM_NAMES[col - 3], x, smooth(y, 10));
            }
        }
        terms.writePng(dir.resolve("training-terms.png"));
    }

    /** Short chart labels of {@link #comparisons()}, in its order. */
    private static final List<String> COMPARISON_LABELS = List.of("dynamic − static", "static − logits", "logits − CE", "dynamic − CE",
            "W8 QAD − FP32", "W4 QAD − PTQ");
    private static final List<String> TERM_SYSTEMS = List.of("KD logits", "KD static", "KD dynamic");
    private static final String[] TERM_NAMES = {"KL", "L_hid", "L_hid,enc"};

    /**
     * CE, KL, L_hid and L_hid,enc (per token or frame, unweighted) averaged over the last tenth of a training curve
     * (at least one update); a column the curve lacks is 0.
     */
    static double[] endTerms(List<double[]> curve) {
        int n = curve.size(), from = n - Math.max(1, n / 10);
        double[] out = new double[4];
        for (int i = from; i < n; i++) {
            double[] row = curve.get(i);
            for (int k = 0; k < 4; k++) out[k] += 2 + k < row.length ? row[2 + k] : 0;
        }
        for (int k = 0; k < 4; k++) out[k] /= n - from;
        return out;
    }

    /** One sentence on how much the hidden terms weigh against KL at the end of KD dynamic's training (seed 1), or "". */
    String termsSentence() {
        for (DemoRun.SystemRun r : runs) {
            if (r.seed() != 1 || r.curve().isEmpty() || !r.system().name().equals("KD dynamic")) continue;
            double[] e = endTerms(r.curve());
            if (!(e[1] > 0)) return "";
            double w = settings.hiddenWeight();
            String enc = e[3] > 0 ? String.format(Locale.ROOT, " and L_hid,enc %.2g", e[3]) : "";
            return String.format(Locale.ROOT, "Over its last tenth of updates, KD dynamic (seed 1) has KL %.3g per token against L_hid %.2g%s; "
                    + "with the hidden weight %s the hidden terms are %.2g of KL in the loss, so the matching strategy moves the gradient "
                    + "%s.%n%n", e[1], e[2], enc, java.math.BigDecimal.valueOf(w).stripTrailingZeros().toPlainString(), w * (e[2] + e[3]) / e[1],
                    w * (e[2] + e[3]) / e[1] < 0.01 ? "very little" : "measurably");
        }
        return "";
    }

    /** Trailing moving average over {@code w} points (the raw per-batch losses are noisy). */
    static double[] smooth(double[] y, int w) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= w) sum -= y[i - w];
            out[i] = sum / Math.min(i + 1, w);
        }
        return out;
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: keep the generic name
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + ", Java "
                + System.getProperty("java.version") + " (" + ManagementFactory.getRuntimeMXBean().getVmName() + ")";
    }

    /** Which teacher and start point this run used: the bundled pair, or the folders given. */
    String modelsSentence() {
        boolean bundledTeacher = isBundled(settings.teacher(), "demo-teacher");
        boolean bundledStudent = isBundled(settings.student(), "demo-student");
        if (bundledTeacher && bundledStudent) {
            return "Teacher and student start point: the bundled models (see README, \"How the bundled models were made\").";
        }
        return "Teacher: " + (bundledTeacher ? "the bundled models/demo-teacher" : "`" + settings.teacher() + "`") + "; student start point: "
                + (bundledStudent ? "the bundled models/demo-student" : "`" + settings.student() + "`") + " (not the bundled pair).";
    }

    private static boolean isBundled(Path model, String name) {
        Path p = model.toAbsolutePath().normalize();
        return p.getFileName() != null && p.getFileName().toString().equals(name) && p.getParent() != null
                && p.getParent().getFileName() != null && p.getParent().getFileName().toString().equals("models");
    }

    String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("# DQ-Whisper demo report\n\n");
        sb.append(String.format(Locale.ROOT, "%s, %s, %d kernel thread(s); %d seed(s), %d updates of %d utterances per student, lr %.1e, alpha %.2f%s; "
                + "total %.1f min.%n%n", LocalDate.now(), machine(), threads, settings.seeds(), settings.steps(), settings.batchSize(), settings.lr(),
                settings.alpha(), settings.hiddenWeight() == 1.0 ? "" : ", hidden term x" + java.math.BigDecimal.valueOf(settings.hiddenWeight()).stripTrailingZeros().toPlainString()
                        + " (not the paper's loss)", seconds / 60));
        sb.append(modelsSentence()).append(" Every student row "
                + "fine-tunes the same start point's " + (!settings.trainEncoder() ? "decoder (encoder frozen, as the authors' code)"
                        : settings.matchEncoder() ? "decoder and encoder (not the authors' recipe, which freezes the encoder; static and dynamic "
                        + "rows also match the encoder blocks' FFN activations with their own strategy)"
                        : "decoder and encoder (not the authors' recipe, which freezes the encoder)") + " for the same number of updates on the "
                + "training split; the test split's speakers never occur in training. CER counts inner spaces (jiwer's cer) after Whisper's "
                + "basic normalizer; the mean is over languages. Integer rows are the exported integer models running on the INT8/INT4 "
                + "kernels.\n\n");
        sb.append(table()).append('\n');
        sb.append("![CER per language](cer-per-language.png)\n\n![size vs CER](size-vs-cer.png)\n\n");
        sb.append("## The paper's claims at this scale\n\n");
        for (String c : claims()) sb.append("- ").append(c).append('\n');
        sb.append("\nA claim that did not hold is reported as measured; with a few hundred training utterances and minutes of training, "
                + "differences of a fraction of a CER point between systems are within seed noise (see the ± spread with --seeds 3).\n\n");
        sb.append("## Are the differences larger than the noise?\n\n");
        sb.append("Each claim as a paired comparison (candidate − reference, CER points; negative means the candidate is better). "
                + "\"Per seed\" pairs the runs that share a seed (training noise). The interval is a paired bootstrap over the test "
                + "utterances, stratified by language, " + PairedComparison.REPLICATES + " replicates (test-set noise). A claim holds "
                + "beyond the noise only when every seed shows it and the whole interval lies on its side of the threshold (0, or +0.5 "
                + "for W8).\n\n");
        sb.append(PairedComparison.markdown(comparisons())).append('\n');
        sb.append("![paired differences](paired-differences.png)\n\n");
        if (speed != null) {
            sb.append("## Speed (").append(speed.utterances()).append(" test utterances, encoder + greedy decoding, best of ")
                    .append(DemoSpeed.ROUNDS).append(" interleaved rounds, 1 thread, ")
                    .append(DemoSpeed.CPU_TIME ? "thread CPU time" : "wall time").append(")\n\n");
            sb.append(speedTable()).append('\n');
            sb.append(String.format(Locale.ROOT, "The all-INT8 student (every GEMM on the INT8 kernels) scores %.2f %% mean CER.%n%n", 100 * speed.allInt8Cer()));
        }
        sb.append("## Training curves\n\n![training loss](training-loss.png)\n\n![training cross-entropy](training-ce.png)\n\n");
        sb.append("![distillation terms](training-terms.png)\n\n").append(termsSentence());
        sb.append("Files: results.json (every number, per seed and language), results.md (the table), models/ (every trained student; "
                + "integer exports load with `dqw transcribe --model`).\n");
        return sb.toString();
    }

    private static void atomic(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
