package org.dqwhisper.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dqwhisper.train.TrainingCheckpoint;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dqw init}: writes a freshly initialised Whisper-architecture model (Hugging Face folder) of any size, the
 * starting point of {@code dqw finetune} when no pretrained checkpoint exists (the demo's teacher and students).
 */
@Command(name = "init",
        description = {"Write a randomly initialised Whisper-architecture model (HF folder: config.json + model.safetensors).",
            "Weights N(0, 0.02^2), biases 0, LayerNorm 1/0, sinusoidal encoder positions (as Hugging Face's _init_weights)."})
public final class InitCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model folder to write (replaced atomically).")
    Path out;

    @Option(names = "--d-model", defaultValue = "256", description = "Width of encoder and decoder (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--encoder-layers", defaultValue = "4", description = "Encoder blocks (default ${DEFAULT-VALUE}).")
    int encoderLayers;

    @Option(names = "--decoder-layers", defaultValue = "4", description = "Decoder blocks (default ${DEFAULT-VALUE}).")
    int decoderLayers;

    @Option(names = "--audio-ctx", defaultValue = "1500",
            description = "Encoder positions; the window is audio-ctx/50 s (1500 = 30 s, 750 = 15 s as the DQ-Whisper code).")
    int audioCtx;

    @Option(names = "--text-ctx", defaultValue = "448", description = "Decoder positions (default ${DEFAULT-VALUE}).")
    int textCtx;

    @Option(names = "--mels", defaultValue = "80", description = "Mel bins: 80, or 128 as large-v3 (default ${DEFAULT-VALUE}).")
    int mels;

    @Option(names = "--vocab", defaultValue = "51865",
            description = "Vocabulary: 51865 multilingual, 51864 English-only, 51866 large-v3 (default ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--conv-init", defaultValue = "hf",
            description = {"Encoder conv stem init: hf (N(0, 0.02^2) as every other weight) or he (N(0, 2/fan_in)): with hf the",
                "stem's output is a few per cent of the sinusoidal positions it is added to, and a model trained from scratch",
                "learns to ignore the audio for a long time (default ${DEFAULT-VALUE})."})
    String convInit;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WhisperConfig config;
        try {
            if (dModel % heads != 0) throw new IllegalArgumentException("--d-model " + dModel + " is not a multiple of --heads " + heads);
            config = WhisperConfig.of(mels, audioCtx, dModel, heads, encoderLayers, vocab, textCtx, dModel, heads, decoderLayers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!convInit.equals("hf") && !convInit.equals("he")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--conv-init must be hf or he, got " + convInit);
        }
        try (WhisperModel model = WhisperInit.random(config, seed)) {
            if (convInit.equals("he")) WhisperInit.heConvStem(model);
            TrainingCheckpoint.writeModel(out, model);
        }
        System.out.println("wrote " + out + " (" + config + ")");
        return 0;
    }
}
