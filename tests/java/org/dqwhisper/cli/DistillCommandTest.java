package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Argument checking of {@code dqw distill} (the training itself is DistillerTest). */
class DistillCommandTest {
    static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Object[] {Main.run(args), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void badArgumentsAreRejectedWithAMessage() {
        String t = "tests/data/tiny-random-a/hf";
        Object[] r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--match", "sideways");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("sideways"), (String) r[1]);
        r = run("distill", "--teacher", t, "--train", "x.jsonl", "--out", "target/d");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("--student"), (String) r[1]);
        r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--quant", "w8g64");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("per-group"), (String) r[1]);
    }
}
