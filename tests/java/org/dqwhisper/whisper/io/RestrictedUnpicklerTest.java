package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.dqwhisper.whisper.io.RestrictedUnpickler.StorageRef;
import org.dqwhisper.whisper.io.RestrictedUnpickler.TensorRef;
import org.dqwhisper.whisper.io.RestrictedUnpickler.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestrictedUnpicklerTest {
    static final Path PT = Path.of("tests/data/tiny-random-a/openai/model.pt");
    private static final Path FILE = Path.of("evil.pt");

    @TempDir
    Path dir;

    private static CheckpointFormatException rejected(byte[] pickle, String... words) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> RestrictedUnpickler.load(FILE, "x/data.pkl", pickle));
        for (String w : words) assertTrue(e.getMessage().contains(w), "mentions '" + w + "': " + e.getMessage());
        assertTrue(e.getMessage().startsWith("evil.pt: x/data.pkl byte "), e.getMessage());
        return e;
    }

    @Test
    void readsTheRealOpenAiPickle() throws IOException {
        byte[] pickle;
        try (ZipFile zip = new ZipFile(PT.toFile())) {
            pickle = zip.getInputStream(zip.getEntry("model/data.pkl")).readAllBytes();
        }
        Object top = RestrictedUnpickler.load(PT, "model/data.pkl", pickle);
        Map<?, ?> m = assertInstanceOf(Map.class, top);
        assertEquals(List.of("dims", "model_state_dict"), List.copyOf(m.keySet()));
        Map<?, ?> dims = assertInstanceOf(Map.class, m.get("dims"));
        assertEquals(51865L, dims.get("n_vocab"));
        assertEquals(1500L, dims.get("n_audio_ctx"));
        Map<?, ?> sd = assertInstanceOf(Map.class, m.get("model_state_dict"));
        assertEquals(89, sd.size());
        TensorRef conv = assertInstanceOf(TensorRef.class, sd.get("encoder.conv1.weight"));
        assertArrayEquals(new long[] {64, 80, 3}, conv.size());
        assertArrayEquals(new long[] {240, 3, 1}, conv.stride());
        assertEquals(0, conv.offset());
        assertEquals(StorageDType.F16, conv.storage().dtype());
        assertEquals(64 * 80 * 3, conv.storage().numel());
        assertEquals("cpu", conv.storage().location());
    }

    /** A protocol-4 list exercising every supported value opcode (no STOP yet). */
    private static PickleBytes everyValueOpcode() {
        return new PickleBytes().proto(4).op(0x95, 0, 0, 0, 0, 0, 0, 0, 0) // FRAME
                .op(']').op(0x94) // EMPTY_LIST, MEMOIZE (memo 0)
                .mark().integer(7).integer(300).integer(-2).integer(1L << 40).op(0x88).op(0x89).op('N')
                .op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0) // BINFLOAT 1.5 (big-endian)
                .shortStr("h\u00e9").op('e') // APPENDS
                .op(')').op('a') // EMPTY_TUPLE, APPEND
                .integer(1).op(0x85).op('a').integer(1).integer(2).op(0x86).op('a').integer(1).integer(2).integer(3).op(0x87).op('a')
                .op(0x8a, 1, 0xff).op('a') // LONG1 -1
                .op('}').op('r', 5, 0, 0, 0).str("k").op('h', 0).op('s').op('a') // {'k': <the list itself>}, LONG_BINPUT 5
                .op('j', 5, 0, 0, 0).op('a'); // LONG_BINGET 5: the same dict again
    }

    @Test
    void valuesOfEverySupportedOpcode() throws CheckpointFormatException {
        List<?> l = assertInstanceOf(List.class, RestrictedUnpickler.load(FILE, "x", everyValueOpcode().stop().bytes()));
        assertEquals(16, l.size());
        assertEquals(7L, l.get(0));
        assertEquals(300L, l.get(1));
        assertEquals(-2L, l.get(2));
        assertEquals(1L << 40, l.get(3));
        assertEquals(Boolean.TRUE, l.get(4));
        assertEquals(Boolean.FALSE, l.get(5));
        assertNull(l.get(6));
        assertEquals(1.5, l.get(7));
        assertEquals("h\u00e9", l.get(8));
        assertEquals(new Tuple(List.of()), l.get(9));
        assertEquals(new Tuple(List.of(1L)), l.get(10));
        assertEquals(new Tuple(List.of(1L, 2L)), l.get(11));
        assertEquals(new Tuple(List.of(1L, 2L, 3L)), l.get(12));
        assertEquals(-1L, l.get(13));
        Map<?, ?> d = assertInstanceOf(Map.class, l.get(14));
        assertSame(l, d.get("k"), "memo returns the same object");
        assertSame(l.get(14), l.get(15));
        // a self-referencing list as a dict key must be refused, not hashed forever
        rejected(new PickleBytes().proto(2).op('}').op(']').op('q', 0).op('h', 0).op('a').integer(1).op('s').stop().bytes(),
                "dict key");
        // the same stream followed by a STACK_GLOBAL of a name outside the allow-list
        rejected(everyValueOpcode().shortStr("a").shortStr("b").op(0x93).op('a').stop().bytes(), "STACK_GLOBAL", "'a.b' is not allowed");
    }

    @Test
    void globalOsSystemWithReduceIsRejectedWithoutRunningIt() throws IOException {
        Path canary = dir.resolve("pwned");
        // cos\nsystem\n(X'touch <canary>'tR. — the classic payload, protocol 2
        byte[] p = new PickleBytes().proto(2).global("os", "system").mark().str("touch " + canary).tuple().reduce().stop().bytes();
        CheckpointFormatException e = rejected(p, "byte 2", "GLOBAL", "'os.system' is not allowed");
        assertNull(e.tensor());
        assertFalse(Files.exists(canary), "nothing executed");
        // posix.system and a STACK_GLOBAL spelling are refused the same way
        rejected(new PickleBytes().proto(4).shortStr("posix").shortStr("system").op(0x93).stop().bytes(), "'posix.system'");
    }

    @Test
    void builtinsEvalIsRejected() {
        byte[] p = new PickleBytes().proto(2).global("builtins", "eval").mark().str("__import__('os').system('id')").tuple().reduce().stop().bytes();
        rejected(p, "byte 2", "GLOBAL", "'builtins.eval' is not allowed");
        rejected(new PickleBytes().proto(2).global("__builtin__", "getattr").stop().bytes(), "'__builtin__.getattr'");
        rejected(new PickleBytes().proto(2).global("torch._utils", "_rebuild_tensor_v3").stop().bytes(), "_rebuild_tensor_v3");
        rejected(new PickleBytes().proto(2).global("torch", "load").stop().bytes(), "'torch.load'");
    }

    @Test
    void unknownAndObjectBuildingOpcodesAreRejected() {
        rejected(new PickleBytes().proto(2).op(0xff).bytes(), "byte 2", "unknown pickle opcode", "0xff");
        rejected(new PickleBytes().proto(2).op('}').op('}').op('b').bytes(), "byte 4", "BUILD (0x62)", "only on a collections.OrderedDict");
        rejected(new PickleBytes().proto(2).mark().op('i').bytes(), "INST");
        rejected(new PickleBytes().proto(2).mark().op('o').bytes(), "OBJ");
        rejected(new PickleBytes().proto(2).op(')').op(')').op(0x81).bytes(), "NEWOBJ");
        rejected(new PickleBytes().proto(2).op('S').bytes(), "STRING");
        rejected(new PickleBytes().proto(2).op(0x82, 1).bytes(), "EXT1");
        rejected(new PickleBytes().proto(2).op('P').bytes(), "PERSID");
        rejected(new PickleBytes().op(0x80, 9).bytes(), "protocol 9");
    }

    @Test
    void allowedGlobalsCannotBeMisused() {
        // a storage class is a valid global but may not be called
        rejected(new PickleBytes().proto(2).global("torch", "FloatStorage").op(')').reduce().stop().bytes(), "REDUCE", "torch.FloatStorage");
        // OrderedDict with arguments
        rejected(new PickleBytes().proto(2).global("collections", "OrderedDict").mark().integer(1).tuple().reduce().stop().bytes(),
                "OrderedDict called with arguments");
        // REDUCE of something that is not a global at all
        rejected(new PickleBytes().proto(2).str("os.system").op(')').reduce().stop().bytes(), "REDUCE may call only");
        // _rebuild_tensor_v2 with a non-storage first argument
        rejected(new PickleBytes().proto(2).global("torch._utils", "_rebuild_tensor_v2").mark().str("nope").integer(0)
                .op(')').op(')').op(0x89).op('}').tuple().reduce().stop().bytes(), "storage is 'nope'");
        // persistent id that is not a storage tuple
        rejected(new PickleBytes().proto(2).str("anything").op('Q').stop().bytes(), "BINPERSID", "persistent id");
        // backward hooks present
        byte[] hooks = new PickleBytes().proto(2).global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(1).tuple().op('Q')
                .integer(0).integer(1).op(0x85).integer(1).op(0x85).op(0x89).op('}').str("h").integer(1).op('s').tuple().reduce().stop().bytes();
        rejected(hooks, "backward hooks");
    }

    @Test
    void stateDictMetadataBuildIsAcceptedAndDropped() throws CheckpointFormatException {
        // what torch.save(model.state_dict()) writes: OrderedDict(), SETITEMS, then BUILD({'_metadata': OrderedDict(...)})
        byte[] p = new PickleBytes().proto(2).global("collections", "OrderedDict").op(')').reduce().op('q', 0)
                .mark().str("w").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('u')
                .op('}').str("_metadata").global("collections", "OrderedDict").op(')').reduce().op('s') // {'_metadata': OrderedDict()}
                .op('b')
                .stop().bytes();
        Map<?, ?> sd = assertInstanceOf(Map.class, RestrictedUnpickler.load(FILE, "x", p));
        assertEquals(List.of("w"), List.copyOf(sd.keySet()));
        // BUILD with a non-dict state, or on a plain dict, is refused
        rejected(new PickleBytes().proto(2).global("collections", "OrderedDict").op(')').reduce().integer(3).op('b').stop().bytes(),
                "BUILD", "state is Long 3");
    }

    @Test
    void structuralErrorsAreReported() {
        rejected(new PickleBytes().proto(2).integer(1).bytes(), "without STOP");
        rejected(new PickleBytes().proto(2).op('h', 3).stop().bytes(), "memo key 3");
        rejected(new PickleBytes().proto(2).op('X', 0xff, 0xff, 0, 0).bytes(), "runs past the end");
        rejected(new PickleBytes().proto(2).op('J', 1).bytes(), "truncated");
        rejected(new PickleBytes().proto(2).op('t').bytes(), "no MARK");
        rejected(new PickleBytes().proto(2).op('s').bytes(), "stack underflow");
        rejected(new PickleBytes().proto(2).integer(1).integer(2).stop().bytes(), "STOP with 2 values");
        rejected(new PickleBytes().proto(2).integer(1).integer(2).integer(3).op('s').stop().bytes(), "not a dict");
        rejected(new PickleBytes().proto(2).op(0x8a, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1).stop().bytes(), "does not fit 64 bits");
    }

    @Test
    void persistentStoragesAreSharedByKey() throws CheckpointFormatException {
        byte[] p = new PickleBytes().proto(2).mark()
                .tensor("HalfStorage", "7", 10, 0, new long[] {2}, new long[] {1})
                .tensor("HalfStorage", "7", 10, 4, new long[] {3}, new long[] {2})
                .tuple().stop().bytes();
        Tuple t = assertInstanceOf(Tuple.class, RestrictedUnpickler.load(FILE, "x", p));
        TensorRef a = (TensorRef) t.items().get(0);
        TensorRef b = (TensorRef) t.items().get(1);
        assertSame(a.storage(), b.storage());
        assertEquals(new StorageRef(StorageDType.F16, "7", "cpu", 10), a.storage());
        assertEquals(4, b.offset());
        byte[] conflict = new PickleBytes().proto(2).mark()
                .tensor("HalfStorage", "7", 10, 0, new long[] {2}, new long[] {1})
                .tensor("FloatStorage", "7", 10, 0, new long[] {2}, new long[] {1})
                .tuple().stop().bytes();
        rejected(conflict, "storage '7' declared twice");
    }
}
