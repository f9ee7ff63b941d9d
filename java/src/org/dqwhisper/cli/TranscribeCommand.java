package org.dqwhisper.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dqwhisper.audio.EnergyVad;
import org.dqwhisper.decode.BatchTranscriber;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.TranscriptionListener;
import org.dqwhisper.decode.output.OutputFormat;
import org.dqwhisper.decode.output.OutputWriters;
import org.dqwhisper.decode.output.TimestampFormat;
import org.dqwhisper.decode.output.WriterOptions;
import org.dqwhisper.text.WhisperLanguages;
import org.dqwhisper.text.WhisperTokenizer.Task;
import org.dqwhisper.cuda.CudaRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dqw transcribe}: whisper's command line ({@code whisper/transcribe.py cli()}) over {@link Transcriber}, with
 * dashes instead of underscores. Numeric thresholds accept {@code none} to switch the check off. The model and
 * the audio decoder come from {@link SpeechModels}. With several files and {@code --batch-size} above 1 the files go
 * through {@link BatchTranscriber} in groups of that size (see there for what is batched); outputs stay per file.
 */
@Command(name = "transcribe", description = "Transcribe (or translate) audio files with a Whisper model.")
public final class TranscribeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TranscribeCommand.class);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Audio files to transcribe.")
    List<Path> audio;

    @Option(names = "--model", defaultValue = "base", description = "Model name or checkpoint path (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--precision", defaultValue = "fp32", converter = PrecisionConverter.class,
            description = "Weights: fp32 or int8 (default: ${DEFAULT-VALUE}).")
    SpeechModelLoader.Precision precision;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu, cuda, or auto (cuda when a CUDA device is usable, else cpu; default: ${DEFAULT-VALUE}). "
                    + "On cuda, fp32 runs FP16 tensor-core GEMMs and int8 the INT8 GEMM.")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = default.")
    int threads;

    @Option(names = {"--output-dir", "-o"}, defaultValue = ".", description = "Where to write the results.")
    Path outputDir;

    @Option(names = {"--output-format", "-f"}, defaultValue = "all",
            description = "txt, vtt, srt, tsv, json or all (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--verbose", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Print each segment as it is decoded (default: ${DEFAULT-VALUE}).")
    boolean verbose;

    @Option(names = "--no-progress", description = "No progress bar on stderr (shown for audio over 30 s).")
    boolean noProgress;

    @Option(names = "--task", defaultValue = "transcribe", description = "transcribe or translate (to English).")
    String task;

    @Option(names = "--language", description = "Spoken language (code or name); detected when omitted.")
    String language;

    @Option(names = "--language-detection-windows", defaultValue = "1",
            description = "30 s windows averaged to detect the language (default: ${DEFAULT-VALUE}).")
    int languageDetectionWindows;

    @Option(names = "--temperature", defaultValue = "0", description = "First sampling temperature.")
    double temperature;

    @Option(names = "--temperature-increment-on-fallback", defaultValue = "0.2",
            description = "Temperature step on fallback up to 1.0, or none (default: ${DEFAULT-VALUE}).")
    String temperatureIncrement;

    @Option(names = "--best-of", defaultValue = "5", description = "Samples per try at temperature > 0, or none.")
    String bestOf;

    @Option(names = "--beam-size", defaultValue = "5", description = "Beams at temperature 0, or none for greedy.")
    String beamSize;

    @Option(names = "--patience", description = "Beam search patience (default 1.0).")
    Double patience;

    @Option(names = "--length-penalty", description = "Length penalty alpha in [0, 1]; default: length normalisation.")
    Double lengthPenalty;

    @Option(names = "--suppress-tokens", defaultValue = "-1", description = "Token ids to suppress; -1: symbols.")
    String suppressTokens;

    @Option(names = "--initial-prompt", description = "Text to prompt the first window with.")
    String initialPrompt;

    @Option(names = "--carry-initial-prompt", arity = "0..1", fallbackValue = "true",
            description = "Prompt every window with the initial prompt.")
    boolean carryInitialPrompt;

    @Option(names = "--condition-on-previous-text", arity = "1", defaultValue = "true",
            description = "Prompt each window with the text before it (default: ${DEFAULT-VALUE}).")
    boolean conditionOnPreviousText;

    @Option(names = "--compression-ratio-threshold", defaultValue = "2.4", description = "Retry above this, or none.")
    String compressionRatioThreshold;

    @Option(names = "--logprob-threshold", defaultValue = "-1.0", description = "Retry below this, or none.")
    String logprobThreshold;

    @Option(names = "--no-speech-threshold", defaultValue = "0.6", description = "Silence above this, or none.")
    String noSpeechThreshold;

    @Option(names = "--word-timestamps", arity = "0..1", fallbackValue = "true",
            description = "Word-level timestamps (cross-attention + DTW).")
    boolean wordTimestamps;

    @Option(names = "--prepend-punctuations", defaultValue = "\"'“¿([{-", description = "Merged into the next word.")
    String prependPunctuations;

    @Option(names = "--append-punctuations", defaultValue = "\"'.。,，!！?？:：”)]}、",
            description = "Merged into the previous word.")
    String appendPunctuations;

    @Option(names = "--highlight-words", arity = "0..1", fallbackValue = "true",
            description = "Underline each word as it is spoken in srt and vtt (needs --word-timestamps).")
    boolean highlightWords;

    @Option(names = "--max-line-width", description = "Characters per subtitle line (needs --word-timestamps).")
    Integer maxLineWidth;

    @Option(names = "--max-line-count", description = "Lines per subtitle cue (needs --word-timestamps).")
    Integer maxLineCount;

    @Option(names = "--max-words-per-line", description = "Words per subtitle cue (needs --word-timestamps).")
    Integer maxWordsPerLine;

    @Option(names = "--clip-timestamps", defaultValue = "0",
            description = "start,end,... seconds of the parts to transcribe (default: all).")
    String clipTimestamps;

    @Option(names = "--hallucination-silence-threshold",
            description = "With --word-timestamps: skip silences longer than this around likely hallucinations.")
    Double hallucinationSilenceThreshold;

    @Option(names = "--vad", description = "Skip long silences found by energy voice-activity detection.")
    boolean vad;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling at temperature > 0.")
    long seed;

    @Option(names = "--batch-size", defaultValue = "1",
            description = "Files whose windows are encoded and decoded together, every beam or sample of every window in"
                    + " one decoder step (default: ${DEFAULT-VALUE}, one file at a time: on the CPU, batching files measured"
                    + " 0.7-1.0x of one at a time, since one file's beams already share each step).")
    int batchSize;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WriterOptions writerOptions = writerOptions(err);
        OutputFormat format = parse(() -> OutputFormat.parse(outputFormat));
        TranscribeOptions options = parse(this::transcribeOptions);
        if (batchSize < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
        if (threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0 (0 = default), got " + threads);
        }
        if (wordTimestamps && options.decoding().task() == Task.TRANSLATE) {
            err.println("warning: word-level timestamps on translations may not be reliable");
        }
        DeviceChoice.Choice where = parse(() -> DeviceChoice.resolve(device, CudaRuntime.status()));
        if (where.note() != null) {
            LOG.debug(where.note());
            err.println(where.note()); // the user's line; the log gets it at debug level
        }
        SpeechModel speechModel = SpeechModels.loader().load(model, precision, threads, where.device());
        try {
            if (!speechModel.isMultilingual() && language != null && !WhisperLanguages.toCode(language).equals("en")) {
                err.println("warning: " + model + " is an English-only model but got '" + language
                        + "'; using English instead");
                options = options.toBuilder()
                        .decoding(options.decoding().toBuilder().language("en").build()).build();
            }
            int failures;
            if (batchSize > 1 && audio.size() > 1) {
                failures = transcribeBatched(speechModel, options, format, writerOptions, out, err);
            } else {
                failures = 0;
                Transcriber transcriber = new Transcriber(speechModel);
                for (Path file : audio) {
                    try {
                        Transcription t = transcribeFile(transcriber, speechModel, file, options, out, err);
                        OutputWriters.write(t, file, outputDir, format, writerOptions);
                    } catch (Exception e) {
                        failures++;
                        err.println("Skipping " + file + " due to " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                }
            }
            return failures == 0 ? 0 : 1;
        } finally {
            if (speechModel instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /**
     * Several files through {@link BatchTranscriber}, {@code --batch-size} files at a time (only their mel
     * spectrograms are held): each group's windows are encoded together and, for greedy decoding, decoded in
     * lock-step. Each file's segments are printed and its outputs written when its group is done; no progress bars.
     */
    private int transcribeBatched(SpeechModel speechModel, TranscribeOptions options, OutputFormat format,
            WriterOptions writerOptions, PrintWriter out, PrintWriter err) {
        int failures = 0;
        BatchTranscriber batch = new BatchTranscriber(speechModel, batchSize);
        for (int from = 0; from < audio.size(); from += batchSize) {
            List<Path> files = new ArrayList<>();
            List<BatchTranscriber.Input> inputs = new ArrayList<>();
            for (Path file : audio.subList(from, Math.min(audio.size(), from + batchSize))) {
                try {
                    inputs.add(input(speechModel, file, options));
                    files.add(file);
                } catch (Exception e) {
                    failures++;
                    err.println("Skipping " + file + " due to " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            if (inputs.isEmpty()) {
                continue;
            }
            List<Transcription> results;
            try {
                results = batch.transcribeAll(inputs);
            } catch (RuntimeException e) {
                failures += files.size();
                err.println("Skipping " + files + " due to " + e.getClass().getSimpleName() + ": " + e.getMessage());
                continue;
            }
            for (int i = 0; i < files.size(); i++) {
                Transcription t = results.get(i);
                if (verbose) {
                    for (Segment s : t.segments()) {
                        printSegment(out, s);
                    }
                    if (options.decoding().language() == null && t.language() != null) {
                        out.println("Detected language: " + titleCase(WhisperLanguages.name(t.language())));
                    }
                }
                try {
                    OutputWriters.write(t, files.get(i), outputDir, format, writerOptions);
                } catch (Exception e) {
                    failures++;
                    err.println("Skipping " + files.get(i) + " due to " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
        return failures;
    }

    /** A file's audio, mel spectrogram and per-file options (speech regions with --vad). */
    private BatchTranscriber.Input input(SpeechModel speechModel, Path file, TranscribeOptions options) throws Exception {
        AudioFrontEnd frontEnd = SpeechModels.audio();
        float[] samples = frontEnd.load(file);
        MelSource mel = frontEnd.melSpectrogram(samples, speechModel.nMels());
        return new BatchTranscriber.Input(mel, vad ? withSpeechRegions(options, samples) : options, null);
    }

    private static TranscribeOptions withSpeechRegions(TranscribeOptions options, float[] samples) {
        List<double[]> regions = new ArrayList<>();
        EnergyVad detector = new EnergyVad();
        int rate = detector.config().sampleRate();
        for (EnergyVad.Interval i : detector.detect(samples)) {
            regions.add(new double[] {i.startSeconds(rate), i.endSeconds(rate)});
        }
        return options.toBuilder().speechRegions(regions).build();
    }

    private static void printSegment(PrintWriter out, Segment s) {
        out.println("[" + TimestampFormat.format(s.start(), false, '.') + " --> "
                + TimestampFormat.format(s.end(), false, '.') + "] " + s.text());
        out.flush();
    }

    private Transcription transcribeFile(Transcriber transcriber, SpeechModel speechModel, Path file,
            TranscribeOptions options, PrintWriter out, PrintWriter err) throws Exception {
        AudioFrontEnd frontEnd = SpeechModels.audio();
        float[] samples = frontEnd.load(file);
        MelSource mel = frontEnd.melSpectrogram(samples, speechModel.nMels());
        if (vad) {
            options = withSpeechRegions(options, samples);
        }
        ProgressBar bar = !noProgress && mel.contentFrames() > MelSource.WINDOW_FRAMES
                ? new ProgressBar(err, file.getFileName().toString()) : null;
        TranscriptionListener listener = new TranscriptionListener() {
            @Override
            public void progress(int done, int total) {
                if (bar != null) {
                    bar.progress(done, total);
                }
            }

            @Override
            public void segment(Segment s) {
                if (verbose) {
                    printSegment(out, s);
                }
            }
        };
        Transcription t = transcriber.transcribe(mel, options, listener);
        if (bar != null) {
            bar.finish();
        }
        if (verbose && options.decoding().language() == null && t.language() != null) {
            out.println("Detected language: " + titleCase(WhisperLanguages.name(t.language())));
        }
        return t;
    }

    TranscribeOptions transcribeOptions() {
        DecodingOptions decoding = DecodingOptions.builder().task(parseTask(task))
                .language(language == null || language.equalsIgnoreCase("none") ? null : language)
                .beamSize(optionalInt("--beam-size", beamSize)).patience(patience).lengthPenalty(lengthPenalty)
                .suppressTokens(suppressTokens).seed(seed).build();
        if (language != null && !language.equalsIgnoreCase("none")) {
            WhisperLanguages.toCode(language); // fail early on an unknown language
        }
        return TranscribeOptions.builder().decoding(decoding).bestOf(optionalInt("--best-of", bestOf))
                .temperatures(TranscribeOptions.temperatureSchedule(temperature,
                        optionalDouble("--temperature-increment-on-fallback", temperatureIncrement)))
                .compressionRatioThreshold(optionalDouble("--compression-ratio-threshold", compressionRatioThreshold))
                .logprobThreshold(optionalDouble("--logprob-threshold", logprobThreshold))
                .noSpeechThreshold(optionalDouble("--no-speech-threshold", noSpeechThreshold))
                .conditionOnPreviousText(conditionOnPreviousText).initialPrompt(initialPrompt)
                .carryInitialPrompt(carryInitialPrompt).wordTimestamps(wordTimestamps)
                .prependPunctuations(prependPunctuations).appendPunctuations(appendPunctuations)
                .clipTimestamps(TranscribeOptions.parseClipTimestamps(clipTimestamps))
                .hallucinationSilenceThreshold(hallucinationSilenceThreshold)
                .languageDetectionWindows(languageDetectionWindows).build();
    }

    private WriterOptions writerOptions(PrintWriter err) {
        WriterOptions w = parse(() -> new WriterOptions(maxLineWidth, maxLineCount, maxWordsPerLine, highlightWords));
        if (!wordTimestamps) {
            String[] names = {"--highlight-words", "--max-line-count", "--max-line-width", "--max-words-per-line"};
            Object[] values = {highlightWords ? true : null, maxLineCount, maxLineWidth, maxWordsPerLine};
            for (int i = 0; i < names.length; i++) {
                if (values[i] != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            names[i] + " requires --word-timestamps");
                }
            }
        }
        if (maxLineCount != null && maxLineWidth == null) {
            err.println("warning: --max-line-count has no effect without --max-line-width");
        }
        if (maxWordsPerLine != null && maxLineWidth != null) {
            err.println("warning: --max-words-per-line has no effect with --max-line-width");
        }
        return w;
    }

    /** Runs {@code parser}, turning IllegalArgumentException into a usage error. */
    private <T> T parse(java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static Task parseTask(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "transcribe" -> Task.TRANSCRIBE;
            case "translate" -> Task.TRANSLATE;
            default -> throw new IllegalArgumentException("--task must be transcribe or translate, got '" + value + "'");
        };
    }

    static Integer optionalInt(String name, String value) {
        if (value == null || value.equalsIgnoreCase("none")) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer or none, got '" + value + "'");
        }
    }

    static Double optionalDouble(String name, String value) {
        if (value == null || value.equalsIgnoreCase("none")) {
            return null;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number or none, got '" + value + "'");
        }
    }

    private static String titleCase(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean start = true;
        for (char c : name.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : c);
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }

    /** Accepts fp32 or int8, ignoring case. */
    static final class PrecisionConverter implements CommandLine.ITypeConverter<SpeechModelLoader.Precision> {
        @Override
        public SpeechModelLoader.Precision convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "fp32" -> SpeechModelLoader.Precision.FP32;
                case "int8" -> SpeechModelLoader.Precision.INT8;
                default -> throw new CommandLine.TypeConversionException("expected fp32 or int8, got '" + value + "'");
            };
        }
    }
}
