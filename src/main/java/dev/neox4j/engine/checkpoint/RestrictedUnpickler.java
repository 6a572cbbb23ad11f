package dev.neox4j.engine.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the pickle of a {@code torch.save} archive ({@code data.pkl}) without executing anything. It interprets
 * the pickle opcodes that build plain data (numbers, strings, tuples, lists, dicts, memo) and knows exactly these
 * globals: {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the typed storage classes {@code torch.<Type>Storage}; persistent ids
 * {@code ('storage', <StorageClass>, key, location, numel)} name the archive's {@code data/<key>} entries. Every
 * other global (for example {@code os.system}), every other reduce target and every opcode that could construct an
 * arbitrary object is refused with a {@link CheckpointFormatException} naming it. Nothing is ever called: a
 * "rebuilt" tensor is a {@link TensorRef} describing where its bytes are.
 */
final class RestrictedUnpickler {
    /** A storage: the archive entry {@code data/<key>} holding {@code numel} elements of {@code dtype}. */
    record StorageRef(String key, String dtype, long numel) {
    }

    /** A tensor view of a storage: row-major when {@code stride} matches {@code size}. */
    record TensorRef(StorageRef storage, long storageOffset, long[] size, long[] stride) {
    }

    /** The storage class named by a global, e.g. {@code torch.HalfStorage} → {@code F16}. */
    private record StorageType(String dtype) {
    }

    /** The only callables a pickle may reduce. */
    private enum Callable { ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER }

    private static final Object MARK = new Object();
    /** Deepest stack / largest memo accepted. */
    private static final int MAX_STACK = 1 << 22;

    private static final Map<String, String> STORAGES = Map.ofEntries(
            Map.entry("HalfStorage", "F16"), Map.entry("FloatStorage", "F32"), Map.entry("BFloat16Storage", "BF16"),
            Map.entry("DoubleStorage", "F64"), Map.entry("LongStorage", "I64"), Map.entry("IntStorage", "I32"),
            Map.entry("ShortStorage", "I16"), Map.entry("CharStorage", "I8"), Map.entry("ByteStorage", "U8"),
            Map.entry("BoolStorage", "BOOL"));

    private final ByteBuffer in;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] pickle, String source) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /**
     * Interprets one pickle.
     *
     * @param source name for error messages, e.g. {@code pytorch_model.bin: archive/data.pkl}
     * @return the unpickled value: maps, lists, {@code Object[]} tuples, strings, numbers, {@link TensorRef}s
     * @throws CheckpointFormatException for a malformed pickle or anything outside the allowed set
     */
    static Object load(byte[] pickle, String source) {
        try {
            return new RestrictedUnpickler(pickle, source).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CheckpointFormatException(source + ": truncated or malformed pickle", e);
        }
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get();                                     // PROTO
                case 0x95 -> in.getLong();                                 // FRAME
                case '.' -> {                                              // STOP
                    return pop();
                }
                case '(' -> {                                              // MARK
                    marks.add(stack.size());
                    push(MARK);
                }
                case '0' -> pop();                                         // POP
                case '1' -> popMark();                                     // POP_MARK
                case '2' -> push(peek());                                  // DUP
                case 'N' -> push(null);                                    // NONE
                case 0x88 -> push(Boolean.TRUE);                           // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                          // NEWFALSE
                case 'J' -> push((long) in.getInt());                      // BININT
                case 'K' -> push((long) (in.get() & 0xff));                // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff));         // BININT2
                case 0x8a -> push(longN(in.get() & 0xff));                 // LONG1
                case 0x8b -> push(longN(length(in.getInt())));             // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT (big-endian)
                case 'I' -> push(textInt(line()));                         // INT
                case 'L' -> push(textInt(line().replace("L", "")));        // LONG
                case 'X' -> push(utf8(length(in.getInt())));               // BINUNICODE
                case 0x8c -> push(utf8(in.get() & 0xff));                  // SHORT_BINUNICODE
                case 0x8d -> push(utf8(length(in.getLong())));             // BINUNICODE8
                case 'T' -> push(latin1(length(in.getInt())));            // BINSTRING
                case 'U' -> push(latin1(in.get() & 0xff));                 // SHORT_BINSTRING
                case 'B' -> push(bytes(length(in.getInt())));              // BINBYTES
                case 'C' -> push(bytes(in.get() & 0xff));                  // SHORT_BINBYTES
                case 0x8e -> push(bytes(length(in.getLong())));            // BINBYTES8
                case ')' -> push(new Object[0]);                           // EMPTY_TUPLE
                case 0x85 -> push(new Object[] {pop()});                   // TUPLE1
                case 0x86 -> {                                             // TUPLE2
                    Object b = pop();
                    push(new Object[] {pop(), b});
                }
                case 0x87 -> {                                             // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    push(new Object[] {pop(), b, c});
                }
                case 't' -> push(popMark().toArray());                     // TUPLE
                case ']' -> push(new ArrayList<>());                       // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark()));              // LIST
                case 'a' -> {                                              // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> {                                              // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());                   // EMPTY_DICT
                case 'd' -> {                                              // DICT
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, popMark());
                    push(m);
                }
                case 's' -> {                                              // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(key(k), v);
                }
                case 'u' -> {                                              // SETITEMS
                    List<Object> items = popMark();
                    putPairs(dict(peek()), items);
                }
                case 'q' -> memo.put((long) (in.get() & 0xff), peek());    // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());   // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek());         // MEMOIZE
                case 'p' -> memo.put(Long.parseLong(line().trim()), peek()); // PUT
                case 'h' -> push(memoGet(in.get() & 0xff));                // BINGET
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));      // LONG_BINGET
                case 'g' -> push(memoGet(Long.parseLong(line().trim())));  // GET
                case 'c' -> push(global(line(), line()));                  // GLOBAL
                case 0x93 -> {                                             // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw refuse("STACK_GLOBAL with non-string operands");
                    }
                    push(global(m, n));
                }
                case 'Q' -> push(persistent(pop()));                       // BINPERSID
                case 'R' -> {                                              // REDUCE
                    Object args = pop();
                    Object fn = pop();
                    push(reduce(fn, args));
                }
                case 'b' -> {                                              // BUILD: only state of an OrderedDict
                    Object state = pop();
                    if (!(peek() instanceof Map<?, ?>)) {
                        throw refuse("BUILD on " + describe(peek()));
                    }
                    if (state != null && !(state instanceof Map<?, ?>)) {
                        throw refuse("BUILD with state " + describe(state));
                    }
                }
                default -> throw refuse(String.format("opcode 0x%02x ('%s') at byte %d", op,
                        op >= 0x20 && op < 0x7f ? String.valueOf((char) op) : "?", in.position() - 1));
            }
        }
    }

    private Object global(String module, String name) {
        String full = module + "." + name;
        switch (full) {
            case "collections.OrderedDict" -> {
                return Callable.ORDERED_DICT;
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                return Callable.REBUILD_TENSOR_V2;
            }
            case "torch._utils._rebuild_parameter" -> {
                return Callable.REBUILD_PARAMETER;
            }
            default -> {
                if (module.equals("torch") && STORAGES.containsKey(name)) {
                    return new StorageType(STORAGES.get(name));
                }
                throw new CheckpointFormatException(source + ": the pickle refers to '" + full + "', which neox4j"
                        + " refuses to load (only the globals torch uses to rebuild tensors are allowed; nothing in"
                        + " a checkpoint is ever executed)");
            }
        }
    }

    private Object reduce(Object fn, Object args) {
        if (!(fn instanceof Callable c)) {
            throw refuse("a call of " + describe(fn));
        }
        Object[] a = tuple(args, "arguments of " + c);
        return switch (c) {
            case ORDERED_DICT -> {
                if (a.length != 0) {
                    throw refuse("OrderedDict with arguments");
                }
                yield new LinkedHashMap<>();
            }
            case REBUILD_PARAMETER -> {
                if (a.length < 1 || !(a[0] instanceof TensorRef)) {
                    throw refuse("_rebuild_parameter without a tensor");
                }
                yield a[0];
            }
            case REBUILD_TENSOR_V2 -> {
                if (a.length < 4 || !(a[0] instanceof StorageRef s) || !(a[1] instanceof Long off)) {
                    throw refuse("_rebuild_tensor_v2 with unexpected arguments");
                }
                long[] size = longs(a[2], "size");
                long[] stride = longs(a[3], "stride");
                if (size.length != stride.length || off < 0) {
                    throw refuse("_rebuild_tensor_v2 with size " + Arrays.toString(size) + " and stride "
                            + Arrays.toString(stride));
                }
                yield new TensorRef(s, off, size, stride);
            }
        };
    }

    private Object persistent(Object pid) {
        Object[] t = tuple(pid, "persistent id");
        if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)
                || !(t[2] instanceof String key) || !(t[4] instanceof Long numel) || numel < 0) {
            throw refuse("persistent id " + describe(pid) + " (expected ('storage', torch.<Type>Storage, key,"
                    + " location, numel))");
        }
        if (!key.matches("[0-9A-Za-z_]{1,64}")) {
            throw refuse("storage key '" + key + "'");
        }
        return new StorageRef(key, type.dtype(), numel);
    }

    // ------------------------------------------------------------------ helpers

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw refuse("a stack deeper than " + MAX_STACK);
        }
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw new CheckpointFormatException(source + ": malformed pickle (stack underflow)");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw new CheckpointFormatException(source + ": malformed pickle (unexpected mark)");
        }
        return o;
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw new CheckpointFormatException(source + ": malformed pickle (stack underflow)");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new CheckpointFormatException(source + ": malformed pickle (no mark)");
        }
        int at = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(at + 1, stack.size()));
        stack.subList(at, stack.size()).clear();
        return items;
    }

    private Object memoGet(long i) {
        if (!memo.containsKey(i)) {
            throw new CheckpointFormatException(source + ": malformed pickle (memo " + i + " unset)");
        }
        return memo.get(i);
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new CheckpointFormatException(source + ": malformed pickle (odd number of dict items)");
        }
        for (int i = 0; i < items.size(); i += 2) {
            m.put(key(items.get(i)), items.get(i + 1));
        }
    }

    private Object key(Object k) {
        if (k instanceof Object[] || k instanceof List<?> || k instanceof Map<?, ?>) {
            throw refuse("an unhashable dict key");
        }
        return k;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof List<?>)) {
            throw refuse("APPEND to " + describe(o));
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw refuse("SETITEM on " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    private Object[] tuple(Object o, String what) {
        if (!(o instanceof Object[] a)) {
            throw refuse(what + " that is not a tuple: " + describe(o));
        }
        return a;
    }

    private long[] longs(Object o, String what) {
        Object[] a = tuple(o, what);
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            if (!(a[i] instanceof Long l) || l < 0) {
                throw refuse("a tensor " + what + " entry " + describe(a[i]));
            }
            out[i] = l;
        }
        return out;
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new CheckpointFormatException(source + ": malformed pickle (length " + n + " past the end)");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            if (in.position() - start > 4096) {
                throw new CheckpointFormatException(source + ": malformed pickle (line too long)");
            }
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }

    private Object textInt(String s) {
        String t = s.trim();
        if (t.equals("00")) {
            return Boolean.FALSE;
        }
        if (t.equals("01")) {
            return Boolean.TRUE;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(source + ": malformed pickle (integer '" + s + "')", e);
        }
    }

    private Object longN(int n) {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] a) {
            return "tuple of " + a.length;
        }
        return o.getClass().getSimpleName() + (o instanceof String || o instanceof Number ? " " + o : "");
    }

    private CheckpointFormatException refuse(String what) {
        return new CheckpointFormatException(source + ": the pickle uses " + what
                + ", which neox4j refuses to load (only the data torch uses to rebuild tensors is allowed)");
    }
}
