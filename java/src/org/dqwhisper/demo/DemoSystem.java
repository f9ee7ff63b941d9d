package org.dqwhisper.demo;

import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.quant.QuantConfig;

/**
 * One row of the demo's table: how the model is obtained.
 *
 * @param name     label in tables and charts
 * @param kind     the bundled teacher or student start point, a decoder trained from the student start point (CE alone or
 *                 distilled), or post-training quantization of another trained system
 * @param mode     matching mode of training ({@link Mode#NONE}: cross-entropy alone)
 * @param quant    fake quantization during training (QAD) or the PTQ config; {@link QuantConfig#NONE} for FP
 * @param ptqOf    for {@link Kind#PTQ}: the name of the trained system that is quantized
 */
public record DemoSystem(String name, Kind kind, Mode mode, QuantConfig quant, String ptqOf) {
    public enum Kind { TEACHER, START, TRAINED, PTQ }

    /** Whether this system's weight matrices are stored as integers (evaluated on the integer kernels). */
    public boolean integer() {
        return quant.enabled();
    }

    /** Decoder weight bits of its export (32 for FP). */
    public int bits() {
        return quant.enabled() ? quant.weightBits() : 32;
    }

    /** The systems of the DQ-Whisper demo, in table order: W8 = per-tensor 8-bit (the paper), W4 = 4-bit groups of 64. */
    public static java.util.List<DemoSystem> standard() {
        QuantConfig w8 = QuantConfig.paperDefault(), w4 = QuantConfig.parse("w4g64");
        return java.util.List.of(
                new DemoSystem("teacher", Kind.TEACHER, Mode.NONE, QuantConfig.NONE, null),
                new DemoSystem("student start", Kind.START, Mode.NONE, QuantConfig.NONE, null),
                new DemoSystem("CE only", Kind.TRAINED, Mode.NONE, QuantConfig.NONE, null),
                new DemoSystem("KD logits", Kind.TRAINED, Mode.LOGITS, QuantConfig.NONE, null),
                new DemoSystem("KD static", Kind.TRAINED, Mode.STATIC, QuantConfig.NONE, null),
                new DemoSystem("KD dynamic", Kind.TRAINED, Mode.DYNAMIC, QuantConfig.NONE, null),
                new DemoSystem("dynamic W8 QAD", Kind.TRAINED, Mode.DYNAMIC, w8, null),
                new DemoSystem("dynamic W8 PTQ", Kind.PTQ, Mode.DYNAMIC, w8, "KD dynamic"),
                new DemoSystem("dynamic W4 QAD", Kind.TRAINED, Mode.DYNAMIC, w4, null),
                new DemoSystem("dynamic W4 PTQ", Kind.PTQ, Mode.DYNAMIC, w4, "KD dynamic"));
    }
}
