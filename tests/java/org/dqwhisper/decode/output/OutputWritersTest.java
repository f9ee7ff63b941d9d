package org.dqwhisper.decode.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dqwhisper.decode.Transcription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputWritersTest {
    @TempDir
    Path tmp;

    @Test
    void allWritesFiveFilesNamedAfterTheAudioInWhisperOrder() throws IOException {
        Transcription t = Fixtures.segmentsOnly();
        Path out = tmp.resolve("new/sub");
        List<Path> written = OutputWriters.write(t, Path.of("/data/talk.final.flac"), out, OutputFormat.ALL, null);
        assertEquals(List.of(out.resolve("talk.final.txt"), out.resolve("talk.final.vtt"), out.resolve("talk.final.srt"),
                out.resolve("talk.final.tsv"), out.resolve("talk.final.json")), written);
        assertEquals(new SrtWriter().render(t, WriterOptions.DEFAULT),
                Files.readString(out.resolve("talk.final.srt"), StandardCharsets.UTF_8));
        assertEquals(new JsonWriter().render(t, WriterOptions.DEFAULT),
                Files.readString(out.resolve("talk.final.json"), StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(5, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void singleFormatReplacesAnExistingFileAndPassesOptions() throws IOException {
        Path target = tmp.resolve("a.vtt");
        Files.writeString(target, "old content that is longer than the new one ".repeat(20));
        WriterOptions words = new WriterOptions(12, 1, null, false);
        OutputWriters.write(Fixtures.withWords(), Path.of("a.wav"), tmp, OutputFormat.VTT, words);
        assertEquals(new VttWriter().render(Fixtures.withWords(), words), Files.readString(target));
    }

    @Test
    void baseNameFollowsPythonSplitext() {
        assertEquals("talk", OutputWriters.baseName(Path.of("dir/talk.wav")));
        assertEquals("talk.final", OutputWriters.baseName(Path.of("talk.final.wav")));
        assertEquals("noext", OutputWriters.baseName(Path.of("noext")));
        assertEquals(".hidden", OutputWriters.baseName(Path.of(".hidden")));
        assertEquals("..wav", OutputWriters.baseName(Path.of("..wav")));
        assertEquals(".hidden", OutputWriters.baseName(Path.of(".hidden.mp3")));
        assertEquals("trailing", OutputWriters.baseName(Path.of("trailing.")));
    }

    @Test
    void formatsParseCaseInsensitively() {
        assertEquals(OutputFormat.SRT, OutputFormat.parse("SRT"));
        assertEquals(OutputFormat.ALL, OutputFormat.parse(" all "));
        assertEquals(5, OutputFormat.ALL.formats().size());
        assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("docx"));
        assertThrows(IllegalStateException.class, OutputFormat.ALL::writer);
    }

    @Test
    void unwritableDirectoryFailsWithIoException() throws IOException {
        Path file = tmp.resolve("plain-file");
        Files.writeString(file, "x");
        assertThrows(IOException.class,
                () -> OutputWriters.write(Fixtures.segmentsOnly(), Path.of("a.wav"), file, OutputFormat.TXT, null));
        assertTrue(Files.isRegularFile(file));
    }
}
