package org.dqwhisper.cli;

import java.util.concurrent.Callable;
import org.dqwhisper.cuda.CudaRuntime;
import org.dqwhisper.kernels.CpuRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/dqw}: the command-line entry. Each subcommand is a thin shell over a public Java API. */
@Command(name = "dqw", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Whisper speech recognition on native INT8 kernels, compressed with DQ-Whisper.",
        subcommands = {Main.VersionCommand.class, TranscribeCommand.class, DumpCommand.class, BenchCommand.class,
            CorpusCommand.class, InitCommand.class, CompactCommand.class, DemoCommand.class, FinetuneCommand.class, ScoreCommand.class, SizeCommand.class, QuantizeCommand.class, DistillCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    public static final String VERSION = "0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        WhisperRuntime.install();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("dqw " + cmd.getCommandName() + ": " + describe(ex));
            if (System.getenv("DQW_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    /** A one-line account of a failure: file-system errors say what is wrong with the path, not just its name. */
    static String describe(Throwable ex) {
        if (ex instanceof java.nio.file.FileSystemException fs && fs.getReason() == null && fs.getOtherFile() == null) {
            String what = ex instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : ex instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : ex instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : ex instanceof java.nio.file.NotDirectoryException ? "not a directory"
                    : ex instanceof java.nio.file.DirectoryNotEmptyException ? "directory not empty"
                    : ex.getClass().getSimpleName();
            return fs.getFile() + ": " + what;
        }
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dq-whisper " + VERSION};
        }
    }

    @Command(name = "version", description = "Print versions, the CPU path the kernels use, and CUDA status.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("dq-whisper " + VERSION);
            System.out.println("native: " + CpuRuntime.nativeVersion());
            System.out.println("cpu isa: " + CpuRuntime.activeIsa() + " (detected " + CpuRuntime.detectedIsa() + ")");
            System.out.println("threads: " + CpuRuntime.threads());
            CudaRuntime.Status s = CudaRuntime.status();
            System.out.println("cuda: " + s.state() + (s.detail() == null ? "" : " - " + s.detail()));
            System.out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
            return 0;
        }
    }
}
