package org.dqwhisper.whisper.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A from-scratch pickle reader for PyTorch state dicts that never executes anything. It knows only
 * the opcodes {@code torch.save} emits for a dict of tensors (protocols 2-5) and resolves only an
 * allow-list of globals into inert Java values:
 * <ul>
 *   <li>{@code collections.OrderedDict()} becomes a {@link LinkedHashMap};</li>
 *   <li>{@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}
 *       becomes a {@link TensorRef}; {@code _rebuild_parameter[_with_state](tensor, ...)} the tensor itself;</li>
 *   <li>{@code torch.<Type>Storage} is accepted only inside a persistent id
 *       {@code ('storage', type, key, location, numel)}, which becomes a {@link StorageRef}.</li>
 * </ul>
 * BUILD is accepted only on such an OrderedDict with a dict state (how {@code state_dict()}'s
 * {@code _metadata} attribute is pickled); the state is dropped.
 * Everything else (any other global such as {@code os.system} or {@code builtins.eval}, the
 * object-building opcodes INST/OBJ/NEWOBJ, BUILD on anything else, unknown opcodes) is refused with a
 * {@link CheckpointFormatException} naming the opcode or global and its byte offset.
 * Python values map to: str → String, int → Long, float → Double, bool → Boolean, None → null,
 * tuple → {@link Tuple}, list → ArrayList, dict → LinkedHashMap.
 */
public final class RestrictedUnpickler {
    /** A Python tuple. */
    public record Tuple(List<Object> items) {
        public Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        /** Shallow: pickles can build self-referencing containers. */
        @Override
        public String toString() {
            return "tuple of " + items.size();
        }
    }

    /** A reference to a module-level name; only allow-listed ones are ever created. */
    public record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage blob named by a persistent id ({@code archive/data/<key>}). */
    public record StorageRef(StorageDType dtype, String key, String location, long numel) {}

