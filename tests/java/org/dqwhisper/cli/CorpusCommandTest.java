package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dqwhisper.corpus.EspeakNg;
import org.dqwhisper.corpus.EspeakUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dqw corpus} through {@link Main#run}. */
class CorpusCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run dqw(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void buildsASmallCorpusWithProgressOnStderr() throws Exception {
        try {
            EspeakNg.locate(tmp);
        } catch (EspeakUnavailableException e) {
            assumeTrue(false, "espeak-ng is not installed (apt-get install espeak-ng); skipping");
        }
        Path out = tmp.resolve("corpus");
        Run r = dqw("corpus", "--out", out.toString(), "--per-language", "3", "--languages", "en,zh", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("total     6 utterances"), r.out());
        assertTrue(r.err().contains("corpus [") && r.err().contains("6/6"), r.err());
        for (String f : new String[] {"train.jsonl", "dev.jsonl", "test.jsonl", "corpus.json", "cache.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(2, Files.readAllLines(out.resolve("test.jsonl")).size());
        assertTrue(Files.notExists(out.resolve(".scratch")));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Run r = dqw("corpus", "--out", tmp.toString(), "--languages", "en,xx");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no corpus language 'xx'"), r.err());
        r = dqw("corpus", "--out", tmp.toString(), "--per-language", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("at least 3 utterances"), r.err());
        assertTrue(dqw("--help").out().contains("corpus"));
    }
}
