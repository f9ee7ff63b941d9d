package org.dqwhisper.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dqwhisper.distill.QuantizedExport;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.whisper.WhisperModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw quantize}: post-training quantization to integer weights (a shell over {@link QuantizedExport}). */
@Command(name = "quantize",
        description = {"Post-training quantization: writes a model folder whose block Linear weights (decoder by default)",
            "are stored as integer codes + scales and run on the INT8 / INT4 GEMMs when loaded."})
public final class QuantizeCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The FP model: folder or file.")
    Path model;

    @Option(names = "--quant", required = true, paramLabel = "SPEC",
            description = "Quantization spec, e.g. w8 (paper), w8c, w8a8, w4g64, w4g128:scope=all-linear.")
    String quant;

    @Option(names = "--int8-embedding", description = "Also store the token embedding as 8-bit codes + per-row scales (4x smaller file).")
    boolean int8Embedding;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (must not exist, or be empty).")
    Path out;

    @Override
    public Integer call() throws Exception {
        QuantConfig cfg = QuantConfig.parse(quant);
        QuantizedExport.checkExportable(cfg);
        try (WhisperModel m = WhisperModel.load(model, Precision.FP32)) {
            int n = QuantizedExport.quantizeAndWrite(m, cfg, out, int8Embedding);
            System.out.println("quantized " + n + " Linear weights (" + cfg + ") -> " + out);
        }
        return 0;
    }
}
