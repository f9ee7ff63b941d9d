package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code dqw size} end to end through {@link Main#run}. */
class SizeCommandTest {
    private record Run(int code, String out, String err) {}

    private static Run size(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] full = new String[args.length + 1];
            full[0] = "size";
            System.arraycopy(args, 0, full, 1, args.length);
            return new Run(Main.run(full), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void reportsStudentAgainstTeacher() {
        Run r = size("--model", "tests/data/tiny-random-a/openai", "--teacher", "tests/data/tiny-random-a/hf", "--bits", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("student decoder .weight tensors at 4 bits"), r.out());
        assertTrue(r.out().contains("compression"), r.out());
        Run j = size("--model", "tests/data/tiny-random-a/openai", "--json");
        assertEquals(0, j.code(), j.err());
        JsonObject o = JsonParser.parseString(j.out().trim()).getAsJsonObject();
        assertEquals(8, o.get("bits").getAsInt());
        assertFalse(o.has("teacher"));
    }

    @Test
    void badArgumentsFailWithAMessage() {
        Run missing = size("--model", "tests/data/no-such-model");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no-such-model"), missing.err());
        Run bits = size("--model", "tests/data/tiny-random-a/openai", "--bits", "0");
        assertEquals(1, bits.code());
        assertTrue(bits.err().contains("bits must be 1..32"), bits.err());
        assertNotEquals(0, size().code(), "--model is required");
    }
}
