package org.dqwhisper.quant;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.quant.QuantConfig.Activations;
import org.dqwhisper.quant.QuantConfig.Estimator;
import org.dqwhisper.quant.QuantConfig.Granularity;
import org.dqwhisper.quant.QuantConfig.Scope;
import org.junit.jupiter.api.Test;

class QuantConfigTest {
    @Test
    void paperDefaultIsPerTensorSymmetricSteOnDecoderLinearWeights() {
        QuantConfig c = QuantConfig.paperDefault();
        assertEquals(8, c.weightBits());
        assertEquals(Granularity.PER_TENSOR, c.granularity());
        assertTrue(c.symmetric());
        assertEquals(Estimator.STE, c.estimator());
        assertFalse(c.signedMaxQuirk());
        assertEquals(Scope.DECODER_LINEAR_WEIGHTS, c.scope());
        assertEquals(Activations.NONE, c.activations());
        assertEquals(127, c.qmax());
        assertEquals("w8", c.toString());
    }

    @Test
    void parsesTheCompactForms() {
        QuantConfig g = QuantConfig.parse("w4g64");
        assertEquals(4, g.weightBits());
        assertEquals(Granularity.PER_GROUP, g.granularity());
        assertEquals(64, g.groupSize());
        assertArrayEquals(new long[] {10, 12}, g.scaleShape(10, 768));
        assertArrayEquals(new long[] {10, 2}, g.scaleShape(10, 100)); // 64 + a tail of 36
        assertArrayEquals(new long[] {10, 1}, g.scaleShape(10, 20)); // a group longer than K is one segment
        QuantConfig a = QuantConfig.parse("W8CA8");
        assertEquals(Granularity.PER_CHANNEL, a.granularity());
        assertEquals(Activations.PER_ROW_8BIT, a.activations());
        assertArrayEquals(new long[] {10}, a.scaleShape(10, 768));
        assertEquals(Granularity.PER_TENSOR, QuantConfig.parse("w8a8").granularity());
        QuantConfig asym = QuantConfig.parse("w4c:asym");
        assertFalse(asym.symmetric());
        assertEquals(15, asym.qmax());
        assertSame(QuantConfig.NONE, QuantConfig.parse("none"));
        assertFalse(QuantConfig.NONE.enabled());
    }

    @Test
    void canonicalFormRoundTrips() {
        for (String s : new String[] {"none", "w8", "w8c", "w8a8", "w8ca8", "w4g64", "w2g32:asym", "w4g128:lsq",
            "w8:signed-max", "w8:lsq:scope=all-linear", "w3c:asym:scope=encoder-linear-weights"}) {
            assertEquals(s, QuantConfig.parse(s).toString(), s);
            assertEquals(QuantConfig.parse(s), QuantConfig.parse(QuantConfig.parse(s).toString()));
        }
        assertEquals("w8:lsq", QuantConfig.parse("w8:scope=decoder-linear-weights:lsq").toString());
    }

    @Test
    void scopesSelectTensorsByOpenAiName() {
        QuantConfig dec = QuantConfig.parse("w8");
        for (String name : new String[] {"decoder.blocks.0.attn.query.weight", "decoder.blocks.11.cross_attn.key.weight",
            "decoder.blocks.3.cross_attn.out.weight", "decoder.blocks.5.mlp.0.weight", "decoder.blocks.5.mlp.2.weight"}) {
            assertTrue(dec.appliesTo(name), name);
        }
        for (String name : new String[] {"decoder.blocks.0.attn.query.bias", "decoder.blocks.0.attn_ln.weight",
            "decoder.token_embedding.weight", "decoder.positional_embedding", "decoder.ln.weight", "encoder.blocks.0.mlp.0.weight",
            "encoder.conv1.weight", "decoder.blocks.0.mlp.1.weight"}) {
            assertFalse(dec.appliesTo(name), name);
        }
        QuantConfig all = QuantConfig.parse("w8:scope=all-linear");
        assertTrue(all.appliesTo("encoder.blocks.2.attn.value.weight"));
        assertTrue(all.appliesTo("decoder.blocks.2.attn.value.weight"));
        QuantConfig enc = QuantConfig.parse("w8:scope=encoder-linear-weights");
        assertTrue(enc.appliesTo("encoder.blocks.2.mlp.2.weight"));
        assertFalse(enc.appliesTo("decoder.blocks.2.mlp.2.weight"));
        assertFalse(QuantConfig.NONE.appliesTo("decoder.blocks.0.attn.query.weight"));
    }

