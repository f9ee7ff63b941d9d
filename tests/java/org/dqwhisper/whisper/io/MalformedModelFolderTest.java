package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.dqwhisper.distill.QuantizedExport;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Damaged model folders in every layout {@code WhisperModel.load} reads: seeded truncations, bit flips, digit edits
 * and random bytes in the part of a file that describes the tensors (the safetensors JSON header, the whole JSON
 * config, anywhere in a .pt archive). Each damaged folder either loads and runs (encoder on a silent mel, then three
 * decoder tokens) or throws an {@link IOException} whose message names the damaged file; no other exception, no
 * crash. This found two defects: config files that are not UTF-8 threw a MalformedInputException naming nothing, and
 * the quantized and 8-bit storage folders took a dims.json that contradicts the tensor shapes without a word.
 */
class MalformedModelFolderTest {
    private static final Path FIXTURE = Path.of("tests/data/tiny-random-a");
    /** Small enough that a damaged folder that still loads runs in milliseconds. */
    private static final WhisperConfig SMALL = WhisperConfig.of(80, 6, 32, 2, 2, 70, 10, 32, 2, 2);
    private static final int MUTATIONS = 40;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "hf, model.safetensors", "hf, config.json",
        "openai-pt, model.pt",
        "openai-safetensors, model.safetensors", "openai-safetensors, dims.json",
        "quantized-w8, model.safetensors", "quantized-w8, dims.json",
        "quantized-w4, model.safetensors",
        "compact, model.safetensors", "compact, dims.json"})
    void damagedFileLoadsOrIsNamed(String layout, String target) throws IOException {
        Path clean = tmp.resolve("clean");
        make(layout, clean);
        byte[] orig = Files.readAllBytes(clean.resolve(target));
        int described = describedBytes(target, orig);
        Random rnd = new Random(layout.hashCode() * 31L + target.hashCode());
        int loaded = 0, refused = 0;
        for (int it = 0; it < MUTATIONS; it++) {
            Path dir = tmp.resolve("m" + it);
            copy(clean, dir);
            byte[] b = orig.clone();
            String what = mutate(rnd, b, described);
            if (what.startsWith("truncated to ")) b = Arrays.copyOf(b, Integer.parseInt(what.substring(13)));
            Files.write(dir.resolve(target), b);
            try (WhisperModel m = WhisperModel.load(dir, Precision.INT8)) {
                run(m);
                loaded++;
            } catch (IOException e) {
                assertTrue(e.getMessage() != null && e.getMessage().contains(dir.toString()),
                        layout + "/" + target + " " + what + ": the message does not name the file: " + e);
                refused++;
            } catch (RuntimeException | Error e) {
                fail(layout + "/" + target + " " + what + ": " + e, e);
            }
            delete(dir);
        }
        assertEquals(MUTATIONS, loaded + refused);
        assertTrue(refused > 0, layout + "/" + target + ": no mutation was refused, so none reached the checks");
    }

    @ParameterizedTest
    @CsvSource({"quantized-w8, n_mels, 128", "quantized-w8, n_text_ctx, 600", "quantized-w4, n_audio_layer, 3",
                "compact, n_mels, 128", "compact, n_text_ctx, 11", "compact, n_vocab, 71"})
    void dimsThatContradictTheTensorsAreRefused(String layout, String field, int value) throws IOException {
        Path dir = tmp.resolve("m");
        make(layout, dir);
        Path dims = dir.resolve("dims.json");
        String json = Files.readString(dims, StandardCharsets.UTF_8).replaceFirst("\"" + field + "\":\\s*\\d+", "\"" + field + "\": " + value);
        Files.writeString(dims, json, StandardCharsets.UTF_8);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> WhisperModel.load(dir, Precision.FP32).close());
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(String.valueOf(value)) && e.getMessage().contains("dims.json"),
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"hf, config.json", "openai-safetensors, dims.json", "compact, dims.json"})
    void configThatIsNotUtf8IsNamed(String layout, String target) throws IOException {
        Path dir = tmp.resolve("m");
        make(layout, dir);
        byte[] b = Files.readAllBytes(dir.resolve(target));
        b[b.length / 2] = (byte) 0xC3; // a lead byte without its continuation
        b[b.length / 2 + 1] = '"';
        Files.write(dir.resolve(target), b);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> WhisperModel.load(dir, Precision.FP32).close());
        assertTrue(e.getMessage().contains(dir.resolve(target).toString()) && e.getMessage().contains("UTF-8"), e.getMessage());
    }

    private static void make(String layout, Path dir) throws IOException {
        switch (layout) {
            case "hf" -> copy(FIXTURE.resolve("hf"), dir);
            case "openai-pt" -> {
                Files.createDirectories(dir);
                Files.copy(FIXTURE.resolve("openai/model.pt"), dir.resolve("model.pt"));
            }
            case "openai-safetensors" -> {
                Files.createDirectories(dir);
                Files.copy(FIXTURE.resolve("openai/model.safetensors"), dir.resolve("model.safetensors"));
                Files.copy(FIXTURE.resolve("openai/dims.json"), dir.resolve("dims.json"));
            }
            case "quantized-w8", "quantized-w4" -> {
                try (WhisperModel m = WhisperInit.random(SMALL, 5)) {
                    QuantizedExport.quantizeAndWrite(m, QuantConfig.parse(layout.endsWith("w8") ? "w8" : "w4g16:scope=all-linear"), dir,
                            layout.endsWith("w8"));
                }
            }
            case "compact" -> {
                try (WhisperModel m = WhisperInit.random(SMALL, 6)) {
                    CompactCheckpoint.write(m.stateTensors(), m.config(), dir);
                }
            }
            default -> throw new IllegalArgumentException(layout);
        }
    }

    /** Bytes that describe the tensors: a safetensors file's length prefix and JSON header; all of any other file. */
    private static int describedBytes(String target, byte[] file) {
        if (!target.endsWith(".safetensors")) return file.length;
        long header = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return (int) Math.min(file.length, 8 + header);
    }

    /** Damages {@code b} in place (a truncation is returned as "truncated to N" for the caller to apply). */
    private static String mutate(Random rnd, byte[] b, int described) {
        switch (rnd.nextInt(4)) {
            case 0 -> {
                int len = rnd.nextBoolean() ? rnd.nextInt(Math.min(described + 64, b.length)) : rnd.nextInt(b.length);
                return "truncated to " + len;
            }
            case 1 -> {
                StringBuilder s = new StringBuilder("bits flipped at");
                for (int j = 1 + rnd.nextInt(4); j > 0; j--) {
                    int off = rnd.nextInt(described);
                    b[off] ^= (byte) (1 << rnd.nextInt(8));
                    s.append(' ').append(off);
                }
                return s.toString();
            }
            case 2 -> {
                int[] digits = new int[described];
                int n = 0;
                for (int i = 0; i < described; i++) if (b[i] >= '0' && b[i] <= '9') digits[n++] = i;
                if (n == 0) return "unchanged (no digit)";
                int off = digits[rnd.nextInt(n)];
                b[off] = (byte) ('0' + rnd.nextInt(10));
                return "digit at " + off + " set to " + (char) b[off];
            }
            default -> {
                int off = rnd.nextInt(described);
                int len = 1 + rnd.nextInt(16);
                for (int j = 0; j < len && off + j < b.length; j++) b[off + j] = (byte) rnd.nextInt(256);
                return len + " random bytes at " + off;
            }
        }
    }

    /** The encoder on a silent mel, then three decoder tokens (whatever the damaged weights compute). */
    private static void run(WhisperModel m) {
        WhisperConfig c = m.config();
        try (Tensor mel = Tensor.allocate(DType.F32, c.nMels(), 2L * c.nAudioCtx()); Tensor audio = m.encode(mel);
             Tensor logits = m.logits(new int[] {0, 1, Math.min(2, c.nVocab() - 1)}, audio)) {
            assertEquals(c.nVocab(), logits.dim(1));
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
