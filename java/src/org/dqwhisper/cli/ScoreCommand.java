package org.dqwhisper.cli;

import com.google.gson.Gson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.dqwhisper.eval.CorpusScore;
import org.dqwhisper.eval.ErrorRate.CharMode;
import org.dqwhisper.eval.TranscriptPairs;
import org.dqwhisper.text.normalize.BasicTextNormalizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw score}: corpus WER or CER of hypotheses against references (a shell over {@link CorpusScore}). */
@Command(name = "score",
        description = {"Word (or character) error rate of hypotheses against references.",
            "Files: plain text with one utterance per line, or JSON lines with a \"text\" field and optionally an"
                    + " \"id\" (paired by id when both files have ids, else line by line)."})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--ref", required = true, paramLabel = "FILE", description = "Reference transcripts.")
    Path reference;

    @Option(names = "--hyp", required = true, paramLabel = "FILE", description = "Hypothesis transcripts.")
    Path hypothesis;

    @Option(names = "--normalize", paramLabel = "basic|none", defaultValue = "basic",
            converter = NormalizationConverter.class,
            description = "Text normalization of both sides: whisper's basic normalizer (default) or none.")
    String normalization;

    @Option(names = "--cer", description = "Character error rate instead of word error rate.")
    boolean characters;

    @Option(names = "--no-spaces",
            description = "With --cer: ignore all whitespace (usual for Chinese/Japanese/Thai). Default keeps inner"
                    + " spaces as characters, like jiwer.")
    boolean noSpaces;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (noSpaces && !characters) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--no-spaces only applies with --cer");
        }
        List<TranscriptPairs.Pair> pairs = TranscriptPairs.pair(TranscriptPairs.read(reference),
                TranscriptPairs.read(hypothesis), reference.toString(), hypothesis.toString());
        UnaryOperator<String> normalizer = normalization.equals("basic") ? new BasicTextNormalizer() : null;
        CorpusScore.Result result = CorpusScore.score(pairs, normalizer, normalization,
                characters ? CorpusScore.Unit.CHAR : CorpusScore.Unit.WORD,
                noSpaces ? CharMode.REMOVE_SPACES : CharMode.KEEP_SPACES);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? new Gson().toJson(result.toMap()) : result.summary());
        out.flush();
        return 0;
    }

    /** Accepts {@code basic} or {@code none}, ignoring case. */
    static final class NormalizationConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (!v.equals("basic") && !v.equals("none")) {
                throw new CommandLine.TypeConversionException("expected basic or none, got '" + value + "'");
            }
            return v;
        }
    }
}
