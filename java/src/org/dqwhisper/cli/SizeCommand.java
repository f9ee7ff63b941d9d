package org.dqwhisper.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dqwhisper.distill.ModelSizeReport;
import org.dqwhisper.whisper.io.WhisperCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dqw size}: model size per component and the compression ratio (a shell over {@link ModelSizeReport}). */
@Command(name = "size",
        description = {"Model size per component (encoder / decoder / embeddings) and the compression ratio against a teacher,",
            "under the paper's convention (teacher FP16; student decoder .weight tensors at --bits, all else FP16)",
            "and as stored on disk."})
public final class SizeCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The (student) checkpoint: folder or file.")
    Path model;

    @Option(names = "--teacher", paramLabel = "DIR", description = "A teacher checkpoint to compare with (counted at FP16).")
    Path teacher;

    @Option(names = "--bits", defaultValue = "8", paramLabel = "N",
            description = "Width of the student's decoder .weight tensors in the paper convention (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--json", description = "Print the report as one JSON object (sizes in bytes).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (WhisperCheckpoint s = WhisperCheckpoint.load(model); WhisperCheckpoint t = teacher == null ? null : WhisperCheckpoint.load(teacher)) {
            ModelSizeReport report = ModelSizeReport.of(s, t, bits);
            System.out.print(json ? report.toJson() + "\n" : report.format());
        }
        return 0;
    }
}