    /** A tensor view of a storage: element offset, sizes and strides in elements. */
    public record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
        @Override
        public String toString() {
            return "TensorRef[" + storage + ", offset " + offset + ", size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + "]";
        }
    }

    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_TENSOR_V2 = new Global("torch._utils", "_rebuild_tensor_v2");
    private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
    private static final Global REBUILD_PARAMETER_WITH_STATE = new Global("torch._utils", "_rebuild_parameter_with_state");
    private static final Set<Global> CALLABLES = Set.of(ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE);
    private static final int MAX_STACK = 1 << 20;
    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final Path file;
    private final String what;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storages = new HashMap<>();
    private final Map<Object, Boolean> orderedDicts = new IdentityHashMap<>(); // made by OrderedDict(): may BUILD
    private int opAt; // offset of the opcode being executed, for messages
    private int op = -1; // the opcode being executed

    private RestrictedUnpickler(Path file, String what, byte[] data) {
        this.file = file;
        this.what = what;
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads one pickle from {@code data}. {@code file} and {@code what} (e.g. the zip entry name)
     * appear in error messages.
     */
    public static Object load(Path file, String what, byte[] data) throws CheckpointFormatException {
        return new RestrictedUnpickler(file, what, data).run();
    }

    private Object run() throws CheckpointFormatException {
        try {
            while (true) {
                if (!in.hasRemaining()) throw fail("pickle ends without STOP");
                opAt = in.position();
                op = in.get() & 0xff;
                if (op == '.') { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) throw fail("STOP with " + stack.size() + " values on the stack");
                    return stack.get(0);
                }
                step(op);
                if (stack.size() > MAX_STACK) throw fail("stack deeper than " + MAX_STACK);
            }
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw fail("pickle is truncated");
        }
    }

    private void step(int op) throws CheckpointFormatException {
        switch (op) {
            case 0x80 -> { // PROTO
                int proto = in.get() & 0xff;
                if (proto < 2 || proto > 5) throw fail("unsupported pickle protocol " + proto);
            }
            case 0x95 -> in.getLong(); // FRAME: a length hint only
            case '(' -> { // MARK
                marks.add(stack.size());
                stack.add(MARK);
            }
            case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
            case ']' -> push(new ArrayList<>()); // EMPTY_LIST
            case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
            case 't' -> push(new Tuple(popToMark())); // TUPLE
            case 0x85, 0x86, 0x87 -> { // TUPLE1..3
                int n = op - 0x84;
                List<Object> items = new ArrayList<>(pop(n));
                push(new Tuple(items));
            }
            case 'X' -> push(string(in.getInt() & 0xffffffffL)); // BINUNICODE
            case 0x8c -> push(string(in.get() & 0xff)); // SHORT_BINUNICODE
            case 'J' -> push((long) in.getInt()); // BININT
            case 'K' -> push((long) (in.get() & 0xff)); // BININT1
            case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
            case 0x8a -> push(long1()); // LONG1
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT (big-endian)
            case 0x88 -> push(Boolean.TRUE); // NEWTRUE
            case 0x89 -> push(Boolean.FALSE); // NEWFALSE
            case 'N' -> push(null); // NONE
            case 's' -> { // SETITEM
                List<Object> kv = pop(2);
                dictAt(stack.size() - 1).put(key(kv.get(0)), kv.get(1));
            }
            case 'u' -> { // SETITEMS
                List<Object> kv = popToMark();
                if (kv.size() % 2 != 0) throw fail("SETITEMS with an odd number of values");
                Map<Object, Object> d = dictAt(stack.size() - 1);
                for (int i = 0; i < kv.size(); i += 2) d.put(key(kv.get(i)), kv.get(i + 1));
            }
            case 'a' -> listAt(stack.size() - 2).add(pop(1).get(0)); // APPEND
            case 'e' -> { // APPENDS
                List<Object> items = popToMark();
                listAt(stack.size() - 1).addAll(items);
            }
            case 'q' -> memo.put((long) (in.get() & 0xff), top()); // BINPUT
            case 'r' -> memo.put(in.getInt() & 0xffffffffL, top()); // LONG_BINPUT
            case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
            case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
            case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
            case 'c' -> push(global(line(), line())); // GLOBAL
            case 0x93 -> { // STACK_GLOBAL
                List<Object> mn = pop(2);
                if (!(mn.get(0) instanceof String m) || !(mn.get(1) instanceof String n)) throw fail("STACK_GLOBAL needs two strings");
                push(global(m, n));
            }
            case 'R' -> { // REDUCE
                List<Object> fa = pop(2);
                if (!(fa.get(1) instanceof Tuple args)) throw fail("REDUCE arguments are not a tuple");
                push(reduce(fa.get(0), args.items()));
            }
            case 'Q' -> push(persistentLoad(pop(1).get(0))); // BINPERSID
            case 'b' -> { // BUILD: only an OrderedDict's attribute dict (a state_dict's _metadata), which is dropped
                Object state = pop(1).get(0);
                Object target = stack.isEmpty() ? null : stack.get(stack.size() - 1);
                if (!(target instanceof Map<?, ?> m) || !orderedDicts.containsKey(m)) {
                    throw fail("BUILD is allowed only on a collections.OrderedDict, not on " + describe(target));
                }
                if (state != null && !(state instanceof Map)) throw fail("OrderedDict BUILD state is " + describe(state) + ", not a dict");
            }
            default -> throw fail(PickleOpcodes.isKnown(op) ? "opcode not allowed in a checkpoint" : "unknown pickle opcode");
        }
    }

    private Global global(String module, String name) throws CheckpointFormatException {
        Global g = new Global(module, name);
        boolean storage = module.equals("torch") && name.endsWith("Storage") && StorageDType.fromTorchStorage(name) != null;
        if (!storage && !CALLABLES.contains(g)) {
            throw fail("global '" + g + "' is not allowed (only collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
                    + "torch._utils._rebuild_parameter[_with_state] and torch.<Type>Storage are)");
        }
        return g;
    }

    private Object reduce(Object callable, List<Object> args) throws CheckpointFormatException {
        if (!(callable instanceof Global g) || !CALLABLES.contains(g)) {
            throw fail("REDUCE may call only collections.OrderedDict and torch._utils rebuild functions, not " + describe(callable));
        }
        if (g.equals(ORDERED_DICT)) {
            if (!args.isEmpty()) throw fail("OrderedDict called with arguments");
            Map<Object, Object> d = new LinkedHashMap<>();
            orderedDicts.put(d, Boolean.TRUE);
            return d;
        }
        if (g.equals(REBUILD_TENSOR_V2)) {
            if (args.size() != 6 && args.size() != 7) throw fail("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + args.size());
            if (!(args.get(0) instanceof StorageRef s)) throw fail("_rebuild_tensor_v2 storage is " + describe(args.get(0)));
            if (!(args.get(1) instanceof Long offset)) throw fail("_rebuild_tensor_v2 offset is " + describe(args.get(1)));
            long[] size = longs(args.get(2), "size");
            long[] stride = longs(args.get(3), "stride");
            if (size.length != stride.length) throw fail("_rebuild_tensor_v2 size and stride differ in length");
            if (!(args.get(4) instanceof Boolean)) throw fail("_rebuild_tensor_v2 requires_grad is " + describe(args.get(4)));
            if (!(args.get(5) instanceof Map<?, ?> hooks) || !hooks.isEmpty()) throw fail("_rebuild_tensor_v2 has backward hooks");
            return new TensorRef(s, offset, size, stride);
        }
        // _rebuild_parameter(data, requires_grad, hooks) / _rebuild_parameter_with_state(..., state)
        if (args.isEmpty() || !(args.get(0) instanceof TensorRef t)) throw fail(g + " needs a tensor as first argument");
        return t;
    }

    private StorageRef persistentLoad(Object pid) throws CheckpointFormatException {
        if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))) {
            throw fail("persistent id is not ('storage', type, key, location, numel): " + describe(pid));
        }
        List<Object> f = t.items();
        if (!(f.get(1) instanceof Global type) || !type.module().equals("torch")) throw fail("storage type is " + describe(f.get(1)));
        StorageDType dtype = StorageDType.fromTorchStorage(type.name());
        if (dtype == null) throw fail("storage type is " + type);
        if (!(f.get(2) instanceof String key) || !(f.get(3) instanceof String location) || !(f.get(4) instanceof Long numel) || numel < 0) {
            throw fail("malformed storage persistent id " + describe(pid));
        }
        StorageRef ref = new StorageRef(dtype, key, location, numel);
        StorageRef seen = storages.putIfAbsent(key, ref);
        if (seen != null && !seen.equals(ref)) throw fail("storage '" + key + "' declared twice differently: " + seen + " vs " + ref);
        return seen != null ? seen : ref;
    }

    private long[] longs(Object o, String what) throws CheckpointFormatException {
        if (!(o instanceof Tuple t)) throw fail("_rebuild_tensor_v2 " + what + " is " + describe(o));
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items().get(i) instanceof Long v)) throw fail("_rebuild_tensor_v2 " + what + " holds " + describe(t.items().get(i)));
            out[i] = v;
        }
        return out;
    }

    private String string(long length) throws CheckpointFormatException {
        if (length > in.remaining()) throw fail("string of " + length + " bytes runs past the end of the pickle");
        byte[] b = new byte[(int) length];
        in.get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw fail("string is not valid UTF-8");
        }
    }

    /** A GLOBAL operand: ASCII up to the next newline. */
    private String line() throws CheckpointFormatException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.get() & 0xff;
            if (c == '\n') return sb.toString();
            if (c < 0x20 || c > 0x7e || sb.length() > 256) throw fail("GLOBAL operand is not a printable name");
            sb.append((char) c);
        }
    }

    private Long long1() throws CheckpointFormatException {
        int n = in.get() & 0xff;
        if (n > 8) throw fail("LONG1 integer of " + n + " bytes does not fit 64 bits");
        long v = 0;
        for (int i = 0; i < n; i++) v |= (in.get() & 0xffL) << (8 * i);
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) v |= -1L << (8 * n); // sign-extend
        return v;
    }

    /** Dict keys are restricted to scalars: no hashing of (possibly self-referencing) containers. */
    private Object key(Object k) throws CheckpointFormatException {
        if (k == null || k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double) return k;
        throw fail("dict key " + describe(k) + " is not a str/int/float/bool/None");
    }

    private Object memoGet(long key) throws CheckpointFormatException {
        if (!memo.containsKey(key)) throw fail("memo key " + key + " was never stored");
        return memo.get(key);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object top() throws CheckpointFormatException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw fail("nothing on the stack to memoize");
        return stack.get(stack.size() - 1);
    }

    private List<Object> pop(int n) throws CheckpointFormatException {
        int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1) + 1;
        if (stack.size() - base < n) throw fail("stack underflow (need " + n + " values)");
        List<Object> view = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(view);
        view.clear();
        return out;
    }

    private List<Object> popToMark() throws CheckpointFormatException {
        if (marks.isEmpty()) throw fail("no MARK on the stack");
        int m = marks.remove(marks.size() - 1);
        List<Object> view = stack.subList(m + 1, stack.size());
        List<Object> out = new ArrayList<>(view);
        stack.subList(m, stack.size()).clear();
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictAt(int index) throws CheckpointFormatException {
        Object o = index >= 0 ? stack.get(index) : null;
        if (!(o instanceof Map)) throw fail("SETITEM(S) target is " + describe(o) + ", not a dict");
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> listAt(int index) throws CheckpointFormatException {
        Object o = index >= 0 ? stack.get(index) : null;
        if (!(o instanceof ArrayList)) throw fail("APPEND(S) target is " + describe(o) + ", not a list");
        return (List<Object>) o;
    }

    static String describe(Object o) {
        if (o == null) return "None";
        if (o == MARK) return "MARK";
        if (o instanceof String s) return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        // never toString() a container: pickles can make them reference themselves
        if (o instanceof List<?> l) return "list of " + l.size();
        if (o instanceof Map<?, ?> m) return "dict of " + m.size();
        return o.getClass().getSimpleName() + " " + o;
    }

    private CheckpointFormatException fail(String problem) {
        String at = op < 0 ? "" : " (opcode " + PickleOpcodes.describe(op) + ")";
        return new CheckpointFormatException(file, what + " byte " + opAt + at + ": " + problem);
    }
}