    @Test
    void badSpecsNameTheProblem() {
        assertMessage("w9", "bits must be 2..8");
        assertMessage("w1", "bits must be 2..8");
        assertMessage("w8g0", "group size 0");
        assertMessage("w8a4", "only 8-bit activations");
        assertMessage("w4a8", "a8 trains what the INT8 GEMM runs");
        assertMessage("w8g64a8", "a8 trains what the INT8 GEMM runs");
        assertMessage("w8a8:signed-max", "a8 trains what the INT8 GEMM runs");
        assertMessage("w8:asym:lsq", "LSQ is implemented for symmetric");
        assertMessage("w8:asym:signed-max", "signed-max quirk is a symmetric STE");
        assertMessage("w8:lsq:signed-max", "signed-max quirk is a symmetric STE");
        assertMessage("w8:fast", "unknown option 'fast'");
        assertMessage("w8a8:weight-only", "weight-only contradicts a8");
        assertMessage("w8:scope=everything", "unknown quantization scope 'everything'");
        assertMessage("int8", "expected 'none' or w<bits>");
        assertMessage("none:asym", "'none' takes no options");
        assertMessage("w99999999999", "out of range");
        assertMessage("", "empty");
        assertThrows(IllegalArgumentException.class, () -> QuantConfig.parse(null));
        assertThrows(IllegalStateException.class, QuantConfig.NONE::qmax);
    }

    @Test
    void integerExportableConfigsQuantizeTheirInputsUnlessWeightOnly() {
        // export runs on Int8Gemm / Int4Gemm (inputs quantized per row): train that by default
        for (String s : new String[] {"w8", "w8c", "w6c", "w4g64", "w4", "w3g32", "w8:lsq", "w4g128:lsq:scope=all-linear"}) {
            QuantConfig c = QuantConfig.parse(s);
            assertTrue(c.hasIntegerForm(), s);
            assertTrue(c.quantizesInputs(), s);
            assertFalse(c.quantizesActivations(), s + ": a8 was not asked for explicitly");
            QuantConfig w = QuantConfig.parse(s + ":weight-only");
            assertTrue(w.weightOnly(), s);
            assertFalse(w.quantizesInputs(), s + ":weight-only is the authors' weight-only forward");
            assertEquals(w, c.withWeightOnly(true));
            assertEquals(c, w.withWeightOnly(false));
        }
        assertTrue(QuantConfig.parse("w8ca8").quantizesInputs());
        // no integer form: nothing the integer kernels would run, so inputs stay FP32
        for (String s : new String[] {"w8:asym", "w8g64", "w4g30", "w8:signed-max", "w4c:asym"}) {
            QuantConfig c = QuantConfig.parse(s);
            assertFalse(c.hasIntegerForm(), s);
            assertNotNull(c.integerFormProblem(), s);
            assertFalse(c.quantizesInputs(), s);
        }
        assertFalse(QuantConfig.NONE.quantizesInputs());
        assertEquals("w4g64:weight-only", QuantConfig.parse("w4g64:weight-only").toString());
        assertEquals("w8:lsq:weight-only", QuantConfig.parse("w8:weight-only:lsq").toString());
    }

    private static void assertMessage(String spec, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantConfig.parse(spec), spec);
        assertTrue(e.getMessage().contains(fragment), spec + ": message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
