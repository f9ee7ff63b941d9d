package org.dqwhisper.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.corpus.CorpusConfig;
import org.dqwhisper.distill.ModelSizeReport;
import org.dqwhisper.eval.ErrorRate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregation over seeds and the paper-claim checks, on hand-made scores whose outcome is known. */
class DemoResultsTest {
    /** Scores with {@code errors} character errors in 100 reference characters for each of two languages. */
    static DemoEvaluator.Scores scores(int errorsEn, int errorsZh) {
        Map<String, ErrorRate.Counts> chars = new LinkedHashMap<>(), words = new LinkedHashMap<>();
        chars.put("en", new ErrorRate.Counts(100 - errorsEn, errorsEn, 0, 0));
        chars.put("zh", new ErrorRate.Counts(100 - errorsZh, errorsZh, 0, 0));
        words.put("en", new ErrorRate.Counts(10, 0, 0, 0));
        words.put("zh", new ErrorRate.Counts(1, 0, 0, 0));
        return new DemoEvaluator.Scores(chars, words, List.of());
    }

    static DemoResults results(Map<String, int[]> cerPerSeed) {
        return results(cerPerSeed, false);
    }

    /** With {@code curves}, every trained run has a two-update loss curve {update, total, CE, KL, L_hid, L_hid,enc}. */
    static DemoResults results(Map<String, int[]> cerPerSeed, boolean curves) {
        List<DemoRun.SystemRun> runs = new ArrayList<>();
        Map<String, ModelSizeReport.Breakdown> sizes = new LinkedHashMap<>();
        for (DemoSystem s : DemoSystem.standard()) {
            int[] e = cerPerSeed.get(s.name());
            for (int seed = 0; seed < e.length; seed++) runs.add(new DemoRun.SystemRun(s, seed + 1, scores(e[seed], e[seed]),
                    curves && s.kind() == DemoSystem.Kind.TRAINED ? List.of(new double[] {1, 2, 1, 1, 0.01, 0}, new double[] {2, 1.5, 0.8, 0.7, 0.01, 0})
                            : List.of(), 0, null, 0));
            long bits = s.kind() == DemoSystem.Kind.TEACHER ? 60L : s.integer() ? (s.bits() == 8 ? 10L : 6L) : 20L;
            sizes.put(s.name(), new ModelSizeReport.Breakdown(bits << 23, 0, 0)); // MiB = bits / 8 / 2^20
        }
        DemoRun.Settings settings = new DemoRun.Settings(Path.of("x"), null, CorpusConfig.defaults(), Path.of("t"), Path.of("s"), 2, 1, 1, 1e-3,
                0, 0.9, 0, 0, 0, 1, false);
        return new DemoResults(settings, runs, sizes, Map.of(), null, 1, 1);
    }

    @Test
    void meansSpreadsAndClaims() {
        Map<String, int[]> e = new LinkedHashMap<>();
        e.put("teacher", new int[] {5});
        e.put("student start", new int[] {40});
        e.put("CE only", new int[] {30, 32});
        e.put("KD logits", new int[] {25, 27});
        e.put("KD static", new int[] {20, 22});
        e.put("KD dynamic", new int[] {15, 19});
        e.put("dynamic W8 QAD", new int[] {17, 17});
        e.put("dynamic W8 PTQ", new int[] {18, 18});
        e.put("dynamic W4 QAD", new int[] {30, 30});
        e.put("dynamic W4 PTQ", new int[] {25, 25});
        DemoResults r = results(e);
        DemoResults.Row dyn = r.row("KD dynamic");
        assertEquals(2, dyn.seeds());
        assertEquals(0.17, dyn.cer(), 1e-12);
        assertEquals(0.15, dyn.cerMin(), 1e-12);
        assertEquals(0.19, dyn.cerMax(), 1e-12);
        assertEquals(0.17, dyn.cerByLanguage().get("zh"), 1e-12);
        assertEquals(6.0, r.compression("dynamic W8 QAD"), 1e-12); // 60 / 10
        List<String> claims = r.claims();
        assertTrue(claims.get(0).startsWith("held"), claims.get(0));        // 17 < 21 < 26 < 31
        assertTrue(claims.get(1).startsWith("held"), claims.get(1));
        assertTrue(claims.get(2).startsWith("held"), claims.get(2));        // 17 - 17 = 0 <= 0.5 points
        assertTrue(claims.get(3).startsWith("did NOT hold"), claims.get(3)); // W4 QAD 30 > PTQ 25
        assertTrue(claims.get(4).startsWith("held"), claims.get(4));        // 6x >= 5.18x
        assertTrue(r.table().contains("| KD dynamic | FP32 | 17.00 ± 2.00 |"), r.table());
        // paired by seed: dynamic - static = (15 - 20, 19 - 22) points; no per-utterance counts here, so no interval
        PairedComparison.Result dynStatic = r.comparisons().get(0);
        assertEquals("dynamic < static", dynStatic.claim());
        assertArrayEquals(new double[] {-0.05, -0.03}, dynStatic.seedDiffs(), 1e-12);
        assertEquals(PairedComparison.Verdict.NO_DATA, dynStatic.verdict());
        assertEquals(6, r.comparisons().size());
    }

    @Test
    void reportWithoutPerUtteranceCountsStillWritesEveryFile(@TempDir Path dir) throws Exception {
        Map<String, int[]> e = new LinkedHashMap<>();
        for (DemoSystem s : DemoSystem.standard()) e.put(s.name(), new int[] {20, 21});
        DemoResults r = results(e, true);
        r.write(dir);
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("| dynamic < static | KD dynamic − KD static | +0.00 | +0.00, +0.00 | 0 of 2 | – | no per-utterance data |"), report);
        assertNotNull(ImageIO.read(dir.resolve("paired-differences.png").toFile()));
    }

    @Test
    void smoothingIsATrailingMean() {
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, DemoResults.smooth(new double[] {1, 2, 3, 4}, 2), 1e-12);
        // end-of-training terms: the last tenth of the updates (at least one); columns a curve lacks are 0
        List<double[]> curve = new ArrayList<>();
        for (int i = 1; i <= 20; i++) curve.add(new double[] {i, 9, i, 10 * i, 100 * i, 1000 * i});
        assertArrayEquals(new double[] {19.5, 195, 1950, 19500}, DemoResults.endTerms(curve), 1e-9);
        assertArrayEquals(new double[] {3, 0, 0, 0}, DemoResults.endTerms(List.of(new double[] {1, 5, 3})), 1e-12);
    }
}
