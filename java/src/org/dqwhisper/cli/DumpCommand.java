package org.dqwhisper.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.dqwhisper.whisper.io.SafetensorsWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dqw dump}: the model's numerics for one input, in the layout of the reference fixtures
 * ({@code mel} [n_mels, frames], {@code encoder_output} [n_audio_ctx, d], {@code logits} [T, n_vocab],
 * batch dimension dropped, F32), so anyone can diff us against any reference implementation.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Write mel, encoder_output and logits for a prompt to a safetensors file.")
public final class DumpCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HF folder, OpenAI .pt file, or folder with an OpenAI-layout checkpoint")
    Path model;

    static final class Input {
        @Option(names = "--audio", description = "audio file (any format; the mel is pad_or_trim(log_mel_spectrogram(audio)))")
        Path audio;

        @Option(names = "--mel", description = "safetensors file with a tensor named 'mel' [n_mels, frames]")
        Path mel;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--tokens", required = true, split = ",", description = "decoder prompt token ids, comma-separated")
    int[] tokens;

    @Option(names = "--out", required = true, description = "output .safetensors file (written atomically)")
    Path out;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or int8 (default: ${DEFAULT-VALUE})")
    String precision;

    @Override
    public Integer call() throws Exception {
        Precision p = Precision.parse(precision);
        try (WhisperModel m = WhisperModel.load(model, p); Tensor mel = readMel(m)) {
            try (Tensor enc = m.encode(mel); Tensor logits = m.logits(tokens, enc)) {
                new SafetensorsWriter(out)
                        .metadata("format", "pt")
                        .metadata("producer", "dq-whisper dump")
                        .metadata("model", model.toString())
                        .metadata("precision", p.name().toLowerCase())
                        .metadata("tokens", Arrays.toString(tokens))
                        .add("mel", mel)
                        .add("encoder_output", enc)
                        .add("logits", logits)
                        .write();
                System.out.printf("wrote %s: mel %s, encoder_output %s, logits %s%n", out, Arrays.toString(mel.shape()),
                        Arrays.toString(enc.shape()), Arrays.toString(logits.shape()));
            }
        }
        return 0;
    }

    private Tensor readMel(WhisperModel m) throws Exception {
        int nMels = m.encoder().nMels();
        int frames = m.encoder().nFrames();
        if (input.audio != null) {
            MelSpectrogram mel = new LogMelSpectrogram(nMels).compute(AudioLoader.load(input.audio)).padOrTrim(frames);
            return mel.toTensor();
        }
        try (SafetensorsFile f = SafetensorsFile.open(input.mel)) {
            if (!f.names().contains("mel")) {
                throw new IllegalArgumentException(input.mel + ": no tensor named 'mel' (has " + f.names() + ")");
            }
            Tensor t = f.readF32("mel", "mel");
            if (t.rank() != 2 || t.dim(0) != nMels || t.dim(1) != frames) {
                String shape = Arrays.toString(t.shape());
                t.close();
                throw new IllegalArgumentException(input.mel + ": tensor 'mel' has shape " + shape + ", the model needs [" + nMels + ", " + frames + "]");
            }
            return t.requireShape(DType.F32, nMels, frames);
        }
    }
}
