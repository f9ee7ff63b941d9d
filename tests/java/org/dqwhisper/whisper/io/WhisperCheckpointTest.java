package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperConfig.AlignmentHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhisperCheckpointTest {
    static final Path DATA = Path.of("tests/data/tiny-random-a");
    static final Path HF_DIR = DATA.resolve("hf");
    static final Path OPENAI_DIR = DATA.resolve("openai");
    static final Path PT = OPENAI_DIR.resolve("model.pt");

    @TempDir
    Path dir;

    @Test
    void threeLayoutsLoadToIdenticalF32Tensors() throws IOException {
        try (WhisperCheckpoint pt = WhisperCheckpoint.load(PT);
             WhisperCheckpoint st = WhisperCheckpoint.load(OPENAI_DIR); // prefers model.safetensors over model.pt
             WhisperCheckpoint hf = WhisperCheckpoint.load(HF_DIR)) {
            assertEquals(WhisperCheckpoint.Layout.OPENAI_PT, pt.layout());
            assertEquals(WhisperCheckpoint.Layout.OPENAI_SAFETENSORS, st.layout());
            assertEquals(WhisperCheckpoint.Layout.HF_SAFETENSORS, hf.layout());
            assertEquals(pt.config(), hf.config());
            assertEquals(st.config(), hf.config());
            assertEquals(89, hf.names().size());
            List<String> expectedOrder = new ArrayList<>(WhisperTensorNames.expected(hf.config()).keySet());
            assertEquals(expectedOrder, new ArrayList<>(pt.names()));
            assertEquals(expectedOrder, new ArrayList<>(hf.names()));
            assertEquals("model.decoder.layers.1.encoder_attn.k_proj.weight", hf.storedName("decoder.blocks.1.cross_attn.key.weight"));
            for (String name : hf.names()) {
                assertEquals(StorageDType.F16, pt.rawDType(name));
                assertEquals(StorageDType.F16, st.rawDType(name));
                assertEquals(StorageDType.F32, hf.rawDType(name));
                try (Tensor a = pt.tensor(name); Tensor b = st.tensor(name); Tensor c = hf.tensor(name)) {
                    assertEquals(name, c.name(), "tensors carry OpenAI names");
                    assertArrayEquals(hf.shape(name), a.shape());
                    assertArrayEquals(c.shape(), a.shape());
                    assertEquals(DType.F32, a.dtype());
                    float[] fa = a.toFloatArray();
                    // exact: the HF F32 file holds the F16 values converted (README: rounded to f16 and back)
                    assertTrue(Arrays.equals(fa, b.toFloatArray()), name);
                    assertTrue(Arrays.equals(fa, c.toFloatArray()), name);
                }
            }
        }
    }

    @Test
    void f16SubnormalsDecodeLikeTorchDid() throws IOException {
        // README: 1091 stored values are f16 subnormals; the F32 file holds torch's own conversion of them
        int subnormals = 0;
        try (WhisperCheckpoint pt = WhisperCheckpoint.load(PT); WhisperCheckpoint hf = WhisperCheckpoint.load(HF_DIR)) {
            for (String name : pt.names()) {
                try (Tensor raw = pt.rawTensor(name); Tensor ref = hf.tensor(name)) {
                    short[] bits = raw.toShortArray();
                    float[] want = ref.toFloatArray();
                    for (int i = 0; i < bits.length; i++) {
                        if ((bits[i] & 0x7c00) == 0 && (bits[i] & 0x3ff) != 0) {
                            subnormals++;
                            assertEquals(want[i], F32Converter.halfToFloat(bits[i]), 0.0f, name + "[" + i + "]");
                        }
                    }
                }
            }
        }
        assertEquals(1091, subnormals);
    }

    @Test
    void encoderPositionalEmbeddingIsWhispersSinusoid() throws IOException {
        // whisper.model.sinusoids(1500, 64) in float64, against the f16-rounded stored values. Bound 5e-4: the README
        // measures 3.1e-4 (half an f16 ulp at |x| <= 1 is 2.4e-4, plus torch's float32 argument error of 1.2e-4).
        try (WhisperCheckpoint ck = WhisperCheckpoint.load(PT); Tensor pe = ck.tensor("encoder.positional_embedding")) {
            float[] v = pe.toFloatArray();
            double increment = Math.log(10000) / (32 - 1);
            double maxDiff = 0;
            for (int t = 0; t < 1500; t++) {
                for (int k = 0; k < 32; k++) {
                    double arg = t * Math.exp(-increment * k);
                    maxDiff = Math.max(maxDiff, Math.abs(v[t * 64 + k] - Math.sin(arg)));
                    maxDiff = Math.max(maxDiff, Math.abs(v[t * 64 + 32 + k] - Math.cos(arg)));
                }
            }
            assertTrue(maxDiff < 5e-4, "max diff " + maxDiff);
            assertTrue(maxDiff > 0, "stored values are f16-rounded, not exact");
        }
    }

    @Test
    void singleFilesAndApiMisuse() throws IOException {
        try (WhisperCheckpoint st = WhisperCheckpoint.load(OPENAI_DIR.resolve("model.safetensors"));
             WhisperCheckpoint hf = WhisperCheckpoint.load(HF_DIR.resolve("model.safetensors"))) {
            assertEquals(st.config(), hf.config());
            assertTrue(st.has("decoder.ln.bias"));
            assertFalse(st.has("decoder.blocks.0.attn.key.bias"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hf.tensor("model.encoder.conv1.weight"));
            assertTrue(e.getMessage().contains("OpenAI names"), e.getMessage());
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> WhisperCheckpoint.load(dir.resolve("nothing")));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> WhisperCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    // ---- building modified checkpoints --------------------------------------------------------

    /** Rewrites the HF fixture into {@code folder}: tensors in {@code replace} are swapped (null drops them), {@code add} appended. */
    private Path hfCopy(String folder, Map<String, Tensor> replace, Map<String, Tensor> add) throws IOException {
        Path out = Files.createDirectories(dir.resolve(folder));
        Files.copy(HF_DIR.resolve("config.json"), out.resolve("config.json"));
        try (SafetensorsFile src = SafetensorsFile.open(HF_DIR.resolve("model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter(out.resolve("model.safetensors"));
            src.metadata().forEach(w::metadata);
            for (String name : src.names()) {
                if (replace.containsKey(name)) {
                    if (replace.get(name) != null) w.add(name, replace.get(name));
                } else {
                    TensorInfo info = src.info(name);
                    w.add(name, info.dtype(), info.shape(), ch -> ch.write(src.map(name)));
                }
            }
            add.forEach(w::add);
            w.write();
        }
        return out;
    }

    private static CheckpointFormatException loadFails(Path p, String fileName, String tensor, String... words) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> WhisperCheckpoint.load(p).close());
        String m = e.getMessage();
        assertTrue(m.contains(fileName), "names the file " + fileName + ": " + m);
        if (tensor != null) assertTrue(m.contains("tensor '" + tensor + "'"), "names the tensor " + tensor + ": " + m);
        for (String w : words) assertTrue(m.contains(w), "mentions '" + w + "': " + m);
        return e;
    }

    @Test
    void missingTensorIsNamedWithItsExpectedShape() throws IOException {
        Map<String, Tensor> drop = new LinkedHashMap<>();
        drop.put("model.decoder.layers.1.fc2.bias", null);
        Path p = hfCopy("missing", drop, Map.of());
        loadFails(p, "model.safetensors", "model.decoder.layers.1.fc2.bias", "missing", "expected shape [64]");
    }

    @Test
    void wrongShapeIsNamedWithBothShapes() throws IOException {
        try (Tensor wrong = Tensor.allocate(DType.F32, 64, 65)) {
            Path p = hfCopy("shape", Map.of("model.encoder.layers.0.self_attn.v_proj.weight", wrong), Map.of());
            loadFails(p, "model.safetensors", "model.encoder.layers.0.self_attn.v_proj.weight", "has shape [64, 65]", "expected [64, 64]");
        }
    }

    @Test
    void configThatDisagreesWithTheShapesNamesBoth() throws IOException {
        Path p = hfCopy("cfg", Map.of(), Map.of());
        JsonObject cfg = JsonParser.parseString(Files.readString(p.resolve("config.json"))).getAsJsonObject();
        cfg.addProperty("num_mel_bins", 128);
        Files.writeString(p.resolve("config.json"), cfg.toString());
        loadFails(p, "config.json", "model.encoder.conv1.weight", "num_mel_bins (n_mels) = 128", "[64, 80, 3]", "n_mels = 80");
        cfg.addProperty("num_mel_bins", 80);
        cfg.addProperty("d_model", 128);
        Files.writeString(p.resolve("config.json"), cfg.toString());
        loadFails(p, "config.json", "model.encoder.conv1.weight", "d_model (n_audio_state) = 128", "n_audio_state = 64");
        cfg.addProperty("d_model", 64);
        cfg.addProperty("encoder_layers", 3);
        Files.writeString(p.resolve("config.json"), cfg.toString());
        loadFails(p, "config.json", null, "tensor 'model.encoder.layers.1.", "encoder_layers (n_audio_layer) = 3", "up to index 1 (2 layers)");
        cfg.addProperty("encoder_layers", 1);
        Files.writeString(p.resolve("config.json"), cfg.toString());
        loadFails(p, "encoder_layers (n_audio_layer) = 1", null, "up to index 1");
        cfg.addProperty("encoder_layers", 2);
        cfg.addProperty("decoder_ffn_dim", 512);
        Files.writeString(p.resolve("config.json"), cfg.toString());
        loadFails(p, "config.json", "model.decoder.layers.0.fc1.weight", "decoder_ffn_dim (decoder ffn dim) = 512", "[256, 64]");
        cfg.addProperty("decoder_ffn_dim", 256);
        cfg.addProperty("vocab_size", 51866);
        Files.writeString(p.resolve("config.json"), cfg.toString());
        loadFails(p, "config.json", "model.decoder.embed_tokens.weight", "vocab_size (n_vocab) = 51866", "[51865, 64]");
    }

    @Test
    void unexpectedTensorsAreRejected() throws IOException {
        try (Tensor kBias = Tensor.allocate(DType.F32, 64); Tensor junk = Tensor.allocate(DType.F32, 1)) {
            Map<String, Tensor> extra = new LinkedHashMap<>(); // file order decides which one the message names first
            extra.put("model.decoder.layers.0.self_attn.k_proj.bias", kBias);
            extra.put("model.extra.thing", junk);
            Path p = hfCopy("extra", Map.of(), extra);
            loadFails(p, "model.safetensors", "model.decoder.layers.0.self_attn.k_proj.bias", "is not a tensor of the whisper model",
                    "1 more: model.extra.thing");
        }
    }

    @Test
    void tiedOutputProjectionIsAcceptedAndAnUntiedOneRefused() throws IOException {
        float[] embedding;
        try (WhisperCheckpoint hf = WhisperCheckpoint.load(HF_DIR); Tensor e = hf.tensor("decoder.token_embedding.weight")) {
            embedding = e.toFloatArray();
        }
        try (Tensor proj = Tensor.of(embedding, 51865, 64)) {
            Path p = hfCopy("tied", Map.of(), Map.of(WhisperTensorNames.HF_PROJ_OUT, proj));
            try (WhisperCheckpoint ck = WhisperCheckpoint.load(p)) {
                assertEquals(89, ck.names().size(), "proj_out is checked, then ignored");
                assertFalse(ck.has("proj_out.weight"));
            }
        }
        embedding[12345] += 1e-3f;
        try (Tensor proj = Tensor.of(embedding, 51865, 64)) {
            Path p = hfCopy("untied", Map.of(), Map.of(WhisperTensorNames.HF_PROJ_OUT, proj));
            loadFails(p, "model.safetensors", "proj_out.weight", "differs from model.decoder.embed_tokens.weight at element 12345");
        }
    }

    @Test
    void shardedCheckpointLoadsLikeTheSingleFile() throws IOException {
        Path out = Files.createDirectories(dir.resolve("sharded"));
        Files.copy(HF_DIR.resolve("config.json"), out.resolve("config.json"));
        JsonObject weightMap = new JsonObject();
        try (SafetensorsFile src = SafetensorsFile.open(HF_DIR.resolve("model.safetensors"))) {
            SafetensorsWriter[] shards = {new SafetensorsWriter(out.resolve("model-00001-of-00002.safetensors")),
                new SafetensorsWriter(out.resolve("model-00002-of-00002.safetensors"))};
            for (String name : src.names()) {
                int s = name.startsWith("model.decoder.") ? 1 : 0;
                TensorInfo info = src.info(name);
                shards[s].add(name, info.dtype(), info.shape(), ch -> ch.write(src.map(name)));
                weightMap.addProperty(name, "model-0000" + (s + 1) + "-of-00002.safetensors");
            }
            for (SafetensorsWriter w : shards) w.write();
        }
        JsonObject index = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", 14830496 - 8);
        index.add("metadata", meta);
        index.add("weight_map", weightMap);
        Files.writeString(out.resolve("model.safetensors.index.json"), index.toString());
        try (WhisperCheckpoint sharded = WhisperCheckpoint.load(out); WhisperCheckpoint single = WhisperCheckpoint.load(HF_DIR)) {
            assertEquals(WhisperCheckpoint.Layout.HF_SHARDED_SAFETENSORS, sharded.layout());
            assertEquals(single.config(), sharded.config());
            assertEquals(single.names(), sharded.names());
            for (String name : List.of("encoder.conv1.weight", "decoder.blocks.1.mlp.2.weight", "decoder.token_embedding.weight")) {
                try (Tensor a = sharded.tensor(name); Tensor b = single.tensor(name)) {
                    assertArrayEquals(b.toFloatArray(), a.toFloatArray(), name);
                }
            }
        }
        // an index naming a tensor its shard lacks, and a shard name outside the folder
        weightMap.addProperty("model.encoder.conv1.weight", "model-00002-of-00002.safetensors");
        Files.writeString(out.resolve("model.safetensors.index.json"), index.toString());
        loadFails(out, "model-00002-of-00002.safetensors", "model.encoder.conv1.weight", "not in this shard");
        weightMap.addProperty("model.encoder.conv1.weight", "../hf/model.safetensors");
        Files.writeString(out.resolve("model.safetensors.index.json"), index.toString());
        loadFails(out, "model.safetensors.index.json", "model.encoder.conv1.weight", "not a file in the index's folder");
        weightMap.remove("model.encoder.conv1.weight");
        Files.writeString(out.resolve("model.safetensors.index.json"), index.toString());
        loadFails(out, "model-00001-of-00002.safetensors", "model.encoder.conv1.weight", "not listed in model.safetensors.index.json");
    }

    @Test
    void huggingFacePytorchBinLoadsToo() throws IOException {
        // a pytorch_model.bin written the torch way: one FloatStorage per tensor, HF names, a bare OrderedDict state dict
        Path out = Files.createDirectories(dir.resolve("bin"));
        Files.copy(HF_DIR.resolve("config.json"), out.resolve("config.json"));
        PickleBytes pickle = new PickleBytes().proto(2).global("collections", "OrderedDict").op(')').reduce().mark();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        try (SafetensorsFile src = SafetensorsFile.open(HF_DIR.resolve("model.safetensors"))) {
            int key = 0;
            for (String name : src.names()) {
                TensorInfo info = src.info(name);
                long[] stride = new long[info.rank()];
                for (int k = info.rank() - 1, s = 1; k >= 0; s *= (int) info.dim(k), k--) stride[k] = s;
                pickle.str(name).tensor("FloatStorage", String.valueOf(key), info.numel(), 0, info.shape(), stride);
                ByteBuffer b = src.map(name);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                storages.put(String.valueOf(key++), bytes);
            }
        }
        pickle.op('u').op('}').str("_metadata").global("collections", "OrderedDict").op(')').reduce().op('s').op('b'); // state_dict()._metadata
        PickleBytes.writeTorchZip(out.resolve("pytorch_model.bin"), "pytorch_model", pickle.stop().bytes(), storages, false);
        try (WhisperCheckpoint bin = WhisperCheckpoint.load(out); WhisperCheckpoint st = WhisperCheckpoint.load(HF_DIR)) {
            assertEquals(WhisperCheckpoint.Layout.HF_PYTORCH_BIN, bin.layout());
            for (String name : st.names()) {
                try (Tensor a = bin.tensor(name); Tensor b = st.tensor(name)) {
                    assertArrayEquals(b.toFloatArray(), a.toFloatArray(), name);
                }
            }
        }
    }

    @Test
    void openAiDimsSourcesMustAgree() throws IOException {
        Path out = Files.createDirectories(dir.resolve("oa"));
        Files.copy(OPENAI_DIR.resolve("model.safetensors"), out.resolve("model.safetensors"));
        // metadata dims alone are enough
        try (WhisperCheckpoint ck = WhisperCheckpoint.load(out)) {
            assertEquals(51865, ck.config().nVocab());
        }
        JsonObject dims = JsonParser.parseString(Files.readString(OPENAI_DIR.resolve("dims.json"))).getAsJsonObject();
        dims.addProperty("n_text_head", 8);
        Files.writeString(out.resolve("dims.json"), dims.toString());
        loadFails(out, "model.safetensors", null, "__metadata__ dims", "disagree with", "dims.json");
        // OpenAI names without any dims: heads cannot be inferred
        try (SafetensorsFile src = SafetensorsFile.open(OPENAI_DIR.resolve("model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter(out.resolve("model.safetensors"));
            for (String name : src.names()) {
                TensorInfo info = src.info(name);
                w.add(name, info.dtype(), info.shape(), ch -> ch.write(src.map(name)));
            }
            w.write();
        }
        Files.delete(out.resolve("dims.json"));
        loadFails(out, "model.safetensors", null, "no model dimensions");
    }

    @Test
    void openAiAlignmentHeadsBufferIsRead() throws IOException {
        Path out = Files.createDirectories(dir.resolve("heads"));
        Files.copy(OPENAI_DIR.resolve("dims.json"), out.resolve("dims.json"));
        try (SafetensorsFile src = SafetensorsFile.open(OPENAI_DIR.resolve("model.safetensors"));
             Tensor heads = Tensor.allocate("alignment_heads", DType.U8, 2, 4)) {
            heads.copyFrom(new byte[] {0, 0, 1, 0, 1, 0, 0, 1});
            SafetensorsWriter w = new SafetensorsWriter(out.resolve("model.safetensors"));
            for (String name : src.names()) {
                TensorInfo info = src.info(name);
                w.add(name, info.dtype(), info.shape(), ch -> ch.write(src.map(name)));
            }
            w.add("alignment_heads", StorageDType.BOOL, new long[] {2, 4}, ch -> ch.write(ByteBuffer.wrap(heads.toByteArray())));
            w.write();
        }
        try (WhisperCheckpoint ck = WhisperCheckpoint.load(out)) {
            WhisperConfig c = ck.config();
            assertEquals(List.of(new AlignmentHead(0, 2), new AlignmentHead(1, 0), new AlignmentHead(1, 3)), c.alignmentHeads());
            assertFalse(ck.has("alignment_heads"));
        }
    }

    @Test
    void f16FixtureBytesMatchTheirChecksumInExpectedJson() throws Exception {
        // guards the copied test data: sha256 as recorded by the fixture generator
        JsonObject files = JsonParser.parseString(Files.readString(DATA.resolve("expected.json"))).getAsJsonObject().getAsJsonObject("files");
        for (String f : List.of("openai/model.safetensors", "openai/dims.json", "hf/model.safetensors", "hf/config.json", "expected.safetensors")) {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(DATA.resolve(f)));
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) hex.append(String.format("%02x", b));
            assertEquals(files.getAsJsonObject(f).get("sha256").getAsString(), hex.toString(), f);
        }
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "raw reads assume a little-endian host");
    }
}
