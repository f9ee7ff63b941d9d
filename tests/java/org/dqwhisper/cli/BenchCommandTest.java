package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void jsonRowsHaveExactlyTheDocumentedFields() {
        Result r = run("bench", "gemm", "--shape", "3x16x64", "--impl", "onednn-fp32,onednn-int8", "--warmup", "0",
                "--iterations", "1", "--min-sample-ms", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonArray rows = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(2, rows.size(), r.out());
        for (JsonElement e : rows) {
            JsonObject o = e.getAsJsonObject();
            assertEquals(Set.of("m", "n", "k", "impl", "threads", "gops"), o.keySet());
            assertEquals(3, o.get("m").getAsInt());
            assertEquals(64, o.get("n").getAsInt());
            assertEquals(16, o.get("k").getAsInt());
            assertTrue(o.get("gops").getAsDouble() > 0);
        }
        assertEquals("onednn-fp32", rows.get(0).getAsJsonObject().get("impl").getAsString());
        assertTrue(r.err().contains("Gop/s"), "the table goes to stderr with --json: " + r.err());
    }

    @Test
    void tableByDefaultAndClearErrorsForBadArguments() {
        Result ok = run("bench", "gemm", "--shape", "1x8x32", "--impl", "onednn-int8-linear", "--warmup", "0", "--iterations", "1",
                "--min-sample-ms", "0");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("onednn-int8-linear") && ok.out().contains("Gop/s"), ok.out());
        assertTrue(ok.out().contains("# peak of one core on the ") && ok.out().contains("%peak"), "measured peak and each row's share: " + ok.out());
        Result unknown = run("bench", "gemm", "--impl", "onednn-int4");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown GEMM implementation 'onednn-int4'"), unknown.err());
        Result badShape = run("bench", "gemm", "--shape", "12x3");
        assertEquals(1, badShape.code());
        assertTrue(badShape.err().contains("expected MxKxN"), badShape.err());
        Result noThreads = run("bench", "gemm", "--threads", "1,0", "--shape", "1x8x32");
        assertEquals(1, noThreads.code());
        assertTrue(noThreads.err().contains("thread counts must be >= 1, got 0") && !noThreads.out().contains("Gop/s"),
                "refused before any row: " + noThreads.err() + noThreads.out());
        Result missing = run("size", "--model", "/nonexistent-model-folder");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("/nonexistent-model-folder: no such file or directory"), missing.err());
    }
}
