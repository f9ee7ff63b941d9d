package org.dqwhisper.corpus;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dqwhisper.audio.PcmAudio;
import org.dqwhisper.audio.WavReader;

/**
 * The espeak-ng command-line synthesizer ({@code apt-get install espeak-ng}). Each call runs
 * {@code espeak-ng -v VOICE -s WPM -p PITCH -b 1 -w TMP.wav --stdin} with the text written to its standard input as
 * UTF-8 (not as an argument, whose encoding would depend on the locale), and reads the 22050 Hz WAV it writes.
 * espeak-ng is deterministic: the same text, voice, rate and pitch give the same samples.
 */
public final class EspeakNg implements SpeechSynthesizer {
    public static final String INSTALL_HINT = "install it: apt-get install espeak-ng";
    private static final long TIMEOUT_SECONDS = 60;

    private final Path executable;
    private final Path scratch;
    private volatile String version;

    private EspeakNg(Path executable, Path scratch) {
        this.executable = executable;
        this.scratch = scratch;
    }

    /** espeak-ng found on this process's PATH; temporary WAVs go to {@code scratch}. */
    public static EspeakNg locate(Path scratch) {
        return locate(System.getenv("PATH"), scratch);
    }

    /**
     * espeak-ng found on {@code searchPath} (a PATH-style list of folders).
     *
     * @throws EspeakUnavailableException naming the install command when it is not there
     */
    public static EspeakNg locate(String searchPath, Path scratch) {
        if (searchPath != null) {
            for (String folder : searchPath.split(File.pathSeparator)) {
                if (folder.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(folder, "espeak-ng");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return new EspeakNg(candidate, scratch);
                }
            }
        }
        throw new EspeakUnavailableException("espeak-ng was not found on the PATH; the corpus is spoken by it ("
            + INSTALL_HINT + ")");
    }

    public Path executable() {
        return executable;
    }

    @Override
    public String version() throws IOException {
        if (version == null) {
            version = run(List.of("--version")).strip();
        }
        return version;
    }

    /**
     * Checks that every voice ({@code de}, {@code en-gb}) and variant ({@code m3}) exists.
     *
     * @throws EspeakUnavailableException listing what is missing
     */
    public void requireVoices(Collection<String> voices, Collection<String> variants) throws IOException {
        Set<String> haveVoices = column(run(List.of("--voices")), 1);
        Set<String> haveVariants = new LinkedHashSet<>();
        for (String file : column(run(List.of("--voices=variant")), 4)) {
            haveVariants.add(file.startsWith("!v/") ? file.substring(3) : file);
        }
        List<String> missing = new ArrayList<>();
        voices.stream().filter(v -> !haveVoices.contains(v)).forEach(v -> missing.add("voice " + v));
        variants.stream().filter(v -> !haveVariants.contains(v)).forEach(v -> missing.add("variant " + v));
        if (!missing.isEmpty()) {
            throw new EspeakUnavailableException(executable + " (" + version() + ") lacks " + String.join(", ", missing)
                + "; the Debian package espeak-ng-data has them (" + INSTALL_HINT + ")");
        }
    }

    @Override
    public PcmAudio synthesize(String text, String voice, int wordsPerMinute, int pitch) throws IOException {
        Files.createDirectories(scratch);
        Path wav = Files.createTempFile(scratch, "espeak-", ".wav");
        try {
            run(List.of("-v", voice, "-s", Integer.toString(wordsPerMinute), "-p", Integer.toString(pitch), "-b", "1",
                "-w", wav.toString(), "--stdin"), text);
            PcmAudio audio = WavReader.read(wav);
            if (audio.samples().length == 0) {
                throw new IOException("espeak-ng -v " + voice + " produced no audio for \"" + text + "\"");
            }
            return audio;
        } finally {
            Files.deleteIfExists(wav);
        }
    }

    private String run(List<String> arguments) throws IOException {
        return run(arguments, null);
    }

    private String run(List<String> arguments, String stdin) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] output;
        try (InputStream out = process.getInputStream()) {
            output = out.readAllBytes();
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running espeak-ng", e);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ": "
                + text.strip());
        }
        return text;
    }

    /** The whitespace-separated column {@code index} of every line after the header. */
    private static Set<String> column(String table, int index) {
        Set<String> out = new LinkedHashSet<>();
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].trim().split("\\s+");
            if (cells.length > index) {
                out.add(cells[index]);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "EspeakNg[" + executable + "]";
    }
}
